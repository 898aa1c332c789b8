"""Composition root: QApplication, the qasync loop, wiring, orderly shutdown.

Start-up order matters for perceived speed: the window is shown first, and only then are the heavy
parts (httpx, SQLite, the embedded sandbox; keyring only with an account) imported and started.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialdeck.sandbox import SandboxConfig


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="dialdeck", description="Dialdeck: click-to-call for CloudDialer agents"
    )
    parser.add_argument(
        "--home",
        type=Path,
        help="keep settings, data and logs under this folder (also DIALDECK_HOME)",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the built-in simulator even if an account is set up",
    )
    parser.add_argument(
        "--sandbox-port",
        type=int,
        default=0,
        metavar="P",
        help="port for the embedded sandbox (default: any free port)",
    )
    parser.add_argument(
        "--sandbox-speed",
        type=float,
        default=1.0,
        metavar="X",
        help="sandbox time scale (demos: 5 makes calls 5x faster)",
    )
    parser.add_argument(
        "--minimized", action="store_true", help="start in the tray (used when starting at login)"
    )
    parser.add_argument("--verbose", action="store_true", help="also log to the terminal")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="place one sandbox call in a throwaway home, play its recording, report, exit",
    )
    from dialdeck import __version__

    parser.add_argument("--version", action="version", version=f"Dialdeck {__version__}")
    parser.add_argument("number", nargs="?", help="a number or tel: link to put in the dialer")
    # Qt's own arguments (-platform, -style, …) are consumed by QApplication first.
    return parser.parse_args(argv)


def install_qt_message_handler() -> None:
    """Qt's own messages go to Dialdeck's log (redacted, rotating) instead of the terminal."""
    import logging

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    from dialdeck.core.logs import qt_message_level

    qt_log = logging.getLogger("qt")
    kinds = {
        QtMsgType.QtDebugMsg: "debug",
        QtMsgType.QtInfoMsg: "info",
        QtMsgType.QtWarningMsg: "warning",
    }

    def handler(kind: QtMsgType, context: object, message: str) -> None:
        category = str(getattr(context, "category", "") or "")
        qt_log.log(
            qt_message_level(kinds.get(kind, "critical"), category, message),
            "%s: %s",
            category,
            message,
        )

    qInstallMessageHandler(handler)


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["--audio-probe"]:
        # A frozen build has no `python -m dialdeck.audio_probe`: core/decode_probe.py runs the
        # app itself with this first argument instead. No window, no QApplication of ours.
        from dialdeck.audio_probe import main as audio_probe

        audio_probe(arguments[1:])  # prints its answer and exits

    if {"-h", "--help", "--version"} & set(arguments):
        parse_args(arguments)  # prints and exits: reading the usage needs no display
    from PySide6.QtCore import QTimer

    from dialdeck.ui.import_hook import lighten_pyside_import_hook

    lighten_pyside_import_hook()  # before the imports below: ~12 MB and ~45 ms less
    from dialdeck.platform.open_events import LinkAwareApplication

    qt_argv = [sys.argv[0], *arguments]
    app = LinkAwareApplication(qt_argv)  # macOS: clicked tel: links arrive as events
    args = parse_args(app.arguments()[1:])
    self_check = None
    if args.self_check:  # its own throwaway home, the sandbox, sped up
        from dialdeck.self_check import SelfCheck

        self_check = SelfCheck()
        args.home, args.sandbox, args.minimized, args.number = self_check.home, True, False, None
    app.setApplicationName("Dialdeck")
    app.setOrganizationName("Dialdeck")
    app.setApplicationDisplayName("Dialdeck")
    app.setDesktopFileName("dialdeck")
    app.setQuitOnLastWindowClosed(False)  # the controller quits, after an orderly shutdown

    from dialdeck.core.early_log import EarlyRecords

    early_records = EarlyRecords.install()  # written to the log once it exists (bootstrap)
    # One Dialdeck per user and --home: a second launch hands over its number and exits.
    from dialdeck.core.paths import AppPaths
    from dialdeck.platform.single_instance import Handover, InstanceServer, forward, server_name

    paths = AppPaths.resolve(args.home)  # --home, DIALDECK_HOME, or the platform's folders
    instance_name = server_name(paths.config_dir)
    handed_over = [args.number] if args.number else []
    handover = forward(instance_name, handed_over)
    if handover is Handover.FORWARDED:
        return 0
    if handover is Handover.UNRESPONSIVE:
        print(
            "Dialdeck is already running but not responding; not starting a second copy.",
            file=sys.stderr,
        )
        return 1
    instance = InstanceServer(instance_name)
    instance.listen()
    # Numbers handed over from here on (a second launch, a clicked link) wait for the controller;
    # connected before the first events are processed, so none arriving meanwhile is lost.
    received: list[list[str]] = []
    instance.arguments_received.connect(received.append)
    app.links.connect_handler(received.append)

    from dialdeck.ui.main_window import MainWindow

    window = MainWindow(defer_call_panel=True)
    window.restore_layout(paths.window_layout_file)  # as the agent left it
    if args.minimized:
        window.showMinimized()
        app.processEvents()
    else:
        window.show()
        window.paint_now()  # the agent sees the window before the heavy imports below
    window.build_call_panel()  # in place of its look-alike, which painted first
    probe = os.environ.get("DIALDECK_STARTUP_PROBE")  # bench/startup.py: report, then quit
    if probe:
        print(f"shown {time.time():.6f}", flush=True)

    import asyncio

    from dialdeck.ui.event_loop import DialdeckEventLoop

    # The event loop runs from here on: the window responds while the rest loads.
    loop = DialdeckEventLoop(app)
    asyncio.set_event_loop(loop)
    # Ctrl+C in the terminal quits in order; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: done.done() or done.set_result(None))
    wake = QTimer()
    wake.start(250)
    wake.timeout.connect(lambda: None)
    done = loop.create_future()

    async def bootstrap() -> None:
        # Third-party imports that take ~100 ms and no Qt: on a worker thread, so the painted
        # window never freezes (httpx, its anyio backend used at the first request).
        await asyncio.to_thread(preload)
        from dialdeck.core.logs import setup_logging
        from dialdeck.ui.controller import AppController, AppOptions
        from dialdeck.ui.crash import install_excepthook

        log_problem = setup_logging(paths.log_file, console=args.verbose)
        early_records.replay()
        install_qt_message_handler()
        install_excepthook()
        options = AppOptions(
            home=args.home,
            start_minimized=args.minimized,
            force_sandbox=args.sandbox,
            sandbox_port=args.sandbox_port,
            sandbox_config=sandbox_config(args, self_check is not None),
            log_problem=log_problem,
        )
        controller = AppController(window, options, paths)
        instance.arguments_received.disconnect(received.append)
        instance.arguments_received.connect(controller.handle_args)
        app.links.connect_handler(controller.handle_args)
        signal.signal(signal.SIGINT, lambda *_: controller.quit())
        controller.finished.connect(lambda: done.done() or done.set_result(None))
        if probe:

            def report_ready() -> None:
                print(f"ready {time.time():.6f}", flush=True)
                controller.quit()

            controller.ready.connect(report_ready)
        if self_check is not None:
            self_check.attach(controller)
        if args.number:
            controller.handle_args([args.number])
        for handed in received:
            controller.handle_args(handed)
        controller.start()

    with loop:
        starting = loop.create_task(bootstrap())

        def started(task: asyncio.Task[None]) -> None:
            if not task.cancelled() and (exc := task.exception()) is not None:
                sys.excepthook(type(exc), exc, exc.__traceback__)  # the crash dialog, then quit
                done.done() or done.set_result(None)

        starting.add_done_callback(started)
        loop.run_until_complete(done)
    instance.close()
    from dialdeck.core.logs import close_logging

    close_logging()
    return 0 if self_check is None else self_check.finish()


def preload() -> None:
    """Import what the first seconds need, off the GUI thread (see ``bootstrap``)."""
    import contextlib
    import importlib

    # Qt-free modules only (class definitions of QObjects stay on the GUI thread).
    for name in ("httpx", "anyio._backends._asyncio", "anyio.streams.tls", "phonenumbers",
                 "dialdeck.core.api", "dialdeck.session", "dialdeck.core.library",
                 "dialdeck.core.retention", "dialdeck.core.contacts", "dialdeck.core.history",
                 "dialdeck.core.dialing"):  # fmt: skip
        with contextlib.suppress(ImportError):  # optional parts: imported for real when needed
            importlib.import_module(name)
    from dialdeck.core.numbers import check_dial_number

    check_dial_number("98000 00000")  # phonenumbers reads India's rules on first use (~20 ms)


def sandbox_config(args: argparse.Namespace, self_check: bool) -> SandboxConfig | None:
    if self_check:
        from dialdeck.self_check import sandbox_config as self_check_sandbox

        return self_check_sandbox()
    if args.sandbox_speed != 1.0:
        from dataclasses import replace

        from dialdeck.sandbox import SandboxConfig

        return replace(SandboxConfig(), speed=args.sandbox_speed)
    return None


if __name__ == "__main__":
    raise SystemExit(main())
