"""Timing for the speed checks in tests: the best of a few runs (the least disturbed one)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[..., Any], *args: Any, runs: int = 3, **kwargs: Any) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args, **kwargs)
        timings.append(time.perf_counter() - start)
    return min(timings)
