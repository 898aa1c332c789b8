"""Which numbers were dialled moments ago with no known outcome, so they are not rung twice.

When ``POST /calls`` went out but no answer came back, the call may be ringing the customer and
the documented API cannot find it again without its ``call_id``. Dialling the same number again
within a few minutes then needs the agent's confirmation, from every entry point (Enter, redial,
links, quick dial, tray). Attempts from the previous session count too (loaded from history).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

CONFIRM_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Attempt:
    national: str
    at: datetime  # aware, UTC
    outcome_unknown: bool


class RecentAttempts:
    def __init__(
        self,
        window: timedelta = CONFIRM_WINDOW,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.window = window
        self._now = now
        self._latest: dict[str, Attempt] = {}

    def record(self, national: str, *, outcome_unknown: bool, at: datetime | None = None) -> None:
        attempt = Attempt(national, at or self._now(), outcome_unknown)
        current = self._latest.get(national)
        if current is None or attempt.at >= current.at:
            self._latest[national] = attempt
        self._prune()

    def needs_confirmation(self, national: str) -> Attempt | None:
        """The attempt that makes dialling ``national`` now risky, or None."""
        attempt = self._latest.get(national)
        if attempt is None or not attempt.outcome_unknown:
            return None
        if self._now() - attempt.at > self.window:
            return None
        return attempt

    def _prune(self) -> None:
        cutoff = self._now() - self.window
        for national in [n for n, a in self._latest.items() if a.at < cutoff]:
            del self._latest[national]
