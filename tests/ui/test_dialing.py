"""The desktop app end to end: real widgets, embedded sandbox, real SQLite history."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from dialdeck.core.calls import TrackedCall
from dialdeck.core.numbers import parse_dial_number
from dialdeck.core.paths import AppPaths
from dialdeck.sandbox import SandboxServer
from dialdeck.ui import describe
from dialdeck.ui.dialer import DialerPanel
from tests.conftest import RESTRICTED_KEY, MemoryKeyring
from tests.ui.conftest import AppFactory, AppHarness, write_account


def type_and_enter(app: AppHarness, text: str) -> None:
    edit = app.window.dialer.number_edit
    app.qtbot.keyClicks(edit, text)
    app.qtbot.keyClick(edit, Qt.Key.Key_Return)


def record_headlines(app: AppHarness) -> list[str]:
    seen: list[str] = []
    panel = app.window.call_panel
    original = panel.update_call

    def spy(call: TrackedCall, *, focus: bool = False) -> None:
        original(call, focus=focus)
        headline = describe.call_state(call)
        if not seen or seen[-1] != headline:
            seen.append(headline)

    panel.update_call = spy  # type: ignore[method-assign]
    return seen


def history_rows(app: AppHarness) -> list[sqlite3.Row]:
    db = sqlite3.connect(app.paths.history_db)
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM calls ORDER BY id").fetchall()
    finally:
        db.close()


def test_first_run_is_sandbox_mode(make_app: AppFactory) -> None:
    app = make_app()
    window = app.window
    assert "Dialdeck" in window.windowTitle()
    assert window.mode_badge.text() == "Sandbox: calls are simulated"
    assert window.dialer.caller_id_combo.count() == 2
    assert window.dialer.caller_id_combo.currentText() == "+91 98000 00000"
    assert window.dialer.number_edit.hasFocus() or window.focusWidget() is window.dialer.number_edit
    assert window.call_panel.stack.currentWidget() is window.call_panel.empty_state
    assert window.call_panel.sandbox_mode


def test_dial_progresses_to_connected_and_ends(make_app: AppFactory) -> None:
    app = make_app()
    headlines = record_headlines(app)
    app.qtbot.keyClicks(app.window.dialer.number_edit, "(098765) 43-210")
    assert app.window.dialer.preview.text() == "Will call +91 98765 43210"
    app.qtbot.keyClick(app.window.dialer.number_edit, Qt.Key.Key_Return)
    app.wait_state("Connected")
    assert headlines[:4] == [
        "Placing the call…",
        "Ringing your phone: pick up",
        "Calling the customer…",
        "Connected",
    ]
    table = app.window.call_panel.legs_table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["You", "Customer"]
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == ["Connected", "Connected"]
    assert table.item(1, 1).text() == "+91 98765 43210"
    assert table.item(0, 1).text() == "agent.017"
    assert app.window.call_panel.add_participant_button.isEnabled()
    assert app.window.dialer.recent_list.item(0).text() == "+91 98765 43210"

    app.qtbot.mouseClick(app.window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.wait_state("Call ended")
    assert not app.window.call_panel.add_participant_button.isEnabled()
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == ["Hung up", "Hung up"]
    app.qtbot.waitUntil(lambda: history_rows(app)[-1]["state"] == "ended")
    row = history_rows(app)[-1]
    assert (row["to_number"], row["from_number"], row["agent"]) == (
        "9876543210",
        "919800000000",
        "agent.017",
    )
    assert row["call_status"] == "ANSWER"
    assert row["end_time"] is not None
    assert row["sandbox"] == 1
    assert '"destination"' in row["legs"]
    assert len(app.posts()) == 1


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("9876540000", "The customer did not answer"),
        ("9876541111", "Customer's line was busy"),
        ("9876542222", "The call could not be connected (network failure)"),
        ("9876543333", "You did not pick up your phone"),
        ("9876544444", "Call cancelled before the customer answered"),
    ],
)
def test_scripted_failures_have_their_own_message(
    make_app: AppFactory, number: str, message: str
) -> None:
    app = make_app()
    app.window.dialer.ring_time_spin.setValue(5)
    type_and_enter(app, number)
    app.wait_state(message)
    app.qtbot.waitUntil(lambda: history_rows(app)[-1]["state"] == "ended")


def test_platform_refusal_message(make_app: AppFactory, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    caplog.set_level(logging.INFO, logger="dialdeck.dialing")
    type_and_enter(app, "9876545555")
    app.qtbot.waitUntil(lambda: "could not queue the call" in app.window.dialer.preview.text())
    assert "Try again" in app.window.dialer.preview.text()
    assert "call not placed (PlatformError): HTTP 502 for POST /calls" in caplog.text  # for support
    assert app.window.dialer.dial_button.isEnabled()
    assert history_rows(app)[-1]["state"] == "not_placed"
    assert app.window.call_panel.stack.currentWidget() is app.window.call_panel.empty_state


def test_a_rate_limited_dial_placed_nothing_and_says_to_wait(make_app: AppFactory) -> None:
    """Not "may have been placed: check your phone": a 429 turned the request away unread."""
    app = make_app()
    faults = {"error_rate": 1, "error_status": 429, "retry_after": 20, "count": 1,
              "path_prefix": "/calls"}  # fmt: skip
    httpx.post(f"{app.embedded_sandbox.url}/_sandbox/faults", json=faults, timeout=5)
    type_and_enter(app, "9123456789")
    preview = app.window.dialer.preview
    app.qtbot.waitUntil(lambda: "slow down" in preview.text())
    assert "pause of 20 seconds" in preview.text() and "check your phone" not in preview.text()
    assert history_rows(app)[-1]["state"] == "not_placed"
    assert app.window.dialer.dial_button.isEnabled()
    assert app.window.dialer.number_edit.text()  # kept: the next Enter dials it, unasked
    type_and_enter(app, "")
    app.qtbot.waitUntil(lambda: len(app.posts()) == 2)
    assert app.controller.shell.confirm_box is None  # no "Dial … again?": nothing was placed


def test_wrong_key_and_forbidden_network_messages(
    make_app: AppFactory, sandbox: SandboxServer, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    home = tmp_path / "wrongkey"
    write_account(home, sandbox.url, "not-the-key")
    app = make_app(home)
    assert app.window.mode_badge.text() == "CloudDialer account"
    type_and_enter(app, "9876543210")
    app.qtbot.waitUntil(lambda: "did not accept the API key" in app.window.dialer.preview.text())
    assert "Open Settings" in app.window.dialer.preview.text()

    home = tmp_path / "restricted"
    write_account(home, sandbox.url, RESTRICTED_KEY)
    app2 = make_app(home)
    type_and_enter(app2, "9876543210")
    app2.qtbot.waitUntil(
        lambda: "does not allow calls from this network" in app2.window.dialer.preview.text()
    )


def test_invalid_input_sends_nothing(make_app: AppFactory) -> None:
    app = make_app()
    dialer = app.window.dialer
    for text, message in (
        ("12345", "Too short: 5 digits"),
        ("+44 20 7946 0000", "Not an Indian number (+44, United Kingdom)"),
        ("98765abc10", "Only digits"),
    ):
        dialer.number_edit.clear()
        type_and_enter(app, text)
        assert dialer.preview.property("state") == "error"
        assert message in dialer.preview.text()
        assert not dialer.dial_button.isEnabled()
        app.qtbot.mouseClick(dialer.dial_button, Qt.MouseButton.LeftButton)
    app.qtbot.wait(200)
    assert app.posts() == []


def test_double_click_and_double_enter_place_one_call_each(make_app: AppFactory) -> None:
    app = make_app()
    dialer = app.window.dialer
    app.qtbot.keyClicks(dialer.number_edit, "9876543210")
    app.qtbot.mouseDClick(dialer.dial_button, Qt.MouseButton.LeftButton)
    dialer.dial_button.click()  # a third press before the first request has even been sent
    app.qtbot.waitUntil(lambda: app.window.call_panel.focused is not None)
    app.qtbot.wait(300)
    assert len(app.posts()) == 1

    app.qtbot.keyClicks(dialer.number_edit, "9876543211")
    app.qtbot.keyClick(dialer.number_edit, Qt.Key.Key_Return)
    app.qtbot.keyClick(dialer.number_edit, Qt.Key.Key_Return)
    app.qtbot.keyClick(dialer.number_edit, Qt.Key.Key_Enter)
    app.qtbot.waitUntil(lambda: len(app.posts()) >= 2)
    app.qtbot.wait(300)
    assert len(app.posts()) == 2

    # Two entry points at the same moment (say, the tray and the window): one call.
    from dialdeck.core.numbers import parse_dial_number
    from dialdeck.ui.controller import DialResult

    number = parse_dial_number("9876543212")
    from dialdeck.core.dial_options import DialOptions

    assert app.controller.dial(number, DialOptions()) is DialResult.STARTED
    assert app.controller.dial(number, DialOptions()) is DialResult.BUSY
    # The second one is not lost: it waits in the dialer, with why.
    assert dialer.number_edit.text() == number.display
    assert "being placed right now" in dialer.preview.text()
    app.qtbot.waitUntil(lambda: len(app.posts()) >= 3)
    app.qtbot.wait(300)
    assert len(app.posts()) == 3


def test_typing_anywhere_in_the_dialer_and_keypad(make_app: AppFactory) -> None:
    app = make_app()
    dialer = app.window.dialer
    dialer.recent_list.setFocus()
    app.qtbot.keyClicks(dialer.recent_list, "9")  # focus elsewhere in the dialer
    app.qtbot.keyClicks(dialer, "8")
    for key in "765":
        app.qtbot.mouseClick(dialer.keys[key], Qt.MouseButton.LeftButton)
    assert dialer.number_edit.text() == "98765"
    assert dialer.preview.text() == "Too short: 5 digits (an Indian number has 10)"
    app.qtbot.mouseClick(dialer.backspace_button, Qt.MouseButton.LeftButton)
    assert dialer.number_edit.text() == "9876"
    app.qtbot.keyClick(dialer, Qt.Key.Key_Escape)
    assert dialer.number_edit.text() == ""
    # Ctrl+L from another tab: the number field, its old number selected, so typing replaces it.
    dialer.set_number("98765 43210")
    app.window.tabs.setCurrentIndex(1)
    app.window.activateWindow()
    app.qtbot.waitUntil(app.window.isActiveWindow)
    app.qtbot.keyClick(app.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert app.window.tabs.currentIndex() == 0 and dialer.number_edit.hasFocus()
    app.qtbot.keyClicks(dialer.number_edit, "91234 56789")
    assert dialer.number_edit.text() == "91234 56789"


def test_paste_with_any_formatting(make_app: AppFactory) -> None:
    app = make_app()
    app.window.dialer.number_edit.setFocus()
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText("tel:+91-98765-43210")
    app.qtbot.keyClick(
        app.window.dialer.number_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier
    )
    assert app.window.dialer.preview.text() == "Will call +91 98765 43210"


def dial_with_lost_answer(app: AppHarness, number: str) -> None:
    """Dial ``number``; the sandbox places the call and cuts its answer: outcome unknown."""
    httpx.post(
        f"{app.embedded_sandbox.url}/_sandbox/faults",
        json={"drop_rate": 1.0, "count": 1, "path_prefix": "/calls"},
        timeout=5,
    )
    type_and_enter(app, number)
    app.qtbot.waitUntil(
        lambda: "may or may not have been placed" in app.window.dialer.preview.text()
    )


def test_lost_answer_says_outcome_unknown_and_follows_nothing(make_app: AppFactory) -> None:
    app = make_app()
    dial_with_lost_answer(app, "9876543210")
    assert "Check your phone before dialling again" in app.window.dialer.preview.text()
    # An entry says the call may be ringing; nothing is polled (there is no call_id to poll).
    unknown = app.window.call_panel.focused
    assert unknown is not None and unknown.outcome_unknown
    assert "May have been placed" in app.state()
    assert len(app.posts()) == 1  # and never retried
    assert history_rows(app)[-1]["state"] == "unknown"
    assert app.window.dialer.dial_button.isEnabled()

    # Enter again on the same number asks first; the safe answer is the default.
    app.qtbot.keyClick(app.window.dialer.number_edit, Qt.Key.Key_Return)
    box = wait_confirm_box(app)
    assert "may have been placed" in box.text()
    assert box.defaultButton().text() == "Cancel"
    box.defaultButton().click()
    app.qtbot.wait(200)
    assert len(app.posts()) == 1
    assert app.window.dialer.number_edit.text() == "+91 98765 43210"  # kept for later

    # Every entry point asks: the tray's recent list, a tel: link set to dial at once, quick dial.
    from dialdeck.core.numbers import parse_dial_number

    number = parse_dial_number("9876543210")
    for attempt in (
        lambda: app.controller.shell.tray.dial_requested.emit(number),  # type: ignore[union-attr]
        lambda: app.controller.shell.quick_dial.dial_requested.emit(number, ""),  # type: ignore[union-attr]
    ):
        app.controller.shell.confirm_box = None
        attempt()
        wait_confirm_box(app).reject()
    app.controller.shell.dial_links_at_once = True
    app.controller.shell.confirm_box = None
    app.controller.handle_args(["tel:+919876543210"])
    box = wait_confirm_box(app)
    assert len(app.posts()) == 1

    # Confirming places exactly one more call.
    next(b for b in box.buttons() if b.text() == "Dial again").click()
    app.qtbot.waitUntil(lambda: len(app.posts()) == 2)
    app.wait_state("Ringing your phone")


def wait_confirm_box(app: AppHarness) -> QMessageBox:
    app.qtbot.waitUntil(lambda: app.controller.shell.confirm_box is not None)
    box: QMessageBox = app.controller.shell.confirm_box
    app.qtbot.waitUntil(box.isVisible)
    return box


def test_unknown_outcome_from_last_session_asks_before_redial(
    make_app: AppFactory, tmp_path: Path
) -> None:
    from dialdeck.core.store import CallState, HistoryStore

    home = tmp_path / "home"
    paths = AppPaths.resolve(home)
    store = HistoryStore(paths.history_db)
    store.record_placing(
        uuid="u-1", to_number="9876543210", from_number="919800000000", agent="a", sandbox=True
    )  # the app was killed while this POST was in flight
    store.close()
    app = make_app(home)
    check = HistoryStore(paths.history_db)
    assert check.get("u-1").state is CallState.UNKNOWN  # type: ignore[union-attr]
    check.close()
    type_and_enter(app, "98765 43210")
    wait_confirm_box(app).reject()
    assert app.posts() == []
    app.window.dialer.clear()
    type_and_enter(app, "98765 43211")  # another number is not held up
    app.qtbot.waitUntil(lambda: len(app.posts()) == 1)


def test_icons_follow_a_light_dark_switch(make_app: AppFactory) -> None:
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = make_app()
    action = app.window.settings_action
    before = action.icon().cacheKey()
    original = QApplication.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#f0f0f0"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    QApplication.setPalette(dark)
    try:
        app.qtbot.waitUntil(lambda: action.icon().cacheKey() != before)
        image = action.icon().pixmap(24, 24).toImage()
        drawn = [
            image.pixelColor(x, y)
            for x in range(24)
            for y in range(24)
            if image.pixelColor(x, y).alpha() > 200
        ]
        assert drawn
        assert all(c.lightness() > 200 for c in drawn)  # light icon on the dark palette
    finally:
        QApplication.setPalette(original)


def test_sandbox_port_flag_and_a_busy_port(make_app: AppFactory, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    app = make_app(tmp_path / "port", sandbox_port=free)
    assert app.embedded_sandbox.port == free

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        blocked = make_app(tmp_path / "busy", sandbox_port=taken)  # starts; says why it cannot dial
        assert blocked.window.mode_badge.text() == "Sandbox unavailable"
        assert f"could not start on port {taken}" in blocked.window.dialer.preview.text()
        type_and_enter(blocked, "9876543210")
        assert "Choose another --sandbox-port" in blocked.window.dialer.preview.text()
        assert blocked.controller.recordings is not None  # history and recordings still there
        assert blocked.window.tabs.count() == 4  # and contacts


def test_enter_before_ready_is_explained_and_the_explanation_goes_once_ready(
    qtbot: QtBot,
) -> None:
    """Enter pressed in the first instant says "Still connecting…"; once connected, the line
    says what Enter does now instead of keeping a stale message."""
    dialer = DialerPanel()
    qtbot.addWidget(dialer)
    assert not dialer.redial_button.isEnabled()  # nothing to redial before the history is read
    assert dialer.caller_id_combo.placeholderText() == "Connecting…"  # not an empty box
    dialer.set_number("98765 43210")
    with qtbot.assertNotEmitted(dialer.dial_requested):
        dialer.request_dial()
    assert dialer.preview.text().startswith("Still connecting to CloudDialer")
    dialer.set_ready(True)
    assert dialer.preview.text() == "Will call +91 98765 43210"
    assert dialer.dial_button.isEnabled()

    dialer.set_unavailable("The sandbox could not start on port 8080: in use")
    assert "could not start" in dialer.preview.text()
    dialer.set_ready(True)  # started after all (Settings → another port)
    assert dialer.preview.text() == "Will call +91 98765 43210"


def test_a_link_with_an_extension_says_to_ask_for_it(make_app: AppFactory) -> None:
    app = make_app()
    said: list[str] = []
    app.window.statusBar().messageChanged.connect(said.append)
    app.controller.handle_args(["tel:+919876543210;ext=12"])
    app.qtbot.waitUntil(lambda: app.window.dialer.number_edit.text() == "+91 98765 43210")
    assert any("ask for extension 12 once connected" in text for text in said)
    assert app.posts() == []  # put in the dialer, not dialled


def test_a_number_pasted_inside_direction_marks_reads_left_to_right(qtbot: QtBot) -> None:
    """WhatsApp and Outlook wrap numbers in right-to-left marks; pasted as they are, the field
    turned right-to-left and showed "43210 98765 91+". They are dropped as they arrive."""
    dialer = DialerPanel()
    qtbot.addWidget(dialer)
    dialer.show()
    QApplication.clipboard().setText("\u202b+91 98765 43210\u202c\u200f")
    dialer.number_edit.setFocus()
    qtbot.keyClick(dialer.number_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert dialer.number_edit.text() == "+91 98765 43210"
    assert dialer.number_edit.cursorPosition() == len("+91 98765 43210")
    assert dialer.preview.text() == "Will call +91 98765 43210"


def test_one_enter_after_an_unknown_outcome_asks_once_and_places_one_call(
    make_app: AppFactory,
) -> None:
    """The number field dialled on Enter, then passed the key to the dialer, which dialled
    again: two "Dial again?" questions, and answering both placed two more calls."""
    app = make_app()
    dial_with_lost_answer(app, "9876598765")
    app.qtbot.keyClick(app.window.dialer.number_edit, Qt.Key.Key_Return)
    box = wait_confirm_box(app)
    app.qtbot.wait(100)

    def questions() -> list[QMessageBox]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.objectName() == "confirmRedialBox"
                and w.isVisible()]  # fmt: skip

    assert questions() == [box]
    app.controller.shell.quick_dial.dial_requested.emit(parse_dial_number("9876598765"), "")  # type: ignore[union-attr]
    assert questions() == [box]  # another entry point meanwhile: the same question, raised
    next(b for b in box.buttons() if b.text() == "Dial again").click()
    app.qtbot.waitUntil(lambda: len(app.posts()) == 2)
    app.qtbot.wait(300)
    assert len(app.posts()) == 2
