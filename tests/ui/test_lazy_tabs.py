"""History, Recordings and Contacts are built when first opened, and then show everything that
happened before: calls, downloads, imports, names and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QSplitter

from dialdeck.core.library import RecState
from dialdeck.core.paths import AppPaths
from dialdeck.core.settings import Settings, save_settings
from dialdeck.ui.contacts_tab_controller import ContactsTab
from dialdeck.ui.lazy_page import LazyPage
from dialdeck.ui.widgets import column_menu
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_contacts import contacts_file, import_contacts
from tests.ui.test_dialing import type_and_enter
from tests.ui.test_library import generated_wav, hist, import_and_wait, lib


def contacts(app: AppHarness) -> ContactsTab:
    assert app.controller.contacts_tab is not None
    return app.controller.contacts_tab


def pages(app: AppHarness) -> list[LazyPage]:
    return [hist(app).page, lib(app).page, contacts(app).page]


def switch_tab(app: AppHarness, number: int) -> None:
    """Ctrl+number, as the agent would (a message box closed earlier took the activation)."""
    app.window.activateWindow()
    app.qtbot.waitUntil(app.window.isActiveWindow)
    app.qtbot.keyClick(
        app.window.dialer.number_edit,
        Qt.Key(Qt.Key.Key_0 + number),
        Qt.KeyboardModifier.ControlModifier,
    )
    assert app.window.tabs.currentIndex() == number - 1


def test_tabs_are_built_when_opened_and_show_what_happened_before(
    make_app: AppFactory, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    paths = AppPaths.resolve(home)
    paths.ensure()
    save_settings(paths.settings_file, Settings(dispositions=["Sale", "No sale"]))
    app = make_app(home)
    assert [page.content for page in pages(app)] == [None, None, None]
    assert [app.window.tabs.tabText(i) for i in range(4)] == [
        "Call",
        "History",
        "Recordings",
        "Contacts",
    ]
    import_contacts(app, contacts_file(tmp_path)).close()

    # A whole call, its recording downloaded and announced, with no tab ever opened.
    saved = call_until_saved(app)
    assert saved[1] == "Call with Asha Rao (Acme) (+91 98765 43210)"  # without the view
    assert [page.content for page in pages(app)] == [None, None, None]

    switch_tab(app, 2)
    history = hist(app).page.content
    assert history is hist(app).history_view and history.isVisible()
    app.qtbot.waitUntil(lambda: history.model.rowCount() == 1)
    assert "Asha Rao" in str(history.model.index(0, 1).data())  # the Number column
    combo = history.disposition_combo  # the settings' list, read before the tab existed
    assert [combo.itemText(i) for i in range(combo.count())] == ["", "Sale", "No sale"]

    switch_tab(app, 3)
    recordings = lib(app).library_view
    assert lib(app).page.content is recordings and recordings.isVisible()
    app.qtbot.waitUntil(lambda: recordings.model.rowCount() == 1)
    row = recordings.model.row_at(0)
    assert row.state == RecState.LOCAL
    assert recordings.title_for(row) == "Call with Asha Rao (Acme) (+91 98765 43210)"

    switch_tab(app, 4)
    view = contacts(app).view
    assert contacts(app).page.content is view
    app.qtbot.waitUntil(lambda: view.model.rowCount() == 3)  # "Broken" shown, not dialable


def call_until_saved(app: AppHarness) -> list[object]:
    """A sandbox call with its recording, until "Recording saved": (recording id, title)."""
    with app.qtbot.waitSignal(lib(app).recording_saved, timeout=20_000) as saved:
        type_and_enter(app, "9876543210")
        app.wait_state("Connected")
        app.qtbot.wait(600)
        app.qtbot.mouseClick(
            app.window.call_panel.hangup_customer_button, Qt.MouseButton.LeftButton
        )
    return list(saved.args or [])


def test_play_from_history_selects_the_recording_in_a_tab_never_opened(
    make_app: AppFactory,
) -> None:
    app = make_app()
    call_until_saved(app)
    switch_tab(app, 2)
    history = hist(app).history_view
    app.qtbot.waitUntil(lambda: history.model.rowCount() == 1)
    history.table.selectRow(0)
    app.qtbot.mouseClick(history.play_button, Qt.MouseButton.LeftButton)
    recordings = lib(app).library_view
    assert app.window.tabs.currentWidget() is lib(app).page
    # Listed a moment later: then selected, so the row's actions apply to what plays.
    app.qtbot.waitUntil(lambda: recordings.table.currentIndex().row() == 0)
    assert recordings.export_button.isEnabled() and recordings.delete_button.isEnabled()
    app.qtbot.waitUntil(lambda: recordings.player_widget.play_button.isEnabled())


def test_clicking_recording_saved_shows_it_ready_to_play(make_app: AppFactory) -> None:
    app = make_app()
    tray = app.controller.shell.tray
    assert tray is not None
    shown: list[tuple[str, str]] = []
    tray.notify = lambda title, text: shown.append((title, text))  # type: ignore[method-assign]
    call_until_saved(app)
    app.qtbot.waitUntil(lambda: ("Recording saved", "Call with +91 98765 43210") in shown)
    app.window.showMinimized()
    tray.icon.messageClicked.emit()
    recordings = lib(app).library_view
    assert app.window.tabs.currentWidget() is lib(app).page
    app.qtbot.waitUntil(lambda: not app.window.isMinimized())
    app.qtbot.waitUntil(lambda: recordings.table.currentIndex().row() == 0)
    app.qtbot.waitUntil(lambda: recordings.player_widget.play_button.isEnabled())
    assert recordings.player_widget.play_button.text() == "Play"  # ready, not playing
    tray.icon.messageClicked.emit()  # a second click does nothing more


@pytest.mark.parametrize("shown_first", [False, True], ids=["listed-then-shown", "shown-empty"])
def test_first_rows_fit_their_columns(
    make_app: AppFactory, tmp_path: Path, shown_first: bool
) -> None:
    """Rows arriving in a table built a moment ago, or in one showing "No recordings yet", have
    their dates, sizes and states whole (Qt did not fit those columns to them)."""
    app = make_app()
    if shown_first:
        switch_tab(app, 3)
    assert import_and_wait(app, [generated_wav(tmp_path / "call.wav", 16, 2.0)])[0] == 1
    app.window.show_tab(lib(app).page)
    table = lib(app).library_view.table
    app.qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    header = table.horizontalHeader()
    fitted = [
        column
        for column in range(header.count())
        if header.sectionResizeMode(column) is QHeaderView.ResizeMode.ResizeToContents
    ]
    assert fitted
    for column in fitted:
        assert header.sectionSize(column) >= table.sizeHintForColumn(column), column


def test_quitting_never_builds_a_tab(make_app: AppFactory) -> None:
    app = make_app()
    app.shutdown()
    assert [page.content for page in pages(app)] == [None, None, None]


def test_a_page_holds_one_view(make_app: AppFactory) -> None:
    app = make_app()
    view = hist(app).history_view  # asked for by code: built and placed in its page
    assert hist(app).page.content is view
    assert hist(app).history_view is view
    app.window.show_tab(view)
    assert app.window.tabs.currentWidget() is hist(app).page


def test_the_window_and_each_tab_open_as_the_agent_left_them(
    make_app: AppFactory, tmp_path: Path
) -> None:
    """Size, the call splitter and History's columns (a tab built after start-up) come back at
    the next start; Recordings, never opened in between, keeps its own."""
    home = tmp_path / "home"
    first = make_app(home)
    first.window.resize(720, 500)
    splitter = first.window.findChild(QSplitter, "callSplitter")
    assert splitter is not None
    splitter.setSizes([300, 420])
    call_sizes = splitter.sizes()
    first.window.show_tab(lib(first).library_view)
    lib(first).library_view.findChild(QSplitter, "recordingsSplitter").setSizes([150, 300])
    recordings_sizes = lib(first).library_view.findChild(QSplitter, "recordingsSplitter").sizes()
    first.window.show_tab(hist(first).history_view)
    hist(first).history_view.table.horizontalHeader().resizeSection(1, 260)
    first.shutdown()

    second = make_app(home)
    assert (second.window.width(), second.window.height()) == (720, 500)
    assert second.window.findChild(QSplitter, "callSplitter").sizes() == call_sizes
    second.window.show_tab(hist(second).history_view)
    assert hist(second).history_view.table.horizontalHeader().sectionSize(1) == 260
    second.shutdown()  # Recordings was never opened: what it had is kept

    third = make_app(home)
    third.window.show_tab(lib(third).library_view)
    found = lib(third).library_view.findChild(QSplitter, "recordingsSplitter")
    assert found.sizes() == recordings_sizes


def test_history_columns_can_be_shown_and_hidden_and_stay_so(
    make_app: AppFactory, tmp_path: Path
) -> None:
    """Caller ID and Legs start hidden (the table fits a 1000 px window); the header's menu
    shows them, and the choice is kept at the next start."""
    home = tmp_path / "home"
    first = make_app(home)
    view = hist(first).history_view
    first.window.show_tab(view)
    header = view.table.horizontalHeader()
    assert header.isSectionHidden(2) and header.isSectionHidden(5)  # Caller ID, Legs
    menu = column_menu(view.table, always=2)
    titles = [action.text() for action in menu.actions()]
    assert titles[:2] == ["Caller ID", "Outcome"] and "When" not in titles
    caller_id = menu.actions()[0]
    assert not caller_id.isChecked()
    caller_id.trigger()
    assert not header.isSectionHidden(2)
    first.shutdown()

    second = make_app(home)
    view = hist(second).history_view
    second.window.show_tab(view)
    assert not view.table.horizontalHeader().isSectionHidden(2)
    assert view.table.horizontalHeader().isSectionHidden(5)
