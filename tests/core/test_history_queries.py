"""History queries that do not scan: maintained counts, the trigram index and keyset paging.

Each fast path is checked two ways: its query plan reads an index (never every call), and on
random data it answers exactly what the straightforward query (LIKE, COUNT(*), OFFSET) answers.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bench.history_data import generate_calls

from dialdeck.core import contacts, history_search, library
from dialdeck.core.contact_files import ContactEntry
from dialdeck.core.history import (
    HistoryFilter,
    HistoryRow,
    Outcome,
    SortKey,
    count_calls,
    query_calls,
)
from dialdeck.core.schema import MIGRATIONS, apply
from dialdeck.core.store import HistoryStore

WORDS = ["renewal", "Pricing", "demo booked", "follow up", "FOLLOW-UP", "Müller", "MÜLLER",
         "straße", "o'neil \"quoted\"", "50%_off", "ab", "x", "call back", "日本語テキスト"]  # fmt: skip
STATUSES = [None, "ANSWER", "ANSWER", "NO_ANSWER", "BUSY", "FAILED", "CANCELED"]
STATES = ["ended", "ended", "ended", "live", "placing", "not_placed", "unknown"]


def fill_random(store: HistoryStore, rng: random.Random, count: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        uuid = f"u{n}"
        placed = start + timedelta(minutes=rng.choice([n, n, 5]))  # some equal sort keys
        store.record_placing(
            uuid=uuid,
            to_number=f"9{rng.randint(0, 999_999_999):09d}"[: rng.choice([10, 10, 6])],
            from_number=rng.choice(["919800000000", "919800000001"]),
            agent="a",
            sandbox=False,
            placed_at=placed,
        )
        status = rng.choice(STATUSES)
        store.db.execute(
            "UPDATE calls SET state = ?, call_status = ?, duration = ? WHERE uuid = ?",
            (rng.choice(STATES), status, rng.choice([None, 0, 30, 30, 61, 900]), uuid),
        )
        if rng.random() < 0.6:
            notes = " ".join(rng.sample(WORDS, rng.randint(1, 3)))
            store.set_notes(uuid, notes, rng.choice(["", "Interested", "call back"]))
        if rng.random() < 0.3:
            rec_id = library.add_pending(store, uuid, f"http://x/{uuid}.wav", f"Call {uuid}")
            if rng.random() < 0.5:
                library.mark_local(store, rec_id, f"/r/{uuid}.wav", 10, 1.0)
    for uuid in rng.sample([f"u{n}" for n in range(count)], count // 10):  # updates and deletes
        if rng.random() < 0.5:
            store.db.execute("DELETE FROM calls WHERE uuid = ?", (uuid,))
        else:
            store.db.execute("UPDATE calls SET state = 'ended', call_status = 'BUSY' WHERE uuid = ?", (uuid,))  # fmt: skip


def straightforward(store: HistoryStore) -> HistoryStore:
    """The same database answered the plain way: LIKE, COUNT(*) and OFFSET."""
    plain = HistoryStore(store.path)
    plain.__dict__["has_search_index"] = False
    plain.__dict__["has_counts"] = False
    return plain


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HistoryStore, HistoryStore]]:
    store = HistoryStore(tmp_path_factory.mktemp("random") / "history.sqlite3")
    assert store.has_search_index == (sqlite3.sqlite_version_info >= (3, 34))
    fill_random(store, random.Random(3), 600)
    plain = straightforward(store)
    yield store, plain
    store.close()
    plain.close()


def random_filter(rng: random.Random) -> HistoryFilter:
    text = rng.choice(["", "", "98", "987", "9876", "+91 98", "follow", "Follow up", "müller",
                       "MÜLLER", "straße", "ab", "x", "50%", "_off", '"quoted"', "o'neil", "テキスト",
                       "call back", "interested", "zzz", "  renewal  "])  # fmt: skip
    return HistoryFilter(
        text=text,
        outcome=rng.choice(list(Outcome)),
        has_recording=rng.choice([None, None, True, False]),
        since=rng.choice([None, None, datetime(2026, 1, 1).date()]),
    )


def walk_pages(store: HistoryStore, f: HistoryFilter, sort: SortKey, descending: bool) -> list[HistoryRow]:  # fmt: skip
    rows: list[HistoryRow] = []
    while True:
        after = rows[-1].cursor if rows else None
        page = query_calls(store, f, sort=sort, descending=descending, after=after, limit=7)
        rows += page
        if len(page) < 7:
            return rows


@pytest.mark.parametrize("seed", range(12))
def test_counts_search_and_keyset_pages_equal_the_plain_queries(
    stores: tuple[HistoryStore, HistoryStore], seed: int
) -> None:
    store, plain = stores
    rng = random.Random(seed)
    for _ in range(8):
        f = random_filter(rng)
        sort, descending = rng.choice(list(SortKey)), rng.choice([True, False])
        expected = query_calls(plain, f, sort=sort, descending=descending, limit=10_000)
        assert count_calls(store, f) == count_calls(plain, f) == len(expected), f
        assert walk_pages(store, f, sort, descending) == expected, (f, sort, descending)
        offset = rng.randrange(0, max(1, len(expected)))
        assert query_calls(plain, f, sort=sort, descending=descending, offset=offset, limit=5) == expected[offset : offset + 5]  # fmt: skip


def test_recording_counts_and_pages_equal_the_plain_queries(
    stores: tuple[HistoryStore, HistoryStore],
) -> None:
    store, plain = stores
    every = library.list_recordings(plain, limit=10_000)
    assert library.count_recordings(store) == library.count_recordings(plain) == len(every) > 0
    walked: list[library.RecordingRow] = []
    while page := library.list_recordings(store, after=walked[-1].cursor if walked else None, limit=9):  # fmt: skip
        walked += page
    assert walked == every


def test_search_index_is_used_only_where_it_is_exact() -> None:
    assert history_search.parse("") is None
    for text in ("ab", "50%", "a_b", "98"):  # under a trigram, or LIKE wildcards
        search = history_search.parse(text)
        assert search is not None
        assert search.match is None, text
    search = history_search.parse('say "hi"')
    assert search is not None
    assert search.match == '{notes disposition} : "say ""hi"""'
    number = history_search.parse("+91 98765 43210")
    assert number is not None
    assert number.match == '{to_number} : "9876543210" OR {notes disposition} : "+91 98765 43210"'


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStore]:
    store = HistoryStore(tmp_path_factory.mktemp("plans") / "history.sqlite3")
    generate_calls(store, 5_000, seed=5)
    called = [row[0] for row in store.db.execute("SELECT DISTINCT to_number FROM calls LIMIT 3")]
    contacts.import_entries(  # a name search reads these contacts' calls by number (index)
        store, [ContactEntry(f"Asha {i}", numbers=[(n, "")]) for i, n in enumerate(called)]
    )
    yield store
    store.close()


