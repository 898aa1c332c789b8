"""History at 100,000 calls: a page, a filtered count and a search, each as a ratio to the raw
``SELECT * FROM calls LIMIT 200`` floor measured on the same database in the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dialdeck.core.history import (
    HistoryFilter,
    Outcome,
    SortKey,
    count_calls,
    generate_calls,
    query_calls,
)
from dialdeck.core.store import HistoryStore

ROWS = 100_000


def timed(fn: Callable[[], object], rounds: int = 7) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = HistoryStore(Path(tmp) / "history.sqlite3")
        started = time.perf_counter()
        generate_calls(store, ROWS)
        build = time.perf_counter() - started
        floor = timed(lambda: store.db.execute("SELECT * FROM calls LIMIT 200").fetchall())
        cases = {
            "first page, newest first": lambda: query_calls(store, HistoryFilter()),
            "last page (offset 99,800)": lambda: query_calls(
                store, HistoryFilter(), offset=ROWS - 200
            ),
            "page sorted by duration": lambda: query_calls(
                store, HistoryFilter(), sort=SortKey.DURATION
            ),
            "count, outcome = busy": lambda: count_calls(
                store, HistoryFilter(outcome=Outcome.BUSY)
            ),
            "search '9876' (number)": lambda: query_calls(store, HistoryFilter(text="9876")),
            "search 'follow up' (notes)": lambda: count_calls(
                store, HistoryFilter(text="follow up")
            ),
        }
        print(f"history with {ROWS:,} calls (built in {build:.1f} s), median of 7")
        print(f"  raw SELECT ... LIMIT 200          {floor * 1000:8.2f} ms   1.0x (floor)")
        for name, fn in cases.items():
            took = timed(fn)
            print(f"  {name:33s} {took * 1000:8.2f} ms   {took / floor:.1f}x")
        print(
            "    (all run on the history worker thread; the GUI only ever receives 200-row pages)"
        )
        store.close()


if __name__ == "__main__":
    main()
