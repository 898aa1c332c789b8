"""The call engine's state machine, driven by a fake clock (no sockets, no sleeping)."""

from __future__ import annotations

from typing import Any

import pytest

from dialdeck.sandbox.config import SandboxConfig
from dialdeck.sandbox.engine import CallEngine, FakeClock, LegNotFoundError, NotLiveError, SimCall

CONFIG = SandboxConfig()
ACCOUNT = CONFIG.accounts[0]
T = CONFIG.timings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ended() -> list[SimCall]:
    return []


@pytest.fixture
def engine(clock: FakeClock, ended: list[SimCall]) -> CallEngine:
    return CallEngine(CONFIG, clock, on_end=ended.append)


def place(engine: CallEngine, to: str = "9876543210", **kw: Any) -> SimCall:
    args: dict[str, Any] = {
        "from_number": "919800000000",
        "to_number": to,
        "uuid": "u-1",
        "crm_username": "agent.017",
        "agent_number": None,
        "recording": True,
        "max_ring_time": 30,
    }
    args.update(kw)
    return engine.place(ACCOUNT, **args)


def legs(call: SimCall) -> list[tuple[str, str]]:
    return [(leg.role, leg.status) for leg in call.legs]


def run(engine: CallEngine, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    engine.tick()


def test_answered_call_full_timeline(
    engine: CallEngine, clock: FakeClock, ended: list[SimCall]
) -> None:
    call = place(engine)
    assert call.status == "INITIATED"
    assert legs(call) == [("agent", "DIALING")]

    run(engine, clock, T.agent_answer)
    assert legs(call) == [("agent", "JOINED"), ("destination", "DIALING")]
    assert call.status == "INITIATED"

    run(engine, clock, T.customer_answer)
    assert call.status == "ANSWER"
    assert legs(call) == [("agent", "JOINED"), ("destination", "JOINED")]
    assert call.is_live

    run(engine, clock, T.talk_time - 0.01)
    assert call.is_live
    run(engine, clock, 0.01)
    assert not call.is_live
    assert call.status == "ANSWER"  # ANSWER stays ANSWER after the call ends
    assert legs(call) == [("agent", "LEFT"), ("destination", "LEFT")]
    assert ended == [call]
    assert call.recording_name and call.recording_name.startswith("crm_")
    assert call.recording_seconds == pytest.approx(T.talk_time)

    body = engine.to_json(call, "http://x")
    assert body["duration"] == int(T.agent_answer + T.customer_answer + T.talk_time)
    assert body["start_time"] == "2026-07-03T10:00:00Z"
    assert body["end_time"] == "2026-07-03T10:00:25Z"
    assert body["recording_url"] == f"http://x/recordings/{call.recording_name}"


def test_transitions_are_stamped_when_due_not_when_ticked(
    engine: CallEngine, clock: FakeClock
) -> None:
    call = place(engine)
    run(engine, clock, 100)  # the ticker was late: everything happened "in the past"
    assert call.ended_at == pytest.approx(T.agent_answer + T.customer_answer + T.talk_time)


@pytest.mark.parametrize(
    ("number", "status", "final_legs", "after"),
    [
        (
            "9876540000",
            "NO_ANSWER",
            [("agent", "LEFT"), ("destination", "FAILED")],
            T.agent_answer + 30,
        ),
        (
            "9876541111",
            "BUSY",
            [("agent", "LEFT"), ("destination", "FAILED")],
            T.agent_answer + T.quick_failure,
        ),
        (
            "9876542222",
            "FAILED",
            [("agent", "LEFT"), ("destination", "FAILED")],
            T.agent_answer + T.quick_failure,
        ),
        ("9876543333", "NO_ANSWER", [("agent", "FAILED")], 30),
        (
            "9876544444",
            "CANCELED",
            [("agent", "LEFT"), ("destination", "FAILED")],
            T.agent_answer + T.cancel_after,
        ),
    ],
)
def test_scripted_failures(
    engine: CallEngine,
    clock: FakeClock,
    ended: list[SimCall],
    number: str,
    status: str,
    final_legs: list[tuple[str, str]],
    after: float,
) -> None:
    call = place(engine, number)
    run(engine, clock, after - 0.01)
    assert not call.is_over
    run(engine, clock, 0.01)
    assert call.is_over
    assert call.status == status
    assert legs(call) == final_legs
    assert call.recording_name is None  # never connected: nothing recorded
    assert ended == [call]


def test_agent_never_answering_means_customer_never_dialled(
    engine: CallEngine, clock: FakeClock
) -> None:
    call = place(engine, "9876543333", max_ring_time=10)
    run(engine, clock, 10)
    assert call.status == "NO_ANSWER"
    assert [leg.role for leg in call.legs] == ["agent"]


def test_recording_false_produces_no_recording(engine: CallEngine, clock: FakeClock) -> None:
    call = place(engine, recording=False)
    run(engine, clock, 100)
    assert call.status == "ANSWER"
    assert call.recording_name is None


def connected(engine: CallEngine, clock: FakeClock) -> SimCall:
    call = place(engine)
    run(engine, clock, T.agent_answer + T.customer_answer)
    assert call.is_live
    return call


def test_participant_joins_and_warm_transfer(engine: CallEngine, clock: FakeClock) -> None:
    call = connected(engine, clock)
    leg = engine.add_participant(call, "9123456789", 30)
    assert legs(call)[-1] == ("participant", "DIALING")
    run(engine, clock, T.customer_answer)
    assert leg.status == "JOINED"
    # Warm transfer: the agent drops off, customer and participant stay connected.
    engine.hang_up(call, role="agent")
    assert call.is_live
    assert legs(call) == [("agent", "LEFT"), ("destination", "JOINED"), ("participant", "JOINED")]
    engine.hang_up(call, leg_id=leg.leg_id)
    assert call.is_over
    assert legs(call) == [("agent", "LEFT"), ("destination", "LEFT"), ("participant", "LEFT")]


@pytest.mark.parametrize(
    ("number", "after"), [("9123450000", 10), ("9123451111", 1), ("9123452222", 1)]
)
def test_failed_participant_leaves_call_running(
    engine: CallEngine, clock: FakeClock, number: str, after: float
) -> None:
    call = connected(engine, clock)
    leg = engine.add_participant(call, number, 10)  # shorter than the talk time
    run(engine, clock, after)
    assert leg.status == "FAILED"
    assert call.is_live
    assert legs(call)[:2] == [("agent", "JOINED"), ("destination", "JOINED")]


def test_customer_hanging_up_with_participant_keeps_agent_and_participant(
    engine: CallEngine, clock: FakeClock
) -> None:
    call = connected(engine, clock)
    engine.add_participant(call, "9123456789", 30)
    run(engine, clock, T.customer_answer)
    engine.hang_up(call, role="destination")
    assert call.is_live


def test_add_participant_needs_a_live_call(engine: CallEngine, clock: FakeClock) -> None:
    ringing = place(engine)
    with pytest.raises(NotLiveError):
        engine.add_participant(ringing, "9123456789", 30)
    run(engine, clock, 100)
    with pytest.raises(NotLiveError):
        engine.add_participant(ringing, "9123456789", 30)


def test_hangup_controls(engine: CallEngine, clock: FakeClock) -> None:
    declined = place(engine)
    engine.hang_up(declined, role="agent")  # the agent declines the ringing phone
    assert (declined.status, legs(declined)) == ("CANCELED", [("agent", "FAILED")])

    customer_declines = place(engine)
    run(engine, clock, T.agent_answer)
    engine.hang_up(customer_declines, role="destination")
    assert customer_declines.status == "BUSY"

    agent_gives_up = place(engine)
    run(engine, clock, T.agent_answer)
    engine.hang_up(agent_gives_up, role="agent")
    assert agent_gives_up.status == "CANCELED"

    with pytest.raises(NotLiveError):
        engine.hang_up(agent_gives_up, role="agent")
    with pytest.raises(LegNotFoundError):
        engine.hang_up(agent_gives_up, leg_id=999)


def test_calls_are_private_to_their_account(engine: CallEngine) -> None:
    call = place(engine)
    other = CONFIG.accounts[0].__class__("other", "k2", ("919800000000",), ())
    assert engine.get(call.call_id, ACCOUNT) is call
    assert engine.get(call.call_id, other) is None


def test_result_push_body(engine: CallEngine, clock: FakeClock) -> None:
    call = place(engine, agent_number="9000000001", crm_username=None)
    run(engine, clock, 100)
    body = engine.result_push(call, "http://sb")
    assert body["status"] == "ANSWER"
    assert body["call_type"] == "phone"
    assert body["agent_number"] == "9000000001"
    assert "crm_username" not in body
    assert body["customer_number"] == "9876543210"
    assert body["disposition"] == "CRM_CALL"
    assert body["recording_url"].startswith("http://sb/recordings/crm_")
    assert body["duration"] == 25


# -- every call ends unattended: per-party talk times ------------------------------------------


def scripted(talk_times: dict[str, float]) -> SandboxConfig:
    return CONFIG.with_talk_times(talk_times)


def test_call_with_an_added_participant_ends_on_its_own(
    engine: CallEngine, clock: FakeClock, ended: list[SimCall]
) -> None:
    call = connected(engine, clock)  # answered at t=5
    leg = engine.add_participant(call, "9123456789", 30)
    run(engine, clock, T.customer_answer)  # participant joins at t=8
    assert leg.status == "JOINED"
    run(engine, clock, T.talk_time - T.customer_answer)  # t=25: the customer hangs up
    assert legs(call) == [("agent", "JOINED"), ("destination", "LEFT"), ("participant", "JOINED")]
    assert call.is_live
    run(engine, clock, T.customer_answer - 0.01)
    assert call.is_live
    run(engine, clock, 0.01)  # t=28: the participant's talk time is up too
    assert ended == [call]
    assert call.status == "ANSWER"
    assert legs(call) == [("agent", "LEFT"), ("destination", "LEFT"), ("participant", "LEFT")]
    assert call.ended_at == pytest.approx(28)
    assert call.recording_seconds == pytest.approx(23)
    assert call.recording_name


def test_participant_talk_time_scripted_by_number(clock: FakeClock) -> None:
    engine = CallEngine(scripted({"6789": 40, "56789": 60, "9": 1}), clock)
    call = connected(engine, clock)
    engine.add_participant(call, "9123456789", 30)  # the longest ending wins: 60 s
    run(engine, clock, 30)
    assert legs(call)[1:] == [("destination", "LEFT"), ("participant", "JOINED")]
    run(engine, clock, 100)
    assert call.ended_at == pytest.approx(5 + T.customer_answer + 60)


def test_customer_talk_time_scripted_by_number(clock: FakeClock) -> None:
    engine = CallEngine(scripted({"+919876543210": 99, "3210": 7}), clock)
    call = place(engine)
    run(engine, clock, 100)
    assert call.recording_seconds == pytest.approx(7)
    plus = place(engine, "+919876543210")
    run(engine, clock, 200)
    assert plus.recording_seconds == pytest.approx(99)


def test_agent_talk_time_ends_a_two_party_call(clock: FakeClock) -> None:
    engine = CallEngine(scripted({"agent.017": 10}), clock)
    call = place(engine)
    run(engine, clock, 100)
    assert call.status == "ANSWER"
    assert call.ended_at == pytest.approx(5 + 10)  # counted from when the customer answered
    assert call.recording_seconds == pytest.approx(10)


def test_finished_agent_leaves_when_one_other_remains(clock: FakeClock) -> None:
    engine = CallEngine(scripted({"agent.017": 10, "6789": 40}), clock)
    call = connected(engine, clock)
    engine.add_participant(call, "9123456789", 30)
    run(engine, clock, 15)  # t=20: the agent's time is up, but two others are on the line
    assert legs(call) == [("agent", "JOINED"), ("destination", "JOINED"), ("participant", "JOINED")]
    run(engine, clock, 5)  # t=25: the customer leaves; the agent does not stay on for 23 s more
    assert call.is_over
    assert call.ended_at == pytest.approx(25)
    assert legs(call) == [("agent", "LEFT"), ("destination", "LEFT"), ("participant", "LEFT")]


def test_finished_agent_waits_for_a_ringing_participant(clock: FakeClock) -> None:
    engine = CallEngine(scripted({"agent.017": 1}), clock)
    call = connected(engine, clock)
    leg = engine.add_participant(call, "9123450000", 10)  # rings 10 s, nobody answers
    run(engine, clock, 5)
    assert call.is_live
    run(engine, clock, 5)
    assert leg.status == "FAILED"
    assert call.is_over
    assert call.ended_at == pytest.approx(15)


def test_agent_number_is_scripted_by_its_ending(clock: FakeClock) -> None:
    engine = CallEngine(scripted({"0001": 3, "agent": 99}), clock)
    call = place(engine, agent_number="9000000001", crm_username=None)
    run(engine, clock, 100)
    assert call.recording_seconds == pytest.approx(3)
    by_id = place(engine)  # "agent" is an id key: it does not match "agent.017"
    run(engine, clock, 200)
    assert by_id.recording_seconds == pytest.approx(T.talk_time)


@pytest.mark.parametrize(
    "table", [{"3210": -1}, {"3210": "long"}, {"3210": True}, {"": 3}, {"3210": float("inf")}]
)
def test_talk_times_are_validated(table: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="talk_times"):
        SandboxConfig.from_dict({"talk_times": table})
