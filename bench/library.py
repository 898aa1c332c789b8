"""History and recordings queries at 100,000 calls, each against the same query at 100 calls.

What the History tab runs on its worker thread whenever it reloads: the total count, the outcome
filter (first page and count), a number search (first page and count), the last page reached by
scrolling (the page after the row 100 from the end), and the Recordings tab's count.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import Figure, interleaved, median, show
from bench.history_data import generate_calls
from dialdeck.core import library
from dialdeck.core.history import (
    HistoryFilter,
    Outcome,
    count_calls,
    query_calls,
)
from dialdeck.core.store import HistoryStore

SMALL, BIG = 100, 100_000
Query = Callable[[HistoryStore], object]

BUSY = HistoryFilter(outcome=Outcome.BUSY)
SEARCH = HistoryFilter(text="9876")


def last_page(store: HistoryStore) -> Query:
    """The page the model loads when scrolled to the end: after the row 100 from the end."""
    total = count_calls(store, HistoryFilter())
    cursor = query_calls(store, HistoryFilter(), offset=total - 100, limit=1)[0].cursor
    return lambda s: query_calls(s, HistoryFilter(), after=cursor)


QUERIES: dict[str, tuple[str, Callable[[HistoryStore], Query]]] = {
    "history_count": ("History count", lambda _: lambda s: count_calls(s, HistoryFilter())),
    "history_outcome": (
        "History outcome filter (page + count)",
        lambda _: lambda s: (query_calls(s, BUSY), count_calls(s, BUSY)),
    ),
    "history_search": (
        "History number search (page + count)",
        lambda _: lambda s: (query_calls(s, SEARCH), count_calls(s, SEARCH)),
    ),
    "history_last_page": ("History last page", last_page),
    "recordings_count": ("Recordings count", lambda _: lambda s: library.count_recordings(s)),
}


def timed(query: Query, store: HistoryStore, repeat: int) -> float:
    """Best of ``repeat`` back-to-back runs, in ms (one sample of the pair)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        query(store)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main(*, quick: bool) -> list[Figure]:
    pairs, repeat = (5, 3) if quick else (11, 5)
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        small = HistoryStore(Path(tmp) / "small.sqlite3")
        big = HistoryStore(Path(tmp) / "big.sqlite3")
        generate_calls(small, SMALL)
        started = time.perf_counter()
        generate_calls(big, BIG)
        build = time.perf_counter() - started
        print(f"history: {SMALL} vs {BIG:,} calls (built in {build:.1f} s), {pairs} pairs")
        for name, (label, make) in QUERIES.items():
            on_small, on_big = make(small), make(big)
            floors, values = interleaved(
                pairs,
                functools.partial(timed, on_small, small, repeat),
                functools.partial(timed, on_big, big, repeat),
            )
            target = 1.5
            figures.append(
                Figure(
                    name, f"{label} at {BIG:,} calls", f"the same query at {SMALL} calls", "ms",
                    median(floors), median(values), target,
                    "ratio" if name == "recordings_count" else "ratio_or_absolute",
                    absolute=None if name == "recordings_count" else 5.0,
                    floor_samples=floors, samples=values,
                )
            )  # fmt: skip
            show(figures[-1])
        small.close()
        big.close()
    return figures
