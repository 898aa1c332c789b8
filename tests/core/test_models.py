from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialdeck.core.api import CallInfo, CallRequest, CallStatus, LegStatus
from dialdeck.core.api.errors import MalformedResponseError
from dialdeck.core.api.models import MAX_LEGS, parse_time

SEED_EXAMPLE = {
    "status": "success",
    "call_id": "5deb67aa-1",
    "uuid": "your-own-call-id",
    "call_status": "ANSWER",
    "duration": 42,
    "recording_url": "https://api.clouddialer.in/recordings/crm_x.wav",
    "start_time": "2026-07-03T10:00:00Z",
    "end_time": None,
    "legs": [
        {"role": "agent", "number": "agent.017", "status": "JOINED"},
        {"role": "destination", "number": "9876543210", "status": "JOINED"},
    ],
}


def test_seed_example_parses() -> None:
    info = CallInfo.from_json(SEED_EXAMPLE)
    assert info.call_status is CallStatus.ANSWER
    assert info.is_live
    assert not info.is_over
    assert info.start_time == datetime(2026, 7, 3, 10, tzinfo=UTC)
    assert [leg.status for leg in info.legs] == [LegStatus.JOINED, LegStatus.JOINED]


def test_answer_with_end_time_is_over() -> None:
    info = CallInfo.from_json({**SEED_EXAMPLE, "end_time": "2026-07-03T10:02:30Z"})
    assert info.is_over
    assert not info.is_live


@pytest.mark.parametrize("status", ["NO_ANSWER", "BUSY", "FAILED", "CANCELED"])
def test_failure_statuses_are_over_without_end_time(status: str) -> None:
    assert CallInfo.from_json({**SEED_EXAMPLE, "call_status": status}).is_over


def test_missing_optional_fields() -> None:
    info = CallInfo.from_json({"call_id": "c", "call_status": "INITIATED"})
    assert info.legs == ()
    assert info.recording_url is None
    assert info.duration is None


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {"call_status": "ANSWER"},
        {"call_id": "c"},
        {"call_id": "", "call_status": "A"},
    ],
)
def test_required_fields(body: object) -> None:
    with pytest.raises(MalformedResponseError):
        CallInfo.from_json(body)


def test_call_request_needs_exactly_one_agent_field() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        CallRequest("f", "t", "u")
    with pytest.raises(ValueError, match="exactly one"):
        CallRequest("f", "t", "u", crm_username="a", agent_number="1")
    body = CallRequest("f", "t", "u", agent_number="1", recording=False, max_ring_time=20).to_json()
    assert body == {
        "from_number": "f",
        "to_number": "t",
        "uuid": "u",
        "agent_number": "1",
        "recording": False,
        "max_ring_time": 20,
    }


def test_parse_time_variants() -> None:
    assert parse_time("2026-07-03T10:00:00+05:30") == datetime(2026, 7, 3, 4, 30, tzinfo=UTC)
    assert parse_time("2026-07-03T10:00:00") == datetime(2026, 7, 3, 10, tzinfo=UTC)
    assert parse_time("yesterday") is None
    assert parse_time(12) is None
    # Valid ISO-8601 whose UTC equivalent is outside datetime's range: OverflowError before.
    assert parse_time("9999-12-31T23:59:59-05:00") is None
    assert parse_time("0001-01-01T00:00:00+05:00") is None


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (42, 42),
        (42.9, 42),
        ("42", 42),
        (1e300, None),  # would overflow SQLite INTEGER and timedelta further on
        (2**63, None),
        (-5, None),
        ("²", None),  # str.isdigit() says yes, int() says ValueError
        ("9" * 200, None),
        (True, None),
    ],
)
def test_out_of_range_counts_are_unknown_not_fatal(duration: object, expected: int | None) -> None:
    info = CallInfo.from_json({**SEED_EXAMPLE, "duration": duration})
    assert info.duration == expected


def test_a_call_listing_thousands_of_legs_keeps_the_first_few() -> None:
    legs = [{"role": "agent", "number": "a", "status": "JOINED"}] + [
        {"role": "participant", "number": str(n), "status": "JOINED"} for n in range(10_000)
    ]
    info = CallInfo.from_json({"call_id": "c", "call_status": "ANSWER", "legs": legs})
    assert len(info.legs) == MAX_LEGS
    assert info.legs[0].number == "a"  # the order kept: the agent first
