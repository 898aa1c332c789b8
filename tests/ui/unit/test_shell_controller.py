"""ShellController with a real window but no app: links, questions, closing, the tray's dot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dialdeck.core.dial_options import DialOptions
from dialdeck.core.numbers import parse_dial_number
from dialdeck.core.recent_attempts import Attempt
from dialdeck.ui.main_window import MainWindow
from dialdeck.ui.shell_controller import ShellController


@pytest.fixture
def shell(qtbot: QtBot) -> ShellController:
    window = MainWindow()
    qtbot.addWidget(window)
    return ShellController(window)


def test_a_link_fills_the_dialer_and_dials_only_when_asked(shell: ShellController) -> None:
    asked: list[tuple[object, ...]] = []
    shell.dial_requested.connect(lambda *a: asked.append(a))
    shell.handle_link("tel:+91-98765-43210")
    assert shell.window.dialer.number_edit.text() == "+91 98765 43210"
    assert asked == []
    shell.dial_links_at_once = True
    shell.handle_link("callto:+919123456789")
    number, options, confirmed = asked[0]
    assert number == parse_dial_number("9123456789")
    assert isinstance(options, DialOptions) and confirmed is False


def test_a_bad_link_is_shown_with_its_problem(shell: ShellController) -> None:
    shell.handle_link("tel:812-345-6789;phone-context=+1")
    assert "another country" in shell.window.dialer.preview.text()


def test_redial_question_defaults_to_cancel_and_confirms_on_dial_again(
    shell: ShellController, qtbot: QtBot
) -> None:
    asked: list[tuple[object, ...]] = []
    shell.dial_requested.connect(lambda *a: asked.append(a))
    number = parse_dial_number("98765 43210")
    attempt = Attempt(number.national, datetime.now(UTC) - timedelta(minutes=2), True)
    shell.confirm_redial(number, DialOptions(), attempt)
    box = shell.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert "2 min ago" in box.text()
    assert box.defaultButton().text() == "Cancel"
    next(b for b in box.buttons() if b.text() == "Dial again").click()
    assert asked == [(number, DialOptions(), True)]
    # Seconds ago: said as the dialer says it under the number ("called moments ago").
    shell.confirm_redial(number, DialOptions(), Attempt(number.national, datetime.now(UTC), True))
    box = shell.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert "You dialled +91 98765 43210 moments ago" in box.text()
    box.reject()


def test_closing_without_a_tray_asks_to_quit(shell: ShellController) -> None:
    quits: list[bool] = []
    shell.window.quit_requested.connect(lambda: quits.append(True))
    shell.close_window()
    assert quits == [True]


def test_a_maximised_window_comes_back_maximised(shell: ShellController, qtbot: QtBot) -> None:
    """From the tray (hidden) or the taskbar (minimised), as the agent left it."""
    window = shell.window
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized)
    window.hide()
    shell.bring_to_front()
    assert window.isVisible() and window.isMaximized()
    window.showMinimized()
    shell.bring_to_front()
    assert window.isMaximized() and not window.isMinimized()


def test_a_window_left_maximised_comes_back_maximised_after_a_minimised_start(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """--minimized (start at login): shown from the tray, it is maximised as it was left, even
    if the window manager reported the minimised window as merely minimised."""
    path = tmp_path / "window.ini"
    before = MainWindow()
    qtbot.addWidget(before)
    before.restore_layout(path)
    before.showMaximized()
    qtbot.waitUntil(before.isMaximized)
    before.save_layout()

    window = MainWindow()
    qtbot.addWidget(window)
    window.restore_layout(path)
    window.showMinimized()
    window.setWindowState(Qt.WindowState.WindowMinimized)  # as some window managers leave it
    window.hide()  # into the tray
    ShellController(window).bring_to_front()
    assert window.isVisible() and window.isMaximized()
