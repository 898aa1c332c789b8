"""How the agent wants a call placed. Its own module: the dialer widget builds these at start-up,
before the HTTP stack (imported by :mod:`dialdeck.core.dialing`) is loaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DialOptions:
    caller_id: str = ""  # empty: the account's first caller ID
    recording: bool = True
    max_ring_time: int = 30
