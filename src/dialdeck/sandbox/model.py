"""Simulated calls and legs, and the JSON the API shows for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dialdeck.sandbox.clock import Clock
from dialdeck.sandbox.config import Account


class NotLiveError(Exception):
    """The call is not connected (or already over)."""


class LegNotFoundError(Exception):
    pass


@dataclass
class SimLeg:
    leg_id: int
    role: str
    number: str
    status: str
    changed_at: float


@dataclass
class SimCall:
    call_id: str
    uuid: str
    account: Account
    from_number: str
    to_number: str
    crm_username: str | None
    agent_number: str | None
    recording: bool
    max_ring_time: int
    created_at: float
    status: str = "INITIATED"
    legs: list[SimLeg] = field(default_factory=list)
    answered_at: float | None = None
    ended_at: float | None = None
    recording_name: str | None = None
    recording_seconds: float = 0.0
    # When a scripted agent talk time has run out: from then on the agent hangs up as soon as only
    # one other party is on the line. None: the agent stays while anyone else does.
    agent_done_at: float | None = None

    @property
    def is_over(self) -> bool:
        return self.ended_at is not None

    @property
    def is_live(self) -> bool:
        return self.status == "ANSWER" and self.ended_at is None

    @property
    def agent_id(self) -> str:
        return self.crm_username or self.agent_number or ""

    def leg(self, role: str) -> SimLeg | None:
        return next((leg for leg in self.legs if leg.role == role), None)

    def count(self, status: str) -> int:
        return sum(1 for leg in self.legs if leg.status == status)


def iso_time(clock: Clock, at: float | None) -> str | None:
    if at is None:
        return None
    return clock.wall(at).isoformat(timespec="seconds").replace("+00:00", "Z")


def recording_url(call: SimCall, base_url: str) -> str | None:
    if not call.recording_name:
        return None
    return f"{base_url.rstrip('/')}/recordings/{call.recording_name}"


def call_json(call: SimCall, clock: Clock, base_url: str) -> dict[str, Any]:
    """``GET /calls/{call_id}``."""
    end = call.ended_at if call.ended_at is not None else clock.now()
    return {
        "status": "success",
        "call_id": call.call_id,
        "uuid": call.uuid,
        "call_status": call.status,
        "duration": int(end - call.created_at),
        "recording_url": recording_url(call, base_url),
        "start_time": iso_time(clock, call.created_at),
        "end_time": iso_time(clock, call.ended_at),
        "legs": [
            {"role": leg.role, "number": leg.number, "status": leg.status, "leg_id": leg.leg_id}
            for leg in call.legs
        ],
    }


def result_push_json(call: SimCall, clock: Clock, base_url: str) -> dict[str, Any]:
    """The JSON body POSTed to the integrator's callback URL when the call ends."""
    body: dict[str, Any] = {
        "call_id": call.call_id,
        "uuid": call.uuid,
        "status": call.status,
        "duration": int((call.ended_at or call.created_at) - call.created_at),
        "customer_number": call.to_number,
        "call_type": "browser" if call.crm_username else "phone",
        "disposition": "CRM_CALL",
        "recording_url": recording_url(call, base_url),
        "start_time": iso_time(clock, call.created_at),
        "end_time": iso_time(clock, call.ended_at),
    }
    if call.crm_username:
        body["crm_username"] = call.crm_username
    else:
        body["agent_number"] = call.agent_number
    return body
