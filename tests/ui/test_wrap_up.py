"""Wrap-up: an ended call offers its outcome and notes, saved as typed; the next call is one
keystroke away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from dialdeck.core.settings import parse_dispositions, read_settings
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_dialing import history_rows, type_and_enter
from tests.ui.test_live_call import connected_call
from tests.ui.test_settings import open_settings, save


def ended_call(app: AppHarness) -> str:
    connected_call(app)
    panel = app.window.call_panel
    assert not panel.wrap_up.isVisible()
    app.qtbot.mouseClick(panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.wait_state("Call ended")
    app.qtbot.waitUntil(panel.wrap_up.isVisible)
    assert panel.focused is not None
    return panel.focused.uuid


def test_wrap_up_saved_as_typed_and_shown_in_history(make_app: AppFactory) -> None:
    app = make_app()
    uuid = ended_call(app)
    wrap_up = app.window.call_panel.wrap_up.editor
    focus = QApplication.focusWidget()  # the wrap-up does not take the focus
    assert focus is None or not app.window.call_panel.wrap_up.isAncestorOf(focus)
    wrap_up.disposition_combo.setCurrentText("Call back")
    app.qtbot.keyClicks(wrap_up.notes_edit, "Wants the premium plan")
    app.qtbot.waitUntil(
        lambda: (
            (history_rows(app)[-1]["notes"], history_rows(app)[-1]["disposition"])
            == ("Wants the premium plan", "Call back")
        )
    )
    assert history_rows(app)[-1]["uuid"] == uuid
    history = app.controller.history_tab.history_view  # type: ignore[union-attr]
    app.qtbot.waitUntil(
        lambda: any(
            history.model.row_at(r).disposition == "Call back"
            for r in range(history.model.rowCount())
        )
    )
    # The next call: Ctrl+L, a number, Enter.
    app.qtbot.keyClick(app.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is app.window.dialer.number_edit
    type_and_enter(app, "9123456789")
    app.qtbot.waitUntil(lambda: app.window.call_panel.number_label.text() == "+91 91234 56789")
    app.qtbot.waitUntil(lambda: not app.window.call_panel.wrap_up.isVisible())


def test_wrap_up_typed_just_before_quit_is_saved(make_app: AppFactory) -> None:
    app = make_app()
    ended_call(app)
    wrap_up = app.window.call_panel.wrap_up.editor
    wrap_up.disposition_combo.setCurrentText("Sale")
    app.qtbot.keyClicks(wrap_up.notes_edit, "Last words")
    app.shutdown()  # no pause
    row = history_rows(app)[-1]
    assert (row["notes"], row["disposition"]) == ("Last words", "Sale")


def test_dispositions_are_configured_in_settings(make_app: AppFactory) -> None:
    app = make_app()
    dialog = open_settings(app)
    assert dialog.dispositions_edit.text().startswith("Interested, Call back")
    dialog.dispositions_edit.setText("Sale, No sale,, sale ,  Follow   up")
    save(dialog)
    combo = app.window.call_panel.wrap_up.editor.disposition_combo
    app.qtbot.waitUntil(lambda: combo.count() == 4)
    assert [combo.itemText(i) for i in range(combo.count())] == ["", "Sale", "No sale", "Follow up"]
    history = app.controller.history_tab.history_view  # type: ignore[union-attr]
    assert history.disposition_combo.findText("No sale") >= 0
    app.qtbot.waitUntil(
        lambda: (
            read_settings(app.paths.settings_file).settings.dispositions
            == ["Sale", "No sale", "Follow up"]
        )
    )


def test_parse_dispositions() -> None:
    assert parse_dispositions(" a ,b,, A, c  d ") == ["a", "b", "c d"]
    assert parse_dispositions(" , ") == []


def test_redialling_a_recent_number_says_when_and_how_it_went(make_app: AppFactory) -> None:
    app = make_app()
    dialer = app.window.dialer
    app.window.dialer.ring_time_spin.setValue(5)
    type_and_enter(app, "9876540000")  # no answer
    app.wait_state("The customer did not answer")
    app.qtbot.waitUntil(lambda: history_rows(app)[-1]["call_status"] == "NO_ANSWER")
    app.qtbot.keyClicks(dialer.number_edit, "+91 98765 40000")
    app.qtbot.waitUntil(lambda: "called moments ago: no answer" in dialer.preview.text())
    assert dialer.preview.text().startswith("Will call +91 98765 40000")
    dialer.clear()
    app.qtbot.keyClicks(dialer.number_edit, "9876543210")  # never called
    app.qtbot.wait(600)
    assert dialer.preview.text() == "Will call +91 98765 43210"


def test_wrap_up_shows_notes_typed_in_history_during_the_call(make_app: AppFactory) -> None:
    """Notes written in History while the call ran are shown in the wrap-up, never blanked."""
    from dialdeck.core.store import HistoryStore

    app = make_app()
    connected_call(app)
    panel = app.window.call_panel
    assert panel.focused is not None
    uuid = panel.focused.uuid
    task = app.controller.tasks.spawn(
        app.controller.history.run(HistoryStore.set_notes, uuid, "Asked for a quote", "Interested")
    )
    app.qtbot.waitUntil(task.done)
    app.qtbot.mouseClick(panel.hangup_customer_button, Qt.MouseButton.LeftButton)
    app.wait_state("Call ended")
    wrap_up = panel.wrap_up.editor
    app.qtbot.waitUntil(lambda: wrap_up.notes_edit.toPlainText() == "Asked for a quote")
    assert wrap_up.disposition_combo.currentText() == "Interested"
    app.qtbot.keyClicks(wrap_up.notes_edit, " by Friday")
    app.qtbot.waitUntil(lambda: history_rows(app)[-1]["notes"] == "Asked for a quote by Friday")
