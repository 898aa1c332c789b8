"""The redial hint: "called 4 min ago: no answer" under a number the agent dialled recently.

Looked up in the history on the store's thread once the number in the dialer settles (the
dialer debounces); a newer number cancels an older lookup (:meth:`Tasks.latest`), so a slow
answer for a number no longer shown never lands.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QObject, Signal

from dialdeck.core.history import last_call_to, outcome_label
from dialdeck.core.numbers import DialNumber
from dialdeck.core.store import AsyncHistory
from dialdeck.ui.describe import ago
from dialdeck.ui.tasks import Tasks

log = logging.getLogger("dialdeck.recent_call")
RECENT = timedelta(minutes=15)


class RecentCallLookup(QObject):
    found = Signal(str, str)  # national number, hint ("" when nothing recent)

    def __init__(self, history: AsyncHistory, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history, self.tasks = history, tasks

    def look_up(self, number: DialNumber) -> None:
        self.tasks.latest("recent call", self._look_up(number.national))

    async def _look_up(self, national: str) -> None:
        now = datetime.now(UTC)
        try:
            row = await self.history.run(last_call_to, national, now - RECENT)
        except (sqlite3.Error, OSError, RuntimeError) as exc:  # not open (yet), or closed: no hint
            log.info("recent-call lookup failed: %s", exc)
            return
        if row is None:
            self.found.emit(national, "")
            return
        when = ago((now - row.placed_at).total_seconds())
        self.found.emit(
            national, self.tr("called {when}").format(when=when) + f": {outcome_label(row)}"
        )
