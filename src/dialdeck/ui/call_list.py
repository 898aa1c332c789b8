"""The call panel's list of this session's calls: newest first, bounded, O(1) by call id.

An agent places a hundred calls a day; the list keeps every live call and the most recent
:data:`KEEP_ENDED` ended ones (older calls are in History), so neither memory nor the work done on
each poll grows through the day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from dialdeck.ui.widgets import elide_long_items

if TYPE_CHECKING:
    from dialdeck.core.calls import TrackedCall

KEEP_ENDED = 20


class CallList(QListWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        elide_long_items(self)
        self.calls: dict[str, TrackedCall] = {}  # in the order they were first seen
        self._items: dict[str, QListWidgetItem] = {}

    def upsert(self, call: TrackedCall, text: str) -> bool:
        """Show ``call`` with ``text``; True when it is new (put on top)."""
        new = call.call_id not in self.calls
        self.calls[call.call_id] = call
        if new:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, call.call_id)
            self.insertItem(0, item)
            self._items[call.call_id] = item
        self._items[call.call_id].setText(text)
        self._items[call.call_id].setToolTip(text)
        return new

    def set_text(self, call_id: str, text: str) -> None:
        if (item := self._items.get(call_id)) is not None:
            item.setText(text)
            item.setToolTip(text)

    def select(self, call_id: str) -> None:
        item = self._items.get(call_id)
        if item is not None and self.currentItem() is not item:
            self.setCurrentItem(item)

    def prune(self, keep: str | None, keep_ended: int = KEEP_ENDED) -> list[str]:
        """Forget ended calls beyond the newest ``keep_ended`` (never ``keep``, the one in view)."""
        ended = [cid for cid, call in self.calls.items() if call.is_over and cid != keep]
        dropped = ended[: max(0, len(ended) - keep_ended)]  # oldest first
        for call_id in dropped:
            del self.calls[call_id]
            item = self._items.pop(call_id)
            self.takeItem(self.row(item))
        return dropped