def plans(store: HistoryStore, run: object) -> list[tuple[str, list[str]]]:
    """Every statement ``run()`` executes, with SQLite's plan for it."""
    seen: list[str] = []
    store.db.set_trace_callback(seen.append)
    try:
        assert callable(run)
        run()
    finally:
        store.db.set_trace_callback(None)
    ours = [sql for sql in seen if not sql.startswith("--")]  # not FTS5's own statements
    return [(sql, [r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + sql)]) for sql in ours]


def scans_calls(plan: list[str], *, sorts_matches: bool = False) -> bool:
    """A full read of calls, or a sort of it: what made counts and deep pages grow with history.
    (A search sorts the calls the trigram index found: fewer than DENSE, or it would not.)"""
    return any(
        (step.split(" ")[:2] == ["SCAN", "c"] and "USING" not in step)
        or ("TEMP B-TREE" in step and not sorts_matches)
        for step in plan
    )


@pytest.mark.skipif(sqlite3.sqlite_version_info < (3, 34), reason="no trigram tokenizer")
def test_query_plans_read_indexes_not_every_call(big: HistoryStore) -> None:
    deep = query_calls(big, HistoryFilter(), offset=4_800, limit=1)[0].cursor
    busy = HistoryFilter(outcome=Outcome.BUSY)
    cases = {
        "count": lambda: count_calls(big, HistoryFilter()),
        "count busy": lambda: count_calls(big, busy),
        "count answered": lambda: count_calls(big, HistoryFilter(outcome=Outcome.ANSWERED)),
        "busy page": lambda: query_calls(big, busy),
        "busy deep page": lambda: query_calls(big, busy, after=query_calls(big, busy)[-1].cursor),
        "deep page": lambda: query_calls(big, HistoryFilter(), after=deep),
        "deep page by duration": lambda: query_calls(
            big, HistoryFilter(), sort=SortKey.DURATION, after=(300, 10**9)
        ),
        "number search": lambda: query_calls(big, HistoryFilter(text="98765")),
        "number search count": lambda: count_calls(big, HistoryFilter(text="98765")),
        "notes search count": lambda: count_calls(big, HistoryFilter(text="follow up")),
        "name search": lambda: query_calls(big, HistoryFilter(text="asha")),
        "name search count": lambda: count_calls(big, HistoryFilter(text="asha")),
        "recordings count": lambda: library.count_recordings(big),
        "recordings deep page": lambda: library.list_recordings(big, after=("2026-03-01", 1)),
    }
    for name, run in cases.items():
        for sql, plan in plans(big, run):
            if "count" in name and "search" not in name:
                # A maintained count: a sum over a few rows of its own small table.
                assert "call_counts" in sql or "recording_count" in sql, (name, sql)
                continue
            assert not scans_calls(plan, sorts_matches="MATCH" in sql), (name, sql, plan)
            if "search" in name and "calls_fts" not in sql and "contact" not in sql:
                assert "LIMIT 2000" in sql  # only the bounded density probe


def test_upgrade_from_schema_3_builds_counts_and_index(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)  # as an old Dialdeck left it
    for migration in MIGRATIONS[:3]:
        apply(old, migration)
    old.execute("PRAGMA user_version = 3")
    old.execute(
        "INSERT INTO calls (uuid, to_number, from_number, agent, placed_at, state, call_status,"
        " notes) VALUES ('a', '9876543210', '9198', 'x', '2026-01-01', 'ended', 'BUSY', 'follow up')"
    )
    old.execute(
        "INSERT INTO recordings (call_uuid, source, title, state, created_at)"
        " VALUES ('a', 'call', 't', 'pending', '2026-01-01')"
    )
    old.close()
    store = HistoryStore(path)
    assert store.schema_version == len(MIGRATIONS)
    assert count_calls(store, HistoryFilter()) == 1
    assert count_calls(store, HistoryFilter(outcome=Outcome.BUSY)) == 1
    assert count_calls(store, HistoryFilter(text="ollow u")) == 1
    assert count_calls(store, HistoryFilter(text="43210")) == 1
    assert library.count_recordings(store) == 1
    store.set_notes("a", "renewal", "")
    assert count_calls(store, HistoryFilter(text="follow")) == 0
    assert count_calls(store, HistoryFilter(text="renewal")) == 1
    store.close()
