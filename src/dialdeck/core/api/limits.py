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
    download_deadline: float = 3600.0
    """A whole recording download, every resume included (an hour of audio is about 60 MB)."""
    download_min_rate: float = 16 * 1024
    """Bytes per second a download must average over every ``download_rate_window``..."""
    download_rate_window: float = 30.0
    """...seconds, the first window included (it also bounds the wait for the headers)."""
    max_json_bytes: int = 1 << 20
    """A success body; the largest real one is a few kilobytes."""
    max_error_bytes: int = 64 << 10
    """An error body, read only for its message."""
    max_recording_bytes: int = 1 << 30
    """A WAV cannot exceed 4 GiB; a recording over 1 GiB is 9 days of 8 kHz audio."""
    max_redirects: int = 5
    """Hops a recording download follows."""
    write_batch_bytes: int = 1 << 20
    """A download writes to disk in batches this large (one worker-thread hop each)."""

    def __post_init__(self) -> None:
        for name in ("request_deadline", "get_deadline", "download_deadline"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if not (self.download_rate_window > 0 and self.download_min_rate >= 0):
            raise ValueError("download_rate_window must be positive, download_min_rate >= 0")
