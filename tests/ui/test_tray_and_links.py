"""Tray menu, quick dial, notifications, single instance and tel: links (offscreen: no tray)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from dialdeck.core.paths import AppPaths
from dialdeck.core.settings import Settings, save_settings
from dialdeck.platform.single_instance import InstanceServer, server_name
from dialdeck.ui.quick_dial import QuickDial
from dialdeck.ui.tray import TrayController
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_dialing import type_and_enter


def tray(app: AppHarness) -> TrayController:
    assert app.controller.shell.tray is not None
    return app.controller.shell.tray


def test_quick_dial_places_exactly_one_call(make_app: AppFactory) -> None:
    app = make_app()
    app.window.quick_dial_action.trigger()  # Ctrl+K inside the app
    box = app.controller.shell.quick_dial
    assert box is not None
    app.qtbot.waitUntil(box.isVisible)
    assert box.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert box.caller_id_combo.count() == 2
    box.caller_id_combo.setCurrentIndex(1)
    app.qtbot.keyClicks(box.number_edit, "98765-4321")
    assert "Too short" in box.preview.text()
    app.qtbot.keyClick(box.number_edit, Qt.Key.Key_Return)
    assert box.isVisible()  # invalid: nothing sent, box stays
    app.qtbot.keyClicks(box.number_edit, "0")
    assert box.preview.text() == "Will call +91 98765 43210"
    app.qtbot.keyClick(box.number_edit, Qt.Key.Key_Return)
    app.qtbot.keyClick(box.number_edit, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: len(app.posts()) == 1)
    assert not box.isVisible()
    app.qtbot.wait(300)
    assert len(app.posts()) == 1
    assert (
        app.posts()[0]["body"]["from_number"] == "919800000001"
    )  # the caller ID chosen in the box

    app.window.quick_dial_action.trigger()
    app.qtbot.waitUntil(box.isVisible)
    app.qtbot.keyClick(box.number_edit, Qt.Key.Key_Escape)
    assert not box.isVisible()


def test_tray_menu_is_built_from_the_current_state(make_app: AppFactory) -> None:
    app = make_app()
    t = tray(app)
    QApplication.clipboard().setText("not a number")
    t.rebuild_menu()
    names = [a.objectName() for a in t.menu.actions()]
    assert "trayCallClipboard" not in names
    assert {"trayQuickDial", "trayToggleWindow", "trayNotifications", "trayQuit"} <= set(names)
    QApplication.clipboard().setText(" +91 (98765) 43210 ")
    type_and_enter(app, "9123456789")
    app.qtbot.waitUntil(lambda: t.recent == ["9123456789"])  # the call was accepted
    t.menu.aboutToShow.emit()  # what opening the menu does
    clip = next(a for a in t.menu.actions() if a.objectName() == "trayCallClipboard")
    assert clip.text() == "Call +91 98765 43210 (from clipboard)"
    recent = t.menu.findChild(QMenu, "trayRecent")
    assert [a.text() for a in recent.actions()] == ["+91 91234 56789"]
    clip.trigger()  # the click is the confirmation
    app.qtbot.waitUntil(lambda: len(app.posts()) == 2)
    assert app.posts()[1]["body"]["to_number"] == "9876543210"

    recent.actions()[0].trigger()  # recent: into quick dial, ready for Enter
    box = app.controller.shell.quick_dial
    assert box is not None
    app.qtbot.waitUntil(box.isVisible)
    assert box.number_edit.text() == "+91 91234 56789"
    box.hide()

    notes = next(a for a in t.menu.actions() if a.objectName() == "trayNotifications")
    notes.trigger()
    assert t.notifications is False
    app.qtbot.waitUntil(
        lambda: (
            not Settings.from_json(
                __import__("json").loads(app.paths.settings_file.read_text())
            ).notifications
        )
    )


def test_notifications_for_call_events(make_app: AppFactory) -> None:
    app = make_app()
    seen: list[tuple[str, str]] = []
    tray(app).notify = lambda title, text: seen.append((title, text))  # type: ignore[method-assign]
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    app.qtbot.mouseClick(app.window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(
        lambda: any(title == "Recording saved" for title, _ in seen), timeout=15_000
    )
    texts = [text for _, text in seen]
    assert texts[:3] == ["Ringing your phone: pick up", "Connected", "Call ended"]
    assert ("Recording saved", "Call with +91 98765 43210") in seen
    assert len(texts) == len(set(texts))  # never the same state twice


def test_without_a_tray_everything_works_from_the_window(make_app: AppFactory) -> None:
    app = make_app()
    assert tray(app).available is False  # offscreen has no tray
    assert "No system tray" in app.window.statusBar().currentMessage()
    app.window.close()  # with no tray, closing the window quits (in order)
    app.qtbot.waitUntil(lambda: app.window.allow_close, timeout=10_000)
    app.closed = True


def test_tel_link_on_the_command_line_fills_the_dialer(make_app: AppFactory) -> None:
    app = make_app(wait=False)
    app.controller.handle_args(["tel:+91-98765-43210;ext=7"])  # before ready: kept for later
    app.qtbot.waitUntil(lambda: app.controller.is_ready)
    app.qtbot.waitUntil(lambda: app.window.dialer.number_edit.text() == "+91 98765 43210")
    assert app.posts() == []  # one confirming action: Enter
    app.controller.handle_args(["tel:+44-20-7946-0000"])
    assert "Not an Indian number" in app.window.dialer.preview.text()


def second_launch(app: AppHarness, home: Path, *args: str) -> tuple[int, float, str]:
    """Run a second Dialdeck while this test keeps the first one's event loop turning."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dialdeck", "--home", str(home), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        app.qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    finally:
        if proc.poll() is None:
            proc.kill()
        _out, err = proc.communicate(timeout=10)
    return proc.returncode, time.monotonic() - started, err


