"""How long and how much the client will wait for and accept from the server.

httpx's timeouts are per network operation: a server that sends one byte every few seconds never
trips them. These limits bound each request as a whole, so a hostile or broken server can cost
the app a known amount of time and memory, never an unbounded one. Tests inject short ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClientLimits:
    request_deadline: float = 30.0
    """One JSON request (connect, send, headers, whole body), in seconds."""
    get_deadline: float = 60.0
    """A GET with all its retries and the waits between them."""
    max_json_bytes: int = 1 << 20
    """A success body; the largest real one is a few kilobytes."""
    max_error_bytes: int = 64 << 10
    """An error body, read only for its message."""

    def __post_init__(self) -> None:
        for name in ("request_deadline", "get_deadline"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
