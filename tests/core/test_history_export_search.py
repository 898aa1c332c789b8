"""History search treats a number however it is written; CSV export is local time with its zone
named, numbers as text a spreadsheet keeps, and notes that never run as formulas."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialdeck.core.history import HistoryFilter, export_csv, placed_header, query_calls
from dialdeck.core.numbers import search_digits
from dialdeck.core.store import HistoryStore


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("+91 98765 444", "98765444"),
        ("98765 444", "98765444"),
        ("098765-444", "98765444"),
        ("0091 98765 444", "98765444"),
        ("+91-98765-43210", "9876543210"),
        ("919876543210", "9876543210"),
        ("tel:+91-98765", "98765"),
        ("0000", "0000"),  # a search for zeros stays one
        ("444", "444"),
    ],
)
def test_search_digits(text: str, digits: str) -> None:
    assert search_digits(text) == digits


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "h.db")
    for n, number in enumerate(("9876544400", "9876544411", "9123456789")):
        s.record_placing(uuid=f"u{n}", to_number=number, from_number="9800000000",
                         agent="agent.017", sandbox=True,
                         placed_at=datetime(2026, 11, 28, 6, 30, n, tzinfo=UTC))  # fmt: skip
    s.set_notes("u1", '=HYPERLINK("http://x")', "+ve")
    yield s
    s.close()


@pytest.mark.parametrize("text", ["+91 98765 444", "0091 98765 444", "098765 444", "98765444"])
def test_a_number_written_any_way_finds_the_same_calls(store: HistoryStore, text: str) -> None:
    found = {r.uuid for r in query_calls(store, HistoryFilter(text=text))}
    assert found == {r.uuid for r in query_calls(store, HistoryFilter(text="98765 444"))}
    assert found == {"u0", "u1"}


def test_csv_is_local_time_with_zone_and_numbers_as_text(
    store: HistoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        out = tmp_path / "out.csv"
        assert export_csv(store, HistoryFilter(), out) == 3
        with out.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert placed_header() == "placed (IST, UTC+05:30)"
        assert rows[0][0] == "placed (IST, UTC+05:30)"
        by_number = {r[1]: r for r in rows[1:]}
        first = by_number['="+919876544400"']
        assert first[0] == "2026-11-28 12:00:00"  # 06:30 UTC is noon in India
        assert first[2] == '="+919800000000"'
        second = by_number['="+919876544411"']
        assert second[-1] == '\'=HYPERLINK("http://x")'  # shown, never run
        assert second[-2] == "'+ve"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
