"""Messages are never stale or mixed: each says one thing, about the call it belongs to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit

from tests.ui.conftest import AppFactory
from tests.ui.test_dialing import type_and_enter
from tests.ui.test_history_notes import open_history, seeded_home
from tests.ui.test_live_call import add_participant, connected_call, leg_statuses


def test_colleague_notice_goes_when_the_agent_hangs_up(make_app: AppFactory) -> None:
    app = make_app()
    panel = app.window.call_panel
    connected_call(app)
    add_participant(app, "91234 56789")
    app.qtbot.waitUntil(lambda: "Your colleague joined" in panel.notice_label.text())
    assert panel.notice_label.isVisible()
    app.qtbot.mouseClick(panel.hangup_agent_button, Qt.MouseButton.LeftButton)
    app.qtbot.waitUntil(lambda: leg_statuses(app)[0] == "Hung up")
    assert not panel.notice_label.isVisible()


def test_notice_goes_when_the_call_ends(make_app: AppFactory) -> None:
    app = make_app()
    panel = app.window.call_panel
    connected_call(app)
    add_participant(app, "9123451111")  # busy colleague
    app.qtbot.waitUntil(lambda: "could not be reached" in panel.notice_label.text())
    app.qtbot.mouseClick(panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.wait_state("Call ended")
    assert not panel.notice_label.isVisible()


def test_a_new_call_clears_the_last_outcome_from_the_status_bar(make_app: AppFactory) -> None:
    app = make_app()
    status = app.window.statusBar()
    app.window.dialer.ring_time_spin.setValue(5)
    type_and_enter(app, "9876540000")  # no answer
    app.qtbot.waitUntil(lambda: "did not answer" in status.currentMessage())
    type_and_enter(app, "9876543210")
    app.qtbot.waitUntil(lambda: "Ringing" in app.state() or "Calling" in app.state())
    assert "did not answer" not in status.currentMessage()


def test_platform_refusal_shows_in_the_call_panel_until_the_next_call(
    make_app: AppFactory,
) -> None:
    app = make_app()
    panel = app.window.call_panel
    type_and_enter(app, "9876545555")
    app.qtbot.waitUntil(panel.dial_problem_label.isVisible)
    text = panel.dial_problem_label.text()
    assert "+91 98765 45555 was not called" in text and "could not queue the call" in text
    app.window.dialer.clear()  # the refused number waits in the dialer
    type_and_enter(app, "9876543210")
    app.wait_state("Connected")
    assert not panel.dial_problem_label.isVisible()


def test_one_call_is_one_call(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(seeded_home(tmp_path, calls=1))
    history = open_history(app, 1)
    app.qtbot.waitUntil(lambda: history.summary.text() == "1 call")


def test_two_calls_are_calls(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(seeded_home(tmp_path, calls=2))
    history = open_history(app, 2)
    app.qtbot.waitUntil(lambda: history.summary.text() == "2 calls")


def test_one_clear_button_and_esc(make_app: AppFactory) -> None:
    app = make_app()
    dialer = app.window.dialer
    assert not dialer.number_edit.isClearButtonEnabled()
    clears = [
        b
        for b in dialer.findChildren(QAbstractButton)
        if b.isVisible() and "clear" in b.accessibleName().lower()
    ]
    assert clears == [dialer.clear_button]
    assert dialer.clear_button.text() == "Clear"
    assert not [e for e in dialer.findChildren(QLineEdit) if e.isClearButtonEnabled()]
    app.qtbot.keyClicks(dialer.number_edit, "98765")
    app.qtbot.mouseClick(dialer.clear_button, Qt.MouseButton.LeftButton)
    assert dialer.number_edit.text() == ""
    app.qtbot.keyClicks(dialer.number_edit, "98765")
    app.qtbot.keyClick(dialer.number_edit, Qt.Key.Key_Escape)
    assert dialer.number_edit.text() == ""
