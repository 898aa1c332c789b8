"""The recordings library: rows for downloaded and imported recordings, and their bookmarks.

A recording is listed as playable (``local``) only after its file was verified as audio; every
other state says why not. Functions run on the store's worker thread.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from dialdeck.core import contacts
from dialdeck.core.history_search import NAME_NUMBERS, looks_like_number
from dialdeck.core.numbers import search_digits
from dialdeck.core.store import HistoryStore


class RecState(StrEnum):
    PENDING = "pending"  # waiting to be downloaded (or resumed)
    LOCAL = "local"  # verified audio on disk
    FAILED = "failed"  # download failed; retried later when next_try_at is set
    MISSING = "missing"  # the file was deleted or damaged behind our back


@dataclass(frozen=True)
class RecordingRow:
    id: int
    call_uuid: str | None
    source: str  # "call" or "import"
    title: str
    url: str | None
    path: str | None
    state: RecState
    error: str | None
    size: int | None
    duration: float | None
    created_at: datetime
    attempts: int
    next_try_at: datetime | None
    bookmarks: int
    notes: str
    number: str | None = None  # the customer's number, for a call's recording (named when shown)
    # (created_at as stored, id): where the next page starts (see list_recordings)
    cursor: tuple[str, int] | None = field(default=None, compare=False, repr=False)

    @property
    def protected(self) -> bool:
        """Has the agent's own words attached: deleting it needs their confirmation."""
        return self.bookmarks > 0 or bool(self.notes.strip())


@dataclass(frozen=True)
class Bookmark:
    id: int
    recording_id: int
    position_ms: int
    text: str


_SELECT = """
    SELECT r.*, COALESCE(c.notes, '') AS notes, c.to_number AS number,
           (SELECT COUNT(*) FROM bookmarks b WHERE b.recording_id = r.id) AS bookmark_count
    FROM recordings r LEFT JOIN calls c ON c.uuid = r.call_uuid
"""


