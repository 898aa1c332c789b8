"""Local call history in SQLite: every call is written the moment it is placed.

Crash safety: WAL journal with ``synchronous=FULL``; each change is one transaction. A call whose
answer never came back (the app died mid-request) is found at the next start and marked as
"outcome unknown" rather than silently dropped.

All access goes through one worker thread (:class:`AsyncHistory`), so the GUI thread never waits
on disk and SQLite's connection stays on the thread that made it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from dialdeck.core.api.models import CallInfo
from dialdeck.core.schema import FTS_TABLE, MIGRATIONS, apply

__all__ = ["MIGRATIONS", "AsyncHistory", "CallRecord", "CallState", "HistoryStore"]

T = TypeVar("T")


class CallState(StrEnum):
    PLACING = "placing"  # request sent, no answer yet
    LIVE = "live"  # accepted; being followed
    ENDED = "ended"
    NOT_PLACED = "not_placed"  # CloudDialer refused (4xx/5xx) or we could not reach it
    UNKNOWN = "unknown"  # the request went out but its answer never came back


@dataclass(frozen=True)
class CallRecord:
    id: int
    uuid: str
    call_id: str | None
    to_number: str
    from_number: str
    agent: str
    sandbox: bool
    placed_at: datetime
    state: CallState
    call_status: str | None
    start_time: str | None
    end_time: str | None
    duration: int | None
    legs: list[dict[str, str]]
    recording_url: str | None
    error: str | None
    notes: str
    disposition: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CallRecord:
        try:
            legs = json.loads(row["legs"])
        except ValueError:
            legs = []
        return cls(
            id=row["id"],
            uuid=row["uuid"],
            call_id=row["call_id"],
            to_number=row["to_number"],
            from_number=row["from_number"],
            agent=row["agent"],
            sandbox=bool(row["sandbox"]),
            placed_at=datetime.fromisoformat(row["placed_at"]),
            state=CallState(row["state"]),
            call_status=row["call_status"],
            start_time=row["start_time"],
            end_time=row["end_time"],
            duration=row["duration"],
            legs=legs if isinstance(legs, list) else [],
            recording_url=row["recording_url"],
            error=row["error"],
            notes=row["notes"],
            disposition=row["disposition"],
        )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


class HistoryStore:
    """Synchronous store; use from one thread (see :class:`AsyncHistory`)."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only:
            # immutable: no -shm/-wal needed, so a folder we cannot write to is still readable.
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            try:
                self.db.row_factory = sqlite3.Row
                self.db.execute("PRAGMA quick_check(1)").fetchone()  # fails here if unreadable
            except BaseException:
                self.db.close()
                raise
            return
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.migrate()
        except BaseException:
            self.db.close()
            raise

    @functools.cached_property
    def has_search_index(self) -> bool:
        """The trigram index exists (SQLite could build it when the schema was upgraded)."""
        row = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
        ).fetchone()
        return row is not None

    @functools.cached_property
    def has_counts(self) -> bool:
        """The maintained counts exist (not in a read-only history from before schema 4)."""
        row = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'call_counts'"
        ).fetchone()
        return row is not None

    def check_integrity(self) -> bool:
        """SQLite's quick check (structure, not every index entry): fast enough at start-up."""
        row = self.db.execute("PRAGMA quick_check(1)").fetchone()
        return bool(row) and row[0] == "ok"

    @property
    def schema_version(self) -> int:
        version: int = self.db.execute("PRAGMA user_version").fetchone()[0]
        return version

    def migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"history database is from a newer Dialdeck (schema {current}); "
                "update Dialdeck to open it"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                apply(self.db, script)
                self.db.execute(f"PRAGMA user_version = {version}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.db.close()

    def record_placing(
        self,
        *,
        uuid: str,
        to_number: str,
        from_number: str,
        agent: str,
        sandbox: bool,
        placed_at: datetime | None = None,
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO calls (uuid, to_number, from_number, agent, sandbox, placed_at, state)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                uuid,
                to_number,
                from_number,
                agent,
                int(sandbox),
                _iso(placed_at or datetime.now(UTC)),
                CallState.PLACING.value,
            ),
        )
        return int(cursor.lastrowid or 0)

    def mark_placed(self, uuid: str, call_id: str) -> None:
        self.db.execute(
            "UPDATE calls SET call_id = ?, state = ? WHERE uuid = ?",
            (call_id, CallState.LIVE.value, uuid),
        )

    def mark_not_placed(self, uuid: str, state: CallState, error: str) -> None:
        self.db.execute(
            "UPDATE calls SET state = ?, error = ? WHERE uuid = ?", (state.value, error, uuid)
        )

    def update_from_info(self, info: CallInfo) -> None:
        legs = json.dumps(
            [
                {"role": leg.role.value, "number": leg.number, "status": leg.status.value}
                for leg in info.legs
            ]
        )
        self.db.execute(
            "UPDATE calls SET call_status = ?, start_time = ?, end_time = ?, duration = ?,"
            " legs = ?, recording_url = ?, state = ? WHERE call_id = ?",
            (
                info.call_status.value,
                _iso(info.start_time),
                _iso(info.end_time),
                info.duration,
                legs,
                info.recording_url,
                (CallState.ENDED if info.is_over else CallState.LIVE).value,
                info.call_id,
            ),
        )

    def mark_lost(self, call_id: str, error: str) -> None:
        """CloudDialer no longer knows the call (404): stop following it, keep the record."""
        self.db.execute(
            "UPDATE calls SET state = ?, error = ? WHERE call_id = ?",
            (CallState.ENDED.value, error, call_id),
        )

    def set_notes(self, uuid: str, notes: str, disposition: str) -> None:
        self.db.execute(
            "UPDATE calls SET notes = ?, disposition = ? WHERE uuid = ?", (notes, disposition, uuid)
        )

    def get(self, uuid: str) -> CallRecord | None:
        row = self.db.execute("SELECT * FROM calls WHERE uuid = ?", (uuid,)).fetchone()
        return CallRecord.from_row(row) if row else None

    def live_calls(self) -> list[CallRecord]:
        rows = self.db.execute(
            "SELECT * FROM calls WHERE state = ? AND call_id IS NOT NULL ORDER BY placed_at",
            (CallState.LIVE.value,),
        ).fetchall()
        return [CallRecord.from_row(r) for r in rows]

    def recover_interrupted(self) -> int:
        """Calls left in PLACING by a crash: their outcome is unknown. Returns how many."""
        cursor = self.db.execute(
            "UPDATE calls SET state = ?, error = ? WHERE state = ?",
            (
                CallState.UNKNOWN.value,
                "Dialdeck closed before CloudDialer answered: the call may have been placed.",
                CallState.PLACING.value,
            ),
        )
        return cursor.rowcount

    def unknown_since(self, since: datetime) -> list[tuple[str, datetime]]:
        """(number, placed at) of calls whose outcome is unknown, placed after ``since``."""
        rows = self.db.execute(
            "SELECT to_number, placed_at FROM calls WHERE state = ? AND placed_at >= ?",
            (CallState.UNKNOWN.value, _iso(since)),
        ).fetchall()
        return [(row[0], datetime.fromisoformat(row[1])) for row in rows]

    def recent(self, limit: int = 50) -> list[CallRecord]:
        rows = self.db.execute("SELECT * FROM calls ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [CallRecord.from_row(r) for r in rows]


CORRUPT_ERRORS = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.split("_")[0:2] == ["SQLITE", "CORRUPT"] or name in CORRUPT_ERRORS


@dataclass(frozen=True)
class HistoryOpened:
    store: HistoryStore
    notice: str = ""  # for the agent, when history is not as it should be
    damaged_copy: Path | None = None


def move_aside(path: Path) -> Path:
    """Rename a damaged database and its -wal/-shm next to it; return the new main file name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.replace(target.with_name(target.name + suffix))
    return target


def open_history(path: Path) -> HistoryOpened:
    """Open the history so that Dialdeck always starts.

    * Damaged (not a database, or failing SQLite's quick check): moved aside, kept, and a fresh
      database started.
    * The folder cannot be written (read-only, permissions, disk full): the existing history is
      opened read-only; failing that, an in-memory one for this session. Either way, said.
    """
    try:
        store = HistoryStore(path)
        try:
            healthy = store.check_integrity()
        except BaseException:
            store.close()
            raise
        if healthy:
            return HistoryOpened(store)
        store.close()
        problem: sqlite3.Error | OSError | None = None
    except sqlite3.DatabaseError as exc:
        if not _is_corruption(exc):
            return _open_degraded(path, exc)
        problem = exc
    except OSError as exc:
        return _open_degraded(path, exc)
    try:
        copy = move_aside(path)
        store = HistoryStore(path)
    except (OSError, sqlite3.Error) as exc:
        return _open_degraded(path, exc)
    detail = f" ({problem})" if problem else ""
    return HistoryOpened(
        store,
        f"Your call history was damaged{detail}, so Dialdeck started a new one. "
        f"The damaged file is kept as {copy}.",
        copy,
    )


def _open_degraded(path: Path, exc: sqlite3.Error | OSError) -> HistoryOpened:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    folder = path.parent
    if path.exists():
        try:
            return HistoryOpened(
                HistoryStore(path, read_only=True),
                f"Dialdeck cannot write to {folder} ({reason}). Your history can be read, but "
                "new calls are not saved until the folder is writable again.",
            )
        except sqlite3.Error:
            pass
    return HistoryOpened(
        HistoryStore(":memory:"),
        f"Dialdeck cannot use its history in {folder} ({reason}). Calls made now are kept "
        "only until Dialdeck closes.",
    )


class AsyncHistory:
    """:class:`HistoryStore` on its own worker thread, awaitable from the GUI's event loop."""

    def __init__(self, path: Path | str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dialdeck-db")
        self._path = path
        self._store: HistoryStore | None = None

    async def open(self) -> str:
        """Open (never failing: see :func:`open_history`); returns a notice for the agent or ""."""
        opened = await self._run_raw(lambda: open_history(Path(self._path)))
        self._store = opened.store
        return opened.notice

    async def _run_raw(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``await history.run(HistoryStore.mark_placed, uuid, call_id)``."""
        store = self._store
        if store is None:
            raise RuntimeError("history is not open")
        return await self._run_raw(lambda: fn(store, *args, **kwargs))

    async def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            await self._run_raw(store.close)
        self._executor.shutdown(wait=True)
