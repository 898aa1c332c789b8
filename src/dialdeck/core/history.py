"""Querying call history: search, filters, sort, paging, CSV export.

Every function takes the store's SQLite connection and is meant to run on the store's worker
thread (``await history.run(...)``). Paging keeps the GUI's model lazy: a page is a few hundred
rows, however large the table.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from dialdeck.core import history_search
from dialdeck.core.library import RecState
from dialdeck.core.store import CallState, HistoryStore


class Outcome(StrEnum):
    ANY = ""
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled"
    NOT_PLACED = "not_placed"
    UNKNOWN = "unknown"
    LIVE = "live"


_OUTCOME_SQL = {
    Outcome.ANSWERED: ("c.call_status = 'ANSWER' AND c.state = 'ended'", ()),
    Outcome.NO_ANSWER: ("c.call_status = 'NO_ANSWER'", ()),
    Outcome.BUSY: ("c.call_status = 'BUSY'", ()),
    Outcome.FAILED: ("c.call_status = 'FAILED'", ()),
    Outcome.CANCELED: ("c.call_status = 'CANCELED'", ()),
    Outcome.NOT_PLACED: ("c.state = 'not_placed'", ()),
    Outcome.UNKNOWN: ("c.state = 'unknown'", ()),
    Outcome.LIVE: ("c.state IN ('live', 'placing')", ()),
}


Cursor = tuple[Any, int]


class SortKey(StrEnum):
    PLACED_AT = "c.placed_at"
    NUMBER = "c.to_number"
    OUTCOME = "c.call_status"
    DURATION = "c.duration"
    CALLER_ID = "c.from_number"


_NULLABLE = {SortKey.OUTCOME, SortKey.DURATION}


@dataclass(frozen=True)
class HistoryFilter:
    text: str = ""  # number digits, or words in notes / disposition
    since: date | None = None  # local dates, inclusive
    until: date | None = None
    outcome: Outcome = Outcome.ANY
    has_recording: bool | None = None


@dataclass(frozen=True)
class HistoryRow:
    id: int
    uuid: str
    placed_at: datetime
    to_number: str
    from_number: str
    agent: str
    state: CallState
    call_status: str | None
    duration: int | None
    legs: int
    notes: str
    disposition: str
    error: str | None
    recording_state: RecState | None  # None: no recording expected
    recording_id: int | None
    sandbox: bool
    recording_retry_at: datetime | None = None  # a failed download tried again then
    # (the sort column's stored value, id): where the next page starts (see query_calls)
    cursor: Cursor | None = field(default=None, compare=False, repr=False)


def _local_bound(day: date, *, end: bool) -> str:
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min).astimezone()
    return moment.astimezone(UTC).isoformat()


def _where(
    store: HistoryStore, f: HistoryFilter, *, for_page: bool
) -> tuple[list[str], list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    search = history_search.parse(f.text)
    if search is not None:
        sql, extra = history_search.clause(store, search, for_page=for_page)
        clauses.append(sql)
        params += extra
    if f.since:
        clauses.append("c.placed_at >= ?")
        params.append(_local_bound(f.since, end=False))
    if f.until:
        clauses.append("c.placed_at < ?")
        params.append(_local_bound(f.until, end=True))
    if f.outcome is not Outcome.ANY:
        sql, extra_params = _OUTCOME_SQL[f.outcome]
        clauses.append(sql)
        params += list(extra_params)
    if f.has_recording is True:
        clauses.append("r.state = 'local'")
    elif f.has_recording is False:
        clauses.append("(r.state IS NULL OR r.state != 'local')")
    return clauses, params


def _sql_where(clauses: list[str]) -> str:
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


_SELECT = """
    SELECT c.id, c.uuid, c.placed_at, c.to_number, c.from_number, c.agent, c.state, c.call_status,
           c.duration, c.legs, c.notes, c.disposition, c.error, c.sandbox,
           r.state AS recording_state, r.id AS recording_id, r.next_try_at AS recording_retry,
           {sort} AS sort_value
    FROM calls c LEFT JOIN recordings r ON r.call_uuid = c.uuid
