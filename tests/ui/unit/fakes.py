"""Hand-written fakes for controller unit tests (as qutebrowser's tests/helpers/stubs.py): they
record what they were asked and answer what the test scripts, with no network and no app."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from dialdeck.core.api import ApiError
from dialdeck.core.calls import TrackedCall
from dialdeck.core.dialing import AgentIdentity, AlreadyDialingError, DialRequest, Placed


class FakeDialer:
    """Places calls as scripted: an answer, an error, or a wait on an event."""

    def __init__(self) -> None:
        self.busy = False
        self.requests: list[DialRequest] = []
        self.answers: list[Placed | ApiError] = []
        self.gate: asyncio.Event | None = None  # set: the answer may come

    def begin(self) -> None:
        if self.busy:
            raise AlreadyDialingError
        self.busy = True

    async def place(self, request: DialRequest) -> Placed:
        self.requests.append(request)
        try:
            if self.gate is not None:
                await self.gate.wait()
            answer = self.answers.pop(0) if self.answers else None
            if isinstance(answer, ApiError):
                raise answer
            return answer or Placed(
                f"call-{len(self.requests)}", f"uuid-{len(self.requests)}", request.number
            )
        finally:
            self.busy = False


class FakeTracker:
    def __init__(self) -> None:
        self.calls: dict[str, TrackedCall] = {}

    def track(self, call_id: str, uuid: str, number: str) -> TrackedCall:
        return self.calls.setdefault(call_id, TrackedCall(call_id, uuid, number))

    @property
    def active(self) -> list[TrackedCall]:
        return [c for c in self.calls.values() if not c.is_over]

    async def stop(self) -> None:
        pass


class FakeClient:
    def __init__(self) -> None:
        self.participants: list[tuple[str, str, int | None]] = []
        self.participant_error: ApiError | None = None

    async def add_participant(
        self, call_id: str, number: str, max_ring_time: int | None = None
    ) -> None:
        self.participants.append((call_id, number, max_ring_time))
        if self.participant_error is not None:
            raise self.participant_error


class FakeControls:
    def __init__(self) -> None:
        self.hang_ups: list[dict[str, Any]] = []

    async def hang_up(
        self, call_id: str, *, role: str | None = None, leg_id: int | None = None
    ) -> None:
        self.hang_ups.append({"call_id": call_id, "role": role, "leg_id": leg_id})


@dataclass
class FakeSession:
    dialer: FakeDialer = field(default_factory=FakeDialer)
    tracker: FakeTracker = field(default_factory=FakeTracker)
    client: FakeClient = field(default_factory=FakeClient)
    controls: FakeControls | None = field(default_factory=FakeControls)
    caller_ids: list[str] = field(default_factory=lambda: ["919800000000"])
    agent: AgentIdentity = field(default_factory=lambda: AgentIdentity(crm_username="agent.017"))
    sandbox: bool = True
    has_key: bool = True


# -- a player with no QtMultimedia ------------------------------------------------------------

from pathlib import Path  # noqa: E402

from PySide6.QtCore import QObject, Signal  # noqa: E402


class FakePlayer(QObject):
    """The Player's interface, recording calls instead of decoding audio."""

    position_changed = Signal(int)
    duration_changed = Signal(int)
    playing_changed = Signal(bool)
    failed = Signal(str)
    notice = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self.loads: list[Path] = []
        self.available = True
        self.unavailable_reason = ""
        self.device_notice = ""
        self.playing = False
        self.position = 0
        self.duration = 0
        self.speed = 1.0

    def load(self, path: Path) -> None:
        self.path = path
        self.loads.append(path)
        self.duration = 2000
        self.duration_changed.emit(self.duration)

    def unload(self) -> None:
        self.path = None
        self.playing = False

    def play(self) -> None:
        self.playing = self.path is not None

    def pause(self) -> None:
        self.playing = False

    def toggle(self) -> None:
        self.playing = not self.playing and self.path is not None

    def seek(self, ms: int) -> None:
        self.position = ms

    def skip(self, seconds: float) -> None:
        self.position += int(seconds * 1000)

    def set_speed(self, rate: float) -> None:
        self.speed = rate

    def set_volume(self, volume: float) -> None:
        pass
