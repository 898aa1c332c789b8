"""macOS hands a clicked ``tel:``/``callto:`` link to the app bundle as an Apple Event, which Qt
delivers to the application object as a :class:`QFileOpenEvent` (at launch and while running),
not on the command line.

:class:`LinkAwareApplication` passes each such link to the same handler as a command-line number;
links that arrive before the handler is connected (the one that launched the app) are kept until
then. Harmless elsewhere: no other OS sends these events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication


class LinkOpener:
    def __init__(self) -> None:
        self.pending: list[str] = []
        self._handler: Callable[[list[str]], None] | None = None

    def connect_handler(self, handler: Callable[[list[str]], None]) -> None:
        self._handler = handler
        pending, self.pending = self.pending, []
        for link in pending:
            handler([link])

    def handle(self, event: QEvent) -> bool:
        """True if ``event`` was a link (or file) to open, now taken care of."""
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        url = event.url()
        link = event.file() if url.isLocalFile() else url.toString()
        if not link:
            return False
        if self._handler is None:
            self.pending.append(link)
        else:
            self._handler([link])
        return True


class LinkAwareApplication(QApplication):
    """QApplication whose own events (not every widget's) are checked for opened links."""

    def __init__(self, argv: Sequence[str]) -> None:
        super().__init__(list(argv))
        self.links = LinkOpener()

    def event(self, event: QEvent) -> bool:
        if self.links.handle(event):
            return True
        return super().event(event)