"""


def _time_or_none(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _row(row: sqlite3.Row) -> HistoryRow:
    try:
        legs = len(json.loads(row["legs"]))
    except ValueError:
        legs = 0
    return HistoryRow(
        id=row["id"],
        uuid=row["uuid"],
        placed_at=datetime.fromisoformat(row["placed_at"]),
        to_number=row["to_number"],
        from_number=row["from_number"],
        agent=row["agent"],
        state=CallState(row["state"]),
        call_status=row["call_status"],
        duration=row["duration"],
        legs=legs,
        notes=row["notes"],
        disposition=row["disposition"],
        error=row["error"],
        recording_state=RecState(row["recording_state"]) if row["recording_state"] else None,
        recording_id=row["recording_id"],
        sandbox=bool(row["sandbox"]),
        recording_retry_at=_time_or_none(row["recording_retry"]),
        cursor=(row["sort_value"], row["id"]),
    )


def _order(sort: SortKey, descending: bool) -> str:
    direction = "DESC" if descending else "ASC"
    return f" ORDER BY {sort.value} {direction}, c.id {direction}"


def _after(
    sort: SortKey, descending: bool, cursor: Cursor | None
) -> list[tuple[list[str], list[object]]]:
    """The rows after ``cursor`` in this order, as WHERE parts to read one after the other.

    Keyset paging: each page starts where the last one ended through the sort column's index,
    however deep (OFFSET would walk every row before it). SQLite puts NULLs first when
    ascending and last when descending, and ``(a, b) < (?, ?)`` never matches a NULL ``a``: a
    nullable column's NULLs are read as their own part.
    """
    if cursor is None:
        return [([], [])]
    value, last_id = cursor
    key, op = sort.value, ("<" if descending else ">")
    if value is None:  # within the NULLs (first when ascending: the rest follows them)
        nulls: tuple[list[str], list[object]] = ([f"{key} IS NULL AND c.id {op} ?"], [last_id])
        return [nulls] if descending else [nulls, ([f"{key} IS NOT NULL"], [])]
    beyond: tuple[list[str], list[object]] = ([f"({key}, c.id) {op} (?, ?)"], [value, last_id])
    if descending and sort in _NULLABLE:
        return [beyond, ([f"{key} IS NULL"], [])]
    return [beyond]


def query_calls(
    store: HistoryStore,
    f: HistoryFilter,
    *,
    sort: SortKey = SortKey.PLACED_AT,
    descending: bool = True,
    after: Cursor | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[HistoryRow]:
    """A page of calls: the first ``limit`` after the row whose ``cursor`` is ``after`` (keyset
    paging, as the History table scrolls), or after skipping ``offset`` rows."""
    if after is not None and offset:
        raise ValueError("page by cursor or by offset, not both")
    clauses, params = _where(store, f, for_page=True)
    select = _SELECT.format(sort=sort.value)
    rows: list[HistoryRow] = []
    for extra, extra_params in _after(sort, descending, after):
        sql = select + _sql_where(clauses + extra) + _order(sort, descending) + " LIMIT ? OFFSET ?"
        found = store.db.execute(sql, [*params, *extra_params, limit - len(rows), offset])
        rows += [_row(r) for r in found]
        if len(rows) >= limit:
            break
    return rows


def last_call_to(store: HistoryStore, national: str, since: datetime) -> HistoryRow | None:
    """The newest call to this number placed at or after ``since`` (the redial hint)."""
    sql = _SELECT.format(sort="c.placed_at") + (
        " WHERE c.to_number = ? AND c.placed_at >= ? ORDER BY c.placed_at DESC LIMIT 1"
    )
    row = store.db.execute(sql, (national, since.astimezone(UTC).isoformat())).fetchone()
    return _row(row) if row is not None else None


def count_calls(store: HistoryStore, f: HistoryFilter) -> int:
    """How many calls match: from the maintained counts when only the outcome is filtered."""
    if store.has_counts and f == HistoryFilter(outcome=f.outcome):
        where = "" if f.outcome is Outcome.ANY else " WHERE " + _OUTCOME_SQL[f.outcome][0]
        total: int = store.db.execute(
            f"SELECT IFNULL(SUM(n), 0) FROM call_counts c{where}"
        ).fetchone()[0]
        return total
    clauses, params = _where(store, f, for_page=False)
    join = "" if f.has_recording is None else " LEFT JOIN recordings r ON r.call_uuid = c.uuid"
    sql = "SELECT COUNT(*) FROM calls c" + join + _sql_where(clauses)
    count: int = store.db.execute(sql, params).fetchone()[0]
    return count


CSV_COLUMNS = [
    "placed_at", "to_number", "from_number", "agent", "outcome", "duration_s", "legs",
    "recording", "disposition", "notes",
]  # fmt: skip


def outcome_label(row: HistoryRow) -> str:
    if row.state is CallState.NOT_PLACED:
        return "not placed"
    if row.state is CallState.UNKNOWN:
        return "outcome unknown"
    if row.state in (CallState.LIVE, CallState.PLACING):
        return "in progress"
    return {"ANSWER": "answered", "NO_ANSWER": "no answer", "BUSY": "busy", "FAILED": "failed",
            "CANCELED": "cancelled"}.get(row.call_status or "", (row.call_status or "").lower())  # fmt: skip


def placed_header(now: datetime | None = None) -> str:
    """'placed (IST, UTC+05:30)': the export's times are local, and say which zone."""
    local = (now or datetime.now(UTC)).astimezone()
    offset = local.strftime("%z")  # "+0530"
    return f"placed ({local.tzname()}, UTC{offset[:3]}:{offset[3:]})"