def listening_app(make_app: AppFactory, home: Path) -> tuple[AppHarness, InstanceServer]:
    app = make_app(home)
    server = InstanceServer(server_name(AppPaths.resolve(home).config_dir))
    assert server.listen()
    server.arguments_received.connect(app.controller.handle_args)
    return app, server


def test_second_launch_hands_its_link_to_the_running_instance(
    make_app: AppFactory, tmp_path: Path
) -> None:
    home = tmp_path / "one"
    app, server = listening_app(make_app, home)
    try:
        app.window.hide()
        code, elapsed, err = second_launch(app, home, "tel:+919876543210")
        assert code == 0, err
        assert elapsed < 15
        app.qtbot.waitUntil(lambda: app.window.dialer.number_edit.text() == "+91 98765 43210")
        assert app.window.isVisible()  # brought to the front
        assert app.posts() == []
        # A different --home is a different instance: it would start its own window instead.
        assert server_name(AppPaths.resolve(tmp_path / "other").config_dir) != server_name(
            AppPaths.resolve(home).config_dir
        )
    finally:
        server.close()


def test_second_launch_dials_at_once_when_asked(make_app: AppFactory, tmp_path: Path) -> None:
    home = tmp_path / "two"
    save_settings(AppPaths.resolve(home).settings_file, Settings(dial_links_at_once=True))
    app, server = listening_app(make_app, home)
    try:
        code, _elapsed, err = second_launch(app, home, "callto:+919876543211")
        assert code == 0, err
        app.qtbot.waitUntil(lambda: len(app.posts()) == 1)
        app.qtbot.wait(300)
        assert len(app.posts()) == 1
        assert app.posts()[0]["body"]["to_number"] == "9876543211"
    finally:
        server.close()


def test_quick_dial_keeps_its_width_for_a_long_reason(qtbot: QtBot) -> None:
    """A long reason (a pasted address, not a number) wraps under the field; the box keeps its
    width (it grew from 282 to 531 px)."""
    box = QuickDial()
    qtbot.addWidget(box)
    box.open_with("", [("+91 98000 00000", "919800000000")], "919800000000")
    qtbot.waitExposed(box)
    width = box.width()
    box.number_edit.setText("Flat 4B, Prestige Towers, 12 MG Road, Bengaluru 560001, Karnataka")
    qtbot.wait(50)
    assert "Only digits" in box.preview.text()
    assert box.width() <= width + 2
    box.hide()
