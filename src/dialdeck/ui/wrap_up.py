"""Wrap-up: once a call ends, its disposition and notes, right under it in the call panel.

Saved as typed by the same :class:`NotesEditor` as History's (debounced, pending text survives
switching calls, flushed at quit). Nothing here takes the focus: the agent's next call stays one
keystroke away (Enter in the dialer dials, Ctrl+L goes back to the number).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QWidget

from dialdeck.core.dispositions import DEFAULT_DISPOSITIONS
from dialdeck.ui.notes_editor import NotesEditor

if TYPE_CHECKING:
    from dialdeck.core.calls import TrackedCall


class WrapUpBox(QGroupBox):
    """Shown for an ended call that was placed (it has a history entry)."""

    notes_wanted = Signal(str)  # call uuid: what is stored for it, please (see :meth:`load`)

    def __init__(
        self, dispositions: Sequence[str] = DEFAULT_DISPOSITIONS, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wrapUpBox")
        self.setTitle(self.tr("Wrap-up: saved as you type"))
        self.editor = NotesEditor(["", *dispositions], self)
        self.editor.notes_edit.setObjectName("wrapUpNotes")
        self.editor.notes_edit.setMaximumHeight(90)
        self.editor.disposition_combo.setObjectName("wrapUpDisposition")
        # The last text saved per call: showing that call again shows what was typed.
        self._saved: dict[str, tuple[str, str]] = {}
        self.editor.save_requested.connect(self._remember)
        form = QFormLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.editor.disposition_combo, 1)
        top.addWidget(self.editor.state_label)
        form.addRow(self.tr("Outcome"), top)
        form.addRow(self.tr("Notes"), self.editor.notes_edit)
        self.hide()

    def show_for(self, call: TrackedCall | None) -> None:
        ended = call is not None and call.is_over and call.info is not None and bool(call.uuid)
        if not ended:
            self.editor.show_call(None, "", "")
            self.hide()
            return
        assert call is not None
        if call.uuid != self.editor.uuid:
            known = self._saved.get(call.uuid)
            self.editor.show_call(call.uuid, *(known or ("", "")))
            if known is None:
                self.notes_wanted.emit(call.uuid)
        self.show()

    def load(self, uuid: str, notes: str, disposition: str) -> None:
        """Notes already stored for the call (typed in History meanwhile): shown, unless the agent
        has started typing here, so a wrap-up never overwrites them with an empty field."""
        if uuid in self._saved or uuid in self.editor.pending:
            return
        self._saved[uuid] = (notes, disposition)
        if self.editor.uuid == uuid:
            self.editor.show_call(uuid, notes, disposition)

    def _remember(self, uuid: str, notes: str, disposition: str) -> None:
        self._saved[uuid] = (notes, disposition)
