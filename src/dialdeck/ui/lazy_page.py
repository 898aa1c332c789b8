"""A tab page whose content is built the first time it is shown, or asked for.

History, Recordings and Contacts are not needed to place a call: building them (their modules,
tables, player and the Qt types behind them) when the agent first opens them keeps start-up
shorter and the idle app smaller. Their controllers work without them (downloads, history
writes); see ``*_controller.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyPage(QWidget):
    def __init__(self, name: str, fill: Callable[[], object]) -> None:
        """``fill`` builds the content and hands it to :meth:`hold` (a controller's view
        property: code that asks the controller for its view gets the same one)."""
        super().__init__()
        self.setObjectName(name)
        self._fill = fill
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.content: QWidget | None = None

    def hold(self, content: QWidget) -> None:
        if self.content is not None:
            raise RuntimeError(f"{self.objectName()} already holds its content")
        self.content = content
        self._layout.addWidget(content)
        self.setFocusProxy(content)
        if self.isVisible():  # being shown: now, not an event later (no empty frame)
            content.show()

    def showEvent(self, event: QShowEvent) -> None:
        if self.content is None:
            self._fill()
        super().showEvent(event)
