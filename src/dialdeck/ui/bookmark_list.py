"""The bookmarks of the recording in the player: click to jump, double-click or F2 to edit the
note, Delete to remove. Edits go out as requests; the list is redrawn from the store."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QWidget,
)

from dialdeck.core.library import Bookmark
from dialdeck.ui.describe import clock
from dialdeck.ui.widgets import elide_long_items

POSITION_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
NOTE_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class NoteDelegate(QStyledItemDelegate):
    """Edits only the note (not the "0:05" in front of it) and reports it, not writing it."""

    edited = Signal(int, str)  # bookmark id, new text

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(NOTE_ROLE) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if not isinstance(editor, QLineEdit):
            return
        text = editor.text().strip()
        if text and text != index.data(NOTE_ROLE):
            self.edited.emit(int(index.data(ID_ROLE)), text)


class BookmarkList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note_delegate = NoteDelegate(self)
        elide_long_items(self)
        self.setItemDelegate(self.note_delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed  # F2
        )

    def set_bookmarks(self, bookmarks: list[Bookmark]) -> None:
        self.clear()
        for mark in bookmarks:
            item = QListWidgetItem(f"{clock(mark.position_ms / 1000)}  {mark.text}")
            item.setData(POSITION_ROLE, mark.position_ms)
            item.setData(ID_ROLE, mark.id)
            item.setData(NOTE_ROLE, mark.text)
            item.setToolTip(mark.text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.addItem(item)