def e164(national: str) -> str:
    """Stored national digits as +91…; anything else (a damaged row) as stored."""
    return f"+91{national}" if len(national) == 10 and national.isdigit() else national


def spreadsheet_text(value: str) -> str:
    """A number kept as text by Excel and LibreOffice Calc: plain "+919876543210" becomes the
    number 9.19877E+11 in both (the + lost, shown in exponent form). A leading apostrophe or
    tab is not understood the same way by both (shown as a character, or trimmed and the text
    converted after all); the formula ="+91…" is read by both as the text it yields (Excel
    always, Calc with its CSV import's "Evaluate formulas", on by default), and any other
    program still sees the digits. Only digits and + go into the formula."""
    if not value or not all(ch.isdigit() or ch == "+" for ch in value):
        return no_formula(value)
    return f'="{value}"'


def no_formula(value: str) -> str:
    """Typed text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
    apostrophe: notes are shown, never evaluated (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(
    store: HistoryStore,
    f: HistoryFilter,
    path: Path,
    *,
    sort: SortKey = SortKey.PLACED_AT,
    descending: bool = True,
) -> int:
    """Write every row the filter matches (not just those loaded on screen), atomically."""
    clauses, params = _where(store, f, for_page=False)
    sql = _SELECT.format(sort=sort.value) + _sql_where(clauses) + _order(sort, descending)
    cursor = store.db.execute(sql, params)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".csv")
    written = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([placed_header(), *CSV_COLUMNS[1:]])
            for raw in cursor:
                row = _row(raw)
                writer.writerow(
                    [
                        row.placed_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                        spreadsheet_text(e164(row.to_number)),
                        spreadsheet_text(e164(row.from_number)),
                        row.agent,
                        outcome_label(row),
                        "" if row.duration is None else row.duration,
                        row.legs,
                        row.recording_state or "",
                        no_formula(row.disposition),
                        no_formula(row.notes),
                    ]
                )
                written += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written
