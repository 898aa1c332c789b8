"""Recording retention: keep forever (default), delete after N days, cap total size (oldest first).

:func:`plan` is pure: it says what the rule would delete, and which of those need the agent's
confirmation (a recording that is playing, or carries notes or bookmarks, is never deleted silently).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dialdeck.core.library import RecordingRow, RecState


@dataclass(frozen=True)
class RetentionPolicy:
    max_age_days: int | None = None  # None: keep forever
    max_total_bytes: int | None = None  # None: no cap

    @property
    def keeps_everything(self) -> bool:
        return self.max_age_days is None and self.max_total_bytes is None


@dataclass(frozen=True)
class RetentionPlan:
    delete: list[RecordingRow] = field(default_factory=list)  # safe to delete now
    needs_confirmation: list[RecordingRow] = field(default_factory=list)

    @property
    def freed_bytes(self) -> int:
        return sum(r.size or 0 for r in self.delete)


def plan(
    recordings: list[RecordingRow],
    policy: RetentionPolicy,
    now: datetime,
    playing_path: str | None = None,
) -> RetentionPlan:
    if policy.keeps_everything:
        return RetentionPlan()
    local = sorted(
        (r for r in recordings if r.state is RecState.LOCAL), key=lambda r: (r.created_at, r.id)
    )
    doomed: dict[int, RecordingRow] = {}
    if policy.max_age_days is not None:
        cutoff = now - timedelta(days=policy.max_age_days)
        doomed.update({r.id: r for r in local if r.created_at < cutoff})
    if policy.max_total_bytes is not None:
        total = sum(r.size or 0 for r in local if r.id not in doomed)
        for r in local:  # oldest first
            if total <= policy.max_total_bytes:
                break
            if r.id not in doomed:
                doomed[r.id] = r
                total -= r.size or 0
    delete: list[RecordingRow] = []
    confirm: list[RecordingRow] = []
    for r in doomed.values():
        (confirm if r.protected or (playing_path and r.path == playing_path) else delete).append(r)
    return RetentionPlan(delete, confirm)
