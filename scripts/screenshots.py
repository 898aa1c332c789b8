"""Save screenshots of Dialdeck's main screens, taken from the real app under Xvfb.

    ./run screenshots [OUT_DIR] [--dark]     (default: docs/screenshots)

Starts Xvfb when there is no display, runs the app against its embedded sandbox, drives it through
idle, ringing, connected with three legs, and an error, and saves a PNG of each; also the
connected call in an 800x600 window, and (a second run, ``--scale2``: QT_SCALE_FACTOR=2 on a
1600x1200 screen, 800x600 logical) the same call at 200% scaling.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


CONTACTS = """Name,Company,Mobile,Work,Starred
Asha Rao,Acme Traders,+91 98765 43210,,
Dev Malhotra,Northwind Logistics,098765 41111,022 4000 1234,
Meera Iyer,Dialdeck support,+91 91234 56789,,yes
Ravi Kumar,Contoso Retail,98765 42222,,
Sara Thomas,Fabrikam Foods,+91 98450 12345,,yes
"""


@contextmanager
def display(screen: str = "1280x860x24") -> Iterator[None]:
    """Use $DISPLAY if there is one; otherwise run a private Xvfb for the duration."""
    if os.environ.get("DISPLAY"):
        yield
        return
    if not shutil.which("Xvfb"):
        sys.exit("Xvfb is not installed (./run installs it on Debian)")
    number = 90 + os.getpid() % 100
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", screen, "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        socket_path = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + 10
        while not socket_path.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("Xvfb did not start")
            time.sleep(0.05)
        os.environ["DISPLAY"] = f":{number}"
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        yield
    finally:
        server.terminate()
        server.wait(5)


async def until(predicate: Callable[[], bool]) -> None:
    async with asyncio.timeout(15):
        while not predicate():
            await asyncio.sleep(0.05)


def main(argv: list[str]) -> int:
    dark = "--dark" in argv
    scaled = "--scale2" in argv  # 200%: only the connected call, as "connected-200pct"
    argv = [a for a in argv if a not in ("--dark", "--scale2")]
    out = Path(argv[0]) if argv else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
    if scaled:
        os.environ["QT_SCALE_FACTOR"] = "2"
    elif not dark and not os.environ.get("DISPLAY"):
        # 200% needs its own process (the factor is read at start) and its own screen size.
        subprocess.run([sys.executable, __file__, str(out), "--scale2"], check=True)
    screen = "1600x1200x24" if scaled else "1280x860x24"
    with display(screen), tempfile.TemporaryDirectory() as home:
        import logging

        from PySide6.QtWidgets import QApplication

        from dialdeck.core import contacts
        from dialdeck.core.calls import PollPolicy
        from dialdeck.core.numbers import parse_dial_number
        from dialdeck.core.paths import AppPaths
        from dialdeck.sandbox import SandboxConfig
        from dialdeck.ui.controller import AppController, AppOptions
        from dialdeck.ui.event_loop import DialdeckEventLoop
        from dialdeck.ui.main_window import MainWindow

        logging.basicConfig(
            level=logging.DEBUG if os.environ.get("DIALDECK_DEBUG") else logging.WARNING
        )
        app = QApplication(["dialdeck"])
        app.setApplicationName("Dialdeck")
        app.setQuitOnLastWindowClosed(False)
        if dark:  # what a user with the system in dark mode sees (the OS would supply this)
            from PySide6.QtGui import QColor, QPalette

            app.setStyle("Fusion")
            palette = QPalette()
            role = QPalette.ColorRole
            for which, colour in (
                (role.Window, "#2b2d30"), (role.WindowText, "#e6e6e6"), (role.Base, "#1e1f22"),
                (role.AlternateBase, "#26282b"), (role.Text, "#e6e6e6"), (role.Button, "#3a3d41"),
                (role.ButtonText, "#e6e6e6"), (role.Highlight, "#3574f0"), (role.HighlightedText, "#ffffff"),
                (role.PlaceholderText, "#8c8f94"), (role.ToolTipBase, "#3a3d41"), (role.ToolTipText, "#e6e6e6"),
            ):  # fmt: skip
                palette.setColor(which, QColor(colour))
            app.setPalette(palette)
        loop = DialdeckEventLoop(app)
        asyncio.set_event_loop(loop)
        config = SandboxConfig()
        config = replace(config, speed=4.0, timings=replace(config.timings, talk_time=3600))
        options = AppOptions(
            home=Path(home),
            sandbox_config=config,
            poll_policy=PollPolicy(ringing=0.2, connected=0.3),
        )
        window = MainWindow()  # at its default size, as a first start opens it
        window.show()
        controller = AppController(window, options, AppPaths.resolve(home))

        async def shot(name: str) -> None:
            # Let Qt paint by yielding to the loop; never processEvents() inside a coroutine
            # (re-entering the qasync loop breaks the running tasks).
            if scaled and name != "connected":
                return
            await asyncio.sleep(0.2)
            path = out / f"{name}{'-200pct' if scaled else ''}.png"
            window.grab().save(str(path))
            print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

        def state() -> str:
            return window.call_panel.state_label.text()

        async def scenario() -> None:
            await controller.start()
            # A small address book, as an agent would import it: names instead of numbers.
            book = Path(home) / "contacts.csv"
            book.write_text(CONTACTS, encoding="utf-8")
            await controller.history.run(contacts.import_file, book)
            await controller.contacts.edited()
            await shot("idle")
            window.dialer.set_number("+91 98765 43333")  # the agent never picks up: stays ringing
            window.dialer.request_dial()
            await until(lambda: state() == "Ringing your phone: pick up")
            await asyncio.sleep(1.2)  # let the timers count
            await shot("ringing")
            window.dialer.set_number("98765 43210")
            window.dialer.request_dial()
            await until(
                lambda: (
                    state() == "Connected"
                    and "+91 98765 43210" in window.call_panel.number_label.text()
                )
            )
            focused = window.call_panel.focused
            assert focused is not None
            controller.calls.add_participant(focused.call_id, parse_dial_number("91234 56789"), 30)
            await until(lambda: state().startswith("Connected: 3 people"))
            await asyncio.sleep(1.2)
            await shot("connected")
            if not scaled:
                wide = window.size()
                window.resize(800, 600)
                await shot("connected-800x600")
                window.resize(wide)
            else:  # end the call as the full run does, so nothing is left running at exit
                controls = controller.session.controls  # type: ignore[union-attr]
                for role in ("destination", "agent"):
                    await controls.hang_up(focused.call_id, role=role)
                await until(
                    lambda: (
                        window.call_panel.focused is not None and window.call_panel.focused.is_over
                    )
                )
                await asyncio.sleep(1)
                controller.quit()
                await until(lambda: window.allow_close)
                return
            window.dialer.set_number("98765 45555")  # the platform refuses: a 502
            window.dialer.request_dial()
            await until(lambda: "could not queue" in window.dialer.preview.text())
            await shot("error")
            # Let a call end with its recording, then show History and the player.
            focused = window.call_panel.focused
            assert focused is not None
            library = controller.recordings
            assert library is not None
            await asyncio.sleep(4)
            controls = controller.session.controls  # type: ignore[union-attr]
            for role in ("destination", "agent"):  # the colleague would stay on with either
                await controls.hang_up(focused.call_id, role=role)
            await until(
                lambda: (
                    library.library_view.model.rowCount() > 0
                    and library.library_view.model.row_at(0).state == "local"
                )
            )
            history = controller.history_tab
            assert history is not None
            window.show_tab(history.history_view)
            await until(lambda: history.history_view.model.rowCount() >= 3)
            history.history_view.table.selectRow(0)
            history.history_view.notes_edit.setPlainText(
                "Wants the annual plan; send the quote today."
            )
            history.history_view.disposition_combo.setCurrentText("Interested")
            await shot("history")
            window.show_tab(library.library_view)
            library.library_view.table.selectRow(0)
            await until(lambda: len(library.library_view.player_widget.waveform.peaks) > 0)
            library.player.seek(4000)
            await library.add_bookmark(2000, "Asked about the annual plan")
            await shot("recordings")
            tab = controller.contacts_tab
            assert tab is not None
            window.show_tab(tab.view)
            tab.view.model.refresh()  # imported above without the menu, which refreshes it
            await until(lambda: tab.view.model.rowCount() == CONTACTS.count("\n") - 1)
            tab.view.table.selectRow(0)
            await shot("contacts")
            controller.quit()
            await until(lambda: window.allow_close)

        with loop:  # closed at the end: its worker threads stop before Python exits
            loop.run_until_complete(scenario())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
