"""Opening local storage at start-up so that nothing about it can stop Dialdeck.

Folders that cannot be written, a log that cannot be opened, a damaged or read-only history: each
becomes a sentence for the agent, and the app starts anyway (see ``store.open_history``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass, field

from dialdeck.core.paths import AppPaths
from dialdeck.core.store import AsyncHistory, HistoryStore

log = logging.getLogger("dialdeck.startup")


@dataclass
class StorageReport:
    notices: list[str] = field(default_factory=list)  # what the agent must be told
    interrupted: int = 0  # calls left "placing" by a crash: now "outcome unknown"


async def open_storage(
    paths: AppPaths, history: AsyncHistory, log_problem: str | None = None
) -> StorageReport:
    report = StorageReport()
    if unwritable := await asyncio.to_thread(paths.ensure):
        lines = "\n".join(f"• {line}" for line in unwritable)
        report.notices.append(f"Dialdeck cannot write to these folders:\n{lines}")
    if log_problem:
        report.notices.append(f"The log cannot be written ({log_problem}).")
    if history_notice := await history.open():
        report.notices.append(history_notice)
    try:
        report.interrupted = await history.run(HistoryStore.recover_interrupted)
    except (sqlite3.Error, OSError) as exc:  # read-only history: nothing can be marked
        log.warning("could not mark interrupted calls: %s", exc)
    return report
