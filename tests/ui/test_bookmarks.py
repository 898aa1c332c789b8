"""Bookmarks: Ctrl+B puts the cursor in the note (typing never reaches the list's type-ahead),
Enter saves it at the moment Ctrl+B was pressed; F2 or a double-click edits; Delete removes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from dialdeck.core import library
from tests.ui.conftest import AppFactory
from tests.ui.test_library import generated_wav, import_and_wait, lib, library_rows


def test_ctrl_b_types_a_note_then_edit_and_delete(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    controller = lib(app)
    import_and_wait(
        app,
        [generated_wav(tmp_path / "a.wav", 16, seconds=3), generated_wav(tmp_path / "p.wav", 16)],
    )
    view = controller.library_view
    app.window.show_tab(view)
    app.qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    row = next(r for r in range(2) if view.model.row_at(r).title == "a")
    view.table.selectRow(row)
    selected = view.model.row_at(row).id
    view.table.setFocus()
    widget = view.player_widget
    app.qtbot.waitUntil(lambda: controller.player.duration > 0, timeout=10_000)
    controller.player.seek(1500)
    app.qtbot.waitUntil(lambda: controller.player.position >= 1400)

    app.qtbot.keyClick(view.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is widget.bookmark_edit
    app.qtbot.keyClicks(QApplication.focusWidget(), "price question")  # "p" would pick p.wav
    assert widget.bookmark_edit.text() == "price question"
    assert view.model.row_at(view.table.currentIndex().row()).id == selected
    app.qtbot.keyClick(widget.bookmark_edit, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: widget.bookmarks.count() == 1)
    assert widget.bookmarks.item(0).text() == "0:01  price question"

    # F2 edits the note only (not the time in front of it); Enter saves it.
    widget.bookmarks.setCurrentRow(0)
    widget.bookmarks.setFocus()
    app.qtbot.keyClick(widget.bookmarks, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "price question"
    editor.selectAll()
    app.qtbot.keyClicks(editor, "asked for a discount")
    app.qtbot.keyClick(editor, Qt.Key.Key_Return)
    app.qtbot.waitUntil(
        lambda: (
            widget.bookmarks.count() == 1
            and widget.bookmarks.item(0).text() == "0:01  asked for a discount"
        )
    )
    marks = app.controller.tasks.spawn(app.controller.history.run(library.bookmarks, selected))
    app.qtbot.waitUntil(marks.done)
    assert [m.text for m in marks.result()] == ["asked for a discount"]

    widget.bookmarks.setCurrentRow(0)
    widget.bookmarks.setFocus()
    app.qtbot.keyClick(widget.bookmarks, Qt.Key.Key_Delete)
    app.qtbot.waitUntil(lambda: widget.bookmarks.count() == 0)
    app.qtbot.waitUntil(lambda: all(r.bookmarks == 0 for r in library_rows(app)))


def test_ctrl_f_goes_to_the_search_of_the_tab_in_view(make_app: AppFactory) -> None:
    app = make_app()
    history = app.controller.history_tab.history_view  # type: ignore[union-attr]
    recordings = lib(app).library_view
    app.window.show_tab(history)
    history.table.setFocus()
    app.qtbot.keyClick(history.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is history.search_edit
    app.window.show_tab(recordings)
    recordings.table.setFocus()
    app.qtbot.keyClick(recordings.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is recordings.search_edit
