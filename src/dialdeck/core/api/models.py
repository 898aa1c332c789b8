"""Typed CloudDialer requests and responses.

Parsing is lenient where the contract asks it to be (unknown fields ignored, optional fields may be
missing, enum values we have never seen are kept as-is) and strict where a wrong value would mislead
(a success without a ``call_id`` is a malformed response, not a call).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Self

from dialdeck.core.api.errors import MalformedResponseError


class OpenEnum(StrEnum):
    """A string enum that accepts unknown values, so a new server status never crashes the client."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str) or not value:
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        return self._name_ in type(self).__members__


class CallStatus(OpenEnum):
    INITIATED = "INITIATED"
    ANSWER = "ANSWER"
    NO_ANSWER = "NO_ANSWER"
    BUSY = "BUSY"
    FAILED = "FAILED"
    CANCELED = "CANCELED"

    @property
    def is_failure(self) -> bool:
        return self in _FAILURES


_FAILURES = frozenset(
    {CallStatus.NO_ANSWER, CallStatus.BUSY, CallStatus.FAILED, CallStatus.CANCELED}
)


class LegStatus(OpenEnum):
    DIALING = "DIALING"
    JOINED = "JOINED"
    LEFT = "LEFT"
    FAILED = "FAILED"


class LegRole(OpenEnum):
    AGENT = "agent"
    DESTINATION = "destination"
    PARTICIPANT = "participant"


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedResponseError(
            detail=f"{what}: expected a JSON object, got {type(data).__name__}"
        )
    return data


def _required_str(data: dict[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise MalformedResponseError(detail=f"{what}: missing or invalid {key!r}")
    return value


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


MAX_LEGS = 32
"""Legs of a call taken from an answer (agent, customer, then participants, in order). A call
has a handful; a server listing 10,000 froze the window, which redraws every leg each second."""
_DIGITS = re.compile(r"[0-9]{1,12}")
MAX_INT = 2**31 - 1
"""Largest count (seconds, leg id) taken at face value: 68 years. A bigger one would overflow
SQLite or ``timedelta`` further on, so it is treated like any other unreadable optional value."""


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if math.isfinite(value) else None
    elif isinstance(value, str):  # not str.isdigit(): "²".isdigit() is True, int("²") raises
        value = int(value) if _DIGITS.fullmatch(value.strip()) else None
    return value if isinstance(value, int) and 0 <= value <= MAX_INT else None


def parse_time(value: object) -> datetime | None:
    """ISO-8601 to an aware UTC datetime; anything unreadable becomes ``None``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # "9999-12-31T23:00:00-05:00" overflows in UTC
        return None


@dataclass(frozen=True, slots=True)
class CallRequest:
    """Body of ``POST /calls``. Exactly one of ``crm_username`` / ``agent_number``."""

    from_number: str
    to_number: str
    uuid: str
    crm_username: str | None = None
    agent_number: str | None = None
    recording: bool | None = None
    max_ring_time: int | None = None

    def __post_init__(self) -> None:
        if (self.crm_username is None) == (self.agent_number is None):
            raise ValueError("give exactly one of crm_username and agent_number")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "from_number": self.from_number,
            "to_number": self.to_number,
            "uuid": self.uuid,
        }
        if self.crm_username is not None:
            body["crm_username"] = self.crm_username
        if self.agent_number is not None:
            body["agent_number"] = self.agent_number
        if self.recording is not None:
            body["recording"] = self.recording
        if self.max_ring_time is not None:
            body["max_ring_time"] = self.max_ring_time
        return body


@dataclass(frozen=True, slots=True)
class CallAccepted:
    call_id: str
    message: str

    @classmethod
    def from_json(cls, data: Any) -> CallAccepted:
        obj = _object(data, "POST /calls")
        return cls(
            call_id=_required_str(obj, "call_id", "POST /calls"),
            message=_optional_str(obj, "message") or "",
        )


@dataclass(frozen=True, slots=True)
class ParticipantAdded:
    leg_id: int | None
    message: str

    @classmethod
    def from_json(cls, data: Any) -> ParticipantAdded:
        obj = _object(data, "add participant")
        if obj.get("status") not in (None, "success"):
            raise MalformedResponseError(detail="add participant: status is not success")
        return cls(leg_id=_optional_int(obj, "leg_id"), message=_optional_str(obj, "message") or "")


@dataclass(frozen=True, slots=True)
class Leg:
    role: LegRole
    number: str
    status: LegStatus

    @classmethod
    def from_json(cls, data: Any) -> Leg:
        obj = _object(data, "leg")
        role = _optional_str(obj, "role") or "unknown"
        status = _optional_str(obj, "status") or "UNKNOWN"
        return cls(
            role=LegRole(role), number=_optional_str(obj, "number") or "", status=LegStatus(status)
        )


@dataclass(frozen=True, slots=True)
class CallInfo:
    call_id: str
    call_status: CallStatus
    uuid: str | None = None
    duration: int | None = None
    recording_url: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    legs: tuple[Leg, ...] = field(default=())

    @property
    def is_over(self) -> bool:
        """``ANSWER`` stays ``ANSWER`` after hang-up: a call is over once ``end_time`` is set."""
        return self.end_time is not None or self.call_status.is_failure

    @property
    def is_live(self) -> bool:
        """Connected and not over: the only state in which a participant can be added."""
        return self.call_status is CallStatus.ANSWER and self.end_time is None

    @classmethod
    def from_json(cls, data: Any) -> CallInfo:
        obj = _object(data, "GET /calls/{id}")
        status = _required_str(obj, "call_status", "GET /calls/{id}")
        raw_legs = obj.get("legs")
        # A leg we cannot read is skipped, not fatal: the rest of the call is still worth showing.
        legs = tuple(
            Leg.from_json(leg)
            for leg in (raw_legs if isinstance(raw_legs, list) else ())[:MAX_LEGS]
            if isinstance(leg, dict)
        )
        return cls(
            call_id=_required_str(obj, "call_id", "GET /calls/{id}"),
            call_status=CallStatus(status),
            uuid=_optional_str(obj, "uuid"),
            duration=_optional_int(obj, "duration"),
            recording_url=_optional_str(obj, "recording_url"),
            start_time=parse_time(obj.get("start_time")),
            end_time=parse_time(obj.get("end_time")),
            legs=legs,
        )
