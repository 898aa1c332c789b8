"""Sandbox time: real time scaled by a speed factor, or a clock tests move by hand."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Sandbox seconds since an arbitrary start; never goes backwards."""

    def wall(self, at: float) -> datetime:
        """The UTC time that sandbox second ``at`` stands for."""

    def real_seconds(self, sandbox_seconds: float) -> float | None:
        """How long, in real time, until this clock has moved ``sandbox_seconds`` on; None if it
        only moves when told to (then nothing is worth sleeping for)."""


class ScaledClock:
    """Real time multiplied by ``speed``: at 10, a 30 s ring passes in 3 s."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._t0 = time.monotonic()
        self._wall0 = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> float:
        return (time.monotonic() - self._t0) * self.speed

    def real_seconds(self, sandbox_seconds: float) -> float | None:
        return max(0.0, sandbox_seconds) / self.speed

    def wall(self, at: float) -> datetime:
        return self._wall0 + timedelta(seconds=at)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.t = 0.0
        self._wall0 = start or datetime(2026, 7, 3, 10, 0, 0, tzinfo=UTC)

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds

    def real_seconds(self, sandbox_seconds: float) -> float | None:
        return None  # moves only when a test advances it

    def wall(self, at: float) -> datetime:
        return self._wall0 + timedelta(seconds=at)