def _row(row: sqlite3.Row) -> RecordingRow:
    return RecordingRow(
        id=row["id"],
        call_uuid=row["call_uuid"],
        source=row["source"],
        title=row["title"],
        url=row["url"],
        path=row["path"],
        state=RecState(row["state"]),
        error=row["error"],
        size=row["size"],
        duration=row["duration"],
        created_at=datetime.fromisoformat(row["created_at"]),
        attempts=row["attempts"],
        next_try_at=datetime.fromisoformat(row["next_try_at"]) if row["next_try_at"] else None,
        bookmarks=row["bookmark_count"],
        notes=row["notes"],
        number=row["number"],
        cursor=(row["created_at"], row["id"]),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()


def add_pending(store: HistoryStore, call_uuid: str, url: str, title: str) -> int:
    """Register a call's recording for download (once per call)."""
    store.db.execute(
        "INSERT INTO recordings (call_uuid, source, title, url, state, created_at)"
        " VALUES (?, 'call', ?, ?, 'pending', ?) ON CONFLICT(call_uuid) DO NOTHING",
        (call_uuid, title, url, _now()),
    )
    rec_id: int = store.db.execute(
        "SELECT id FROM recordings WHERE call_uuid = ?", (call_uuid,)
    ).fetchone()[0]
    return rec_id


def add_import(
    store: HistoryStore, title: str, path: str, size: int, duration: float | None
) -> int:
    cursor = store.db.execute(
        "INSERT INTO recordings (source, title, path, state, size, duration, created_at)"
        " VALUES ('import', ?, ?, 'local', ?, ?, ?)",
        (title, path, size, duration, _now()),
    )
    return int(cursor.lastrowid or 0)


def imports_of_size(store: HistoryStore, size: int) -> list[tuple[str, str]]:
    """(title, path) of the imported recordings of exactly ``size`` bytes: the only ones a file
    being imported can be a copy of."""
    rows = store.db.execute(
        "SELECT title, path FROM recordings"
        " WHERE source = 'import' AND state = 'local' AND size = ? AND path IS NOT NULL",
        (size,),
    ).fetchall()
    return [(str(title), str(path)) for title, path in rows]


def mark_local(
    store: HistoryStore, rec_id: int, path: str, size: int, duration: float | None
) -> None:
    store.db.execute(
        "UPDATE recordings SET state = 'local', path = ?, size = ?, duration = ?, error = NULL,"
        " next_try_at = NULL WHERE id = ?",
        (path, size, duration, rec_id),
    )


def mark_failed(store: HistoryStore, rec_id: int, error: str, next_try_at: datetime | None) -> None:
    store.db.execute(
        "UPDATE recordings SET state = 'failed', error = ?, attempts = attempts + 1, next_try_at = ?"
        " WHERE id = ?",
        (error, next_try_at.isoformat() if next_try_at else None, rec_id),
    )


def mark_missing(store: HistoryStore, rec_id: int, error: str) -> None:
    store.db.execute(
        "UPDATE recordings SET state = 'missing', error = ? WHERE id = ?", (error, rec_id)
    )


def due_downloads(store: HistoryStore, now: datetime | None = None) -> list[RecordingRow]:
    """Pending downloads, and failed ones whose retry time has come (oldest first)."""
    moment = (now or datetime.now(UTC)).isoformat()
    rows = store.db.execute(
        _SELECT + " WHERE r.url IS NOT NULL AND (r.state = 'pending'"
        " OR (r.state = 'failed' AND r.next_try_at IS NOT NULL AND r.next_try_at <= ?))"
        " ORDER BY r.created_at",
        (moment,),
    ).fetchall()
    return [_row(r) for r in rows]


def awaiting_download(store: HistoryStore) -> list[RecordingRow]:
    """Downloads that will still be tried, now or later: their ``.part`` files are worth keeping."""
    rows = store.db.execute(
        _SELECT + " WHERE r.url IS NOT NULL AND (r.state = 'pending'"
        " OR (r.state = 'failed' AND r.next_try_at IS NOT NULL))"
    ).fetchall()
    return [_row(r) for r in rows]


def get(store: HistoryStore, rec_id: int) -> RecordingRow | None:
    row = store.db.execute(_SELECT + " WHERE r.id = ?", (rec_id,)).fetchone()
    return _row(row) if row else None


def list_recordings(
    store: HistoryStore,
    text: str = "",
    *,
    after: tuple[str, int] | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[RecordingRow]:
    """Newest first: the first ``limit`` after the row whose ``cursor`` is ``after`` (keyset
    paging through the created_at index, however deep), or after skipping ``offset`` rows."""
    where, params = _search(store, text)
    if after is not None:
        where += (" AND" if where else " WHERE") + " (r.created_at, r.id) < (?, ?)"
        params += list(after)
    rows = store.db.execute(
        _SELECT + where + " ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [_row(r) for r in rows]


def count_recordings(store: HistoryStore, text: str = "") -> int:
    """How many recordings (match): a maintained count when there is no search."""
    if not text.strip() and store.has_counts:
        total: int = store.db.execute("SELECT n FROM recording_count").fetchone()[0]
        return total
    where, params = _search(store, text)
    count: int = store.db.execute(
        "SELECT COUNT(*) FROM recordings r LEFT JOIN calls c ON c.uuid = r.call_uuid" + where,
        params,
    ).fetchone()[0]
    return count


def _search(store: HistoryStore, text: str) -> tuple[str, list[object]]:
    """Title and notes as typed; the customer's number by its national digits (as History:
    "+91 98765 444" finds "98765 444"); a name also finds the recordings of that contact's calls,
    older ones too (their stored titles may still be the bare number)."""
    text = text.strip()
    if not text:
        return "", []
    like = f"%{text}%"
    national = search_digits(text) if looks_like_number(text) else ""
    sql = "r.title LIKE ? OR c.notes LIKE ? OR c.to_number LIKE ?"
    params: list[object] = [like, like, f"%{national}%" if national else like]
    numbers = [] if national else contacts.numbers_for_name(store, text, NAME_NUMBERS)
    if numbers:
        sql += f" OR c.to_number IN ({','.join('?' * len(numbers))})"
        params += numbers
    return f" WHERE ({sql})", params


def all_local(store: HistoryStore) -> list[RecordingRow]:
    rows = store.db.execute(_SELECT + " WHERE r.state = 'local' ORDER BY r.created_at").fetchall()
    return [_row(r) for r in rows]


def delete(store: HistoryStore, rec_id: int) -> None:
    """Forget the recording (the caller deletes the file first)."""
    store.db.execute("DELETE FROM recordings WHERE id = ?", (rec_id,))


def bookmarks(store: HistoryStore, rec_id: int) -> list[Bookmark]:
    rows = store.db.execute(
        "SELECT id, recording_id, position_ms, text FROM bookmarks WHERE recording_id = ? ORDER BY position_ms",
        (rec_id,),
    ).fetchall()
    return [Bookmark(r["id"], r["recording_id"], r["position_ms"], r["text"]) for r in rows]


def add_bookmark(store: HistoryStore, rec_id: int, position_ms: int, text: str) -> int:
    cursor = store.db.execute(
        "INSERT INTO bookmarks (recording_id, position_ms, text, created_at) VALUES (?, ?, ?, ?)",
        (rec_id, max(0, position_ms), text.strip(), _now()),
    )
    return int(cursor.lastrowid or 0)


def update_bookmark(store: HistoryStore, bookmark_id: int, text: str) -> None:
    store.db.execute("UPDATE bookmarks SET text = ? WHERE id = ?", (text.strip(), bookmark_id))


def delete_bookmark(store: HistoryStore, bookmark_id: int) -> None:
    store.db.execute("DELETE FROM bookmarks WHERE id = ?", (bookmark_id,))
