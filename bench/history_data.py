"""Realistic synthetic call history for tests and benchmarks (not shipped in the app)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from dialdeck.core.store import HistoryStore


def generate_calls(
    store: HistoryStore, count: int, *, seed: int = 1, start: datetime | None = None
) -> None:
    """Fill the store with realistic synthetic calls (tests and benchmarks), in one transaction."""
    rng = random.Random(seed)
    start = start or datetime(2026, 1, 1, tzinfo=UTC)
    statuses = ["ANSWER"] * 6 + ["NO_ANSWER", "BUSY", "FAILED", "CANCELED"]
    dispositions = ["", "", "interested", "call back", "not interested", "wrong number"]
    words = ["renewal", "pricing", "demo booked", "follow up", "invoice", "complaint", "upgrade"]
    legs = json.dumps([{"role": "agent", "number": "agent.017", "status": "LEFT"},
                       {"role": "destination", "number": "x", "status": "LEFT"}])  # fmt: skip
    rows = []
    for n in range(count):
        status = rng.choice(statuses)
        placed = start + timedelta(minutes=7 * n + rng.randint(0, 5))
        duration = rng.randint(20, 900) if status == "ANSWER" else rng.randint(5, 40)
        notes = rng.choice(words) + f" #{n}" if rng.random() < 0.3 else ""
        rows.append(
            (
                f"gen-{seed}-{n}",
                f"gen-call-{seed}-{n}",
                f"9{rng.randint(100000000, 999999999)}",
                "919800000000",
                "agent.017",
                0,
                placed.isoformat(),
                "ended",
                status,
                placed.isoformat(),
                (placed + timedelta(seconds=duration)).isoformat(),
                duration,
                legs,
                notes,
                rng.choice(dispositions),
            )
        )
    with store.db:
        store.db.execute("BEGIN")
        store.db.executemany(
            "INSERT INTO calls (uuid, call_id, to_number, from_number, agent, sandbox, placed_at,"
            " state, call_status, start_time, end_time, duration, legs, notes, disposition)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        recorded = [
            (
                r[0],
                "call",
                f"Call with {r[2]}",
                f"/recordings/{r[0]}.wav",
                None,
                "failed",
                "generated",
                r[6],
            )
            for r in rows[::5]
        ]
        store.db.executemany(
            "INSERT INTO recordings (call_uuid, source, title, url, path, state, error, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            recorded,
        )
