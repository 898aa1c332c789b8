"""Notes and disposition of one call, saved as they are typed: typed text is never lost.

Edits are saved after a short pause (debounced), when another call is selected, and on
:meth:`flush` (the app quitting). A save that fails (disk full, read-only) keeps the text
pending and is retried; the editor says so. A refresh of the same call while the agent types
never overwrites the editor.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QWidget

SAVE_AFTER_MS = 700
RETRY_AFTER_MS = 5_000


class NotesEditor(QWidget):
    """Owns the notes field and the disposition box (laid out by its parent)."""

    save_requested = Signal(str, str, str)  # uuid, notes, disposition

    def __init__(self, dispositions: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hide()  # a logic holder: its two fields are placed in the parent's form
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)  # Tab leaves (keyboard use); a note has no tabs
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setAccessibleName(self.tr("Call notes"))
        self.notes_edit.setPlaceholderText(self.tr("What was agreed, what to do next…"))
        self.disposition_combo = QComboBox()
        self.disposition_combo.setObjectName("dispositionCombo")
        self.disposition_combo.setAccessibleName(self.tr("Disposition"))
        self.disposition_combo.setEditable(True)
        self.disposition_combo.addItems(dispositions)
        self.state_label = QLabel()
        self.state_label.setObjectName("notesStateLabel")
        self.uuid: str | None = None
        # Saves not yet confirmed, newest text per call: survives selecting another call.
        self.pending: dict[str, tuple[str, str]] = {}
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self.notes_edit.textChanged.connect(self._edited)
        self.disposition_combo.currentTextChanged.connect(self._edited)

    def set_dispositions(self, dispositions: Sequence[str]) -> None:
        """A new list from Settings; what the field shows now stays (and is not an edit)."""
        current = self.disposition_combo.currentText()
        self._loading = True
        try:
            self.disposition_combo.clear()
            self.disposition_combo.addItems(["", *dispositions])
            self.disposition_combo.setCurrentText(current)
        finally:
            self._loading = False

    def show_call(self, uuid: str | None, notes: str, disposition: str) -> None:
        """Load a call; the same call reloaded while it has unsaved text keeps the text."""
        if uuid is not None and uuid == self.uuid and uuid in self.pending:
            return
        self.flush()
        self.uuid = uuid
        notes, disposition = self.pending.get(uuid or "", (notes, disposition))
        self._loading = True
        try:
            self.notes_edit.setPlainText(notes)
            self.notes_edit.moveCursor(QTextCursor.MoveOperation.End)  # typing adds, not prefixes
            self.disposition_combo.setCurrentText(disposition)
        finally:
            self._loading = False
        self._say("")

    def flush(self) -> None:
        """Send every pending save now."""
        self._timer.stop()
        for uuid, (notes, disposition) in list(self.pending.items()):
            self.save_requested.emit(uuid, notes, disposition)

    def saved(self, uuid: str, notes: str, disposition: str) -> None:
        """The store confirmed a save; newer text typed meanwhile stays pending."""
        if self.pending.get(uuid) == (notes, disposition):
            del self.pending[uuid]
        if uuid == self.uuid and uuid not in self.pending:
            self._say(self.tr("Saved"))

    def save_failed(self, uuid: str, reason: str) -> None:
        if uuid == self.uuid:
            self._say(self.tr("Not saved yet ({reason}): retrying").format(reason=reason))
        self._timer.start(RETRY_AFTER_MS)

    def _edited(self, *_args: object) -> None:
        if self._loading or self.uuid is None:
            return
        self.pending[self.uuid] = (
            self.notes_edit.toPlainText(),
            self.disposition_combo.currentText(),
        )
        self._say(self.tr("Editing…"))
        self._timer.start(SAVE_AFTER_MS)

    def _say(self, text: str) -> None:
        self.state_label.setText(text)
