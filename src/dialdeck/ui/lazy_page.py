"""A tab page whose view is built the first time it is shown, or asked for.

History, Recordings and Contacts are not needed to place a call: building them (their modules,
tables, player and the Qt types behind them) when the agent first opens them keeps start-up
shorter and the idle app smaller. Their controllers work without them (downloads, history
writes); see ``*_controller.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

View = TypeVar("View", bound=QWidget)


class LazyPage(QWidget):
    """The tab's page: empty until its first show asks ``fill`` for the view."""

    def __init__(self, name: str, fill: Callable[[], object]) -> None:
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


class LazyView(Generic[View]):
    """A controller's view, built once (by the page's first show or by code asking for it) and
    held by its page, so both always mean the same widget."""

    def __init__(self, name: str, build: Callable[[], View]) -> None:
        self._build = build
        self.built: View | None = None
        self.page = LazyPage(name, self.get)

    def get(self) -> View:
        if self.built is None:
            self.built = self._build()
            self.page.hold(self.built)
        return self.built
