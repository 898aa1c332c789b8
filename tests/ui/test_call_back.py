"""Call back: from a History row, and from the notification of a missed call (no answer, busy)."""

from __future__ import annotations

from pathlib import Path

from dialdeck.core.paths import AppPaths
from dialdeck.core.store import HistoryStore
from dialdeck.ui.history_view import HistoryView
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_dialing import type_and_enter, wait_confirm_box


def seeded(tmp_path: Path, *, unknown: bool = False) -> Path:
    home = tmp_path / "home"
    store = HistoryStore(AppPaths.resolve(home).history_db)
    store.record_placing(
        uuid="u-1", to_number="9876543210", from_number="919800000000", agent="a", sandbox=True
    )
    if not unknown:  # placing left as it is = the app died mid-request: outcome unknown
        store.mark_placed("u-1", "c-1")
        store.db.execute("UPDATE calls SET state = 'ended', call_status = 'NO_ANSWER'")
    store.close()
    return home


def history(app: AppHarness) -> HistoryView:
    view = app.controller.history_tab.history_view  # type: ignore[union-attr]
    app.window.show_tab(view)
    app.qtbot.waitUntil(lambda: view.model.rowCount() >= 1)
    view.table.selectRow(0)
    return view


def test_call_back_from_a_history_row_dials_through_the_one_entry_point(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(seeded(tmp_path))
    view = history(app)
    menu_pos = view.table.visualRect(view.model.index(0, 1)).center()
    menu = app.controller.history_tab.row_menu_at(menu_pos)  # type: ignore[union-attr]
    assert menu is not None and [a.text() for a in menu.actions()] == ["Call back"]
    assert menu.actions()[0].shortcut().toString() == "Ctrl+Return"  # also from the keyboard
    menu.actions()[0].trigger()
    menu.close()
    # The same rules as every dial: a second request while the first is in flight places nothing.
    app.controller.history_tab.call_back_selected()  # type: ignore[union-attr]
    app.qtbot.waitUntil(lambda: len(app.posts()) == 1)
    assert app.posts()[0]["body"]["to_number"] == "9876543210"
    assert app.window.tabs.currentIndex() == 0  # the call is followed where calls are shown
    app.wait_state("Connected")
    app.qtbot.wait(200)
    assert len(app.posts()) == 1


def test_call_back_of_a_call_whose_outcome_is_unknown_asks_first(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(seeded(tmp_path, unknown=True))
    history(app)
    app.controller.history_tab.call_back_selected()  # type: ignore[union-attr]
    wait_confirm_box(app).reject()
    assert app.posts() == []


def test_clicking_a_missed_call_notification_offers_the_number_in_quick_dial(
    make_app: AppFactory,
) -> None:
    app = make_app()
    shell = app.controller.shell
    tray = shell.tray
    assert tray is not None
    seen: list[tuple[str, str]] = []
    tray.notify = lambda title, text: seen.append((title, text))  # type: ignore[method-assign]
    type_and_enter(app, "9876540000")  # the sandbox's "customer does not answer"
    app.qtbot.waitUntil(
        lambda: any("Click to call back" in text for _, text in seen), timeout=15_000
    )
    tray.icon.messageClicked.emit()
    box = shell.quick_dial
    assert box is not None
    app.qtbot.waitUntil(box.isVisible)
    assert box.number_edit.text() == "+91 98765 40000"
    assert len(app.posts()) == 1  # offered, not dialled: Enter in Quick dial dials
    box.hide()
    tray.icon.messageClicked.emit()  # once only
    shell.notify("Recording saved", "Call with …")  # another notification: its click offers nothing
    tray.icon.messageClicked.emit()
    assert not box.isVisible()
