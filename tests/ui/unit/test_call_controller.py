"""CallController on its own: a fake session, a real (temporary) history, no window, no app."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from dialdeck.core.api import (
    CallInfo,
    CallStatus,
    Leg,
    LegRole,
    LegStatus,
    OutcomeUnknownError,
    PlatformError,
)
from dialdeck.core.calls import (
    CustomerLeft,
    LegAdded,
    ParticipantFailed,
    ParticipantJoined,
    ParticipantLeft,
    StatusChanged,
    TrackedCall,
)
from dialdeck.core.dial_options import DialOptions
from dialdeck.core.numbers import parse_dial_number
from dialdeck.core.store import AsyncHistory, HistoryStore
from dialdeck.ui.call_controller import CallController, DialResult
from dialdeck.ui.tasks import Tasks
from tests.ui.unit.fakes import FakeSession

NUMBER = parse_dial_number("98765 43210")


class Recorder:
    """Every signal of a CallController, in order."""

    def __init__(self, controller: CallController) -> None:
        self.seen: list[tuple[str, tuple[object, ...]]] = []
        for name in ("call_updated", "call_notice", "busy_changed", "dial_failed", "number_kept",
                     "confirmation_needed", "dialled", "recording_ready", "status"):  # fmt: skip
            getattr(controller, name).connect(lambda *a, n=name: self.seen.append((n, a)))

    def of(self, name: str) -> list[tuple[object, ...]]:
        return [args for seen, args in self.seen if seen == name]


@pytest.fixture
def session() -> FakeSession:
    return FakeSession()


@pytest.fixture
def controller(history: AsyncHistory, tasks: Tasks, session: FakeSession) -> CallController:
    calls = CallController(history, tasks)
    calls.session = session  # type: ignore[assignment]
    return calls


def test_dial_places_one_call_and_reports_it(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    seen = Recorder(controller)
    result = controller.dial(NUMBER, DialOptions("919800000001", False, 45))
    assert result is DialResult.STARTED
    qtbot.waitUntil(lambda: bool(seen.of("dialled")))
    request = session.dialer.requests[0]
    assert (request.caller_id, request.recording, request.max_ring_time) == (
        "919800000001",
        False,
        45,
    )
    assert request.agent.crm_username == "agent.017"
    assert seen.of("busy_changed") == [(True,), (False,)]
    call, focus = seen.of("call_updated")[0]
    assert isinstance(call, TrackedCall) and focus is True


def test_default_caller_id_is_the_accounts_first(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    controller.dial(NUMBER, DialOptions())
    qtbot.waitUntil(lambda: bool(session.dialer.requests))
    assert session.dialer.requests[0].caller_id == "919800000000"


def test_second_dial_in_flight_hands_the_number_back(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    seen = Recorder(controller)
    session.dialer.gate = asyncio.Event()
    assert controller.dial(NUMBER, DialOptions()) is DialResult.STARTED
    other = parse_dial_number("91234 56789")
    assert controller.dial(other, DialOptions()) is DialResult.BUSY
    number, message = seen.of("number_kept")[0]
    assert number == other and "being placed right now" in str(message)
    session.dialer.gate.set()
    qtbot.waitUntil(lambda: bool(seen.of("dialled")))
    assert len(session.dialer.requests) == 1


def test_outcome_unknown_shows_an_entry_and_asks_before_redial(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    seen = Recorder(controller)
    session.dialer.answers.append(OutcomeUnknownError(detail="cut"))
    controller.dial(NUMBER, DialOptions())
    qtbot.waitUntil(lambda: bool(seen.of("dial_failed")))
    entry, _focus = seen.of("call_updated")[0]
    assert isinstance(entry, TrackedCall) and entry.outcome_unknown
    assert controller.dial(NUMBER, DialOptions()) is DialResult.NEEDS_CONFIRMATION
    number, _options, attempt = seen.of("confirmation_needed")[0]
    assert number == NUMBER and attempt.outcome_unknown  # type: ignore[attr-defined]
    assert len(session.dialer.requests) == 1
    assert controller.dial(NUMBER, DialOptions(), confirmed=True) is DialResult.STARTED
    qtbot.waitUntil(lambda: len(session.dialer.requests) == 2)


def test_refusal_is_said_and_needs_no_confirmation(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    seen = Recorder(controller)
    session.dialer.answers.append(PlatformError())
    controller.dial(NUMBER, DialOptions())
    qtbot.waitUntil(lambda: bool(seen.of("dial_failed")))
    assert "could not queue" in str(seen.of("dial_failed")[0][0])
    assert controller.dial(NUMBER, DialOptions()) is DialResult.STARTED  # not placed: no question


def test_without_a_session_the_number_waits(history: AsyncHistory, tasks: Tasks) -> None:
    controller = CallController(history, tasks)
    seen = Recorder(controller)
    assert controller.dial(NUMBER, DialOptions()) is DialResult.UNAVAILABLE
    assert seen.of("number_kept")


def test_closing_refuses_quietly(controller: CallController) -> None:
    controller.closing = True
    assert controller.dial(NUMBER, DialOptions()) is DialResult.UNAVAILABLE


def ended_info(call_id: str, *, recording: str | None = "/recordings/x.wav") -> CallInfo:
    now = datetime.now(UTC)
    return CallInfo(
        call_id=call_id, call_status=CallStatus.ANSWER, uuid="u", duration=12,
        recording_url=recording, start_time=now, end_time=now,
        legs=(Leg(LegRole.AGENT, "agent.017", LegStatus.LEFT),
              Leg(LegRole.DESTINATION, "9876543210", LegStatus.LEFT),
              Leg(LegRole.PARTICIPANT, "9123456789", LegStatus.FAILED)),
    )  # fmt: skip


def test_updates_become_notices_status_and_one_recording(controller: CallController) -> None:
    seen = Recorder(controller)
    call = TrackedCall("c1", "u1", "+91 98765 43210", info=ended_info("c1"))
    call.events = [ParticipantFailed(2), StatusChanged()]
    controller.hooks.on_update(call)
    controller.hooks.on_update(call)  # a repeated update never queues the recording twice
    call_id, text, error = seen.of("call_notice")[0]
    assert call_id == "c1" and "could not be reached" in str(text) and error is True
    assert "Call ended" in str(seen.of("status")[0][0])
    assert seen.of("recording_ready") == [("u1", "/recordings/x.wav", "Call with +91 98765 43210")]


def test_a_colleague_seen_already_joined_or_gone_is_said_so(controller: CallController) -> None:
    """The last notice is what the agent reads: never "Ringing your colleague…" for a colleague
    who already answered, or already hung up."""
    seen = Recorder(controller)
    call = TrackedCall("c1", "u1", "+91 98765 43210")
    call.events = [LegAdded(2), ParticipantJoined(2)]
    controller.hooks.on_update(call)
    assert "joined" in str(seen.of("call_notice")[-1][1])
    call.events = [ParticipantLeft(2)]
    controller.hooks.on_update(call)
    assert seen.of("call_notice")[-1][1:] == ("Your colleague left the call.", False)


def test_a_customer_who_hangs_up_while_a_colleague_is_on_is_said(
    controller: CallController,
) -> None:
    """The transfer hint ("hang up: they stay with the customer") would be wrong now."""
    seen = Recorder(controller)
    legs = (Leg(LegRole.AGENT, "agent.017", LegStatus.JOINED),
            Leg(LegRole.DESTINATION, "9876543210", LegStatus.LEFT),
            Leg(LegRole.PARTICIPANT, "9123456789", LegStatus.JOINED))  # fmt: skip
    info = CallInfo(call_id="c1", call_status=CallStatus.ANSWER, uuid="u", legs=legs)
    call = TrackedCall("c1", "u1", "+91 98765 43210", info=info)
    call.events = [CustomerLeft()]
    controller.hooks.on_update(call)
    assert seen.of("call_notice")[-1][1:] == (
        "The customer hung up. You are still on the line with your colleague.",
        False,
    )


def test_a_failing_save_is_said_and_retried(
    controller: CallController, history: AsyncHistory, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    seen = Recorder(controller)
    real = HistoryStore.update_from_info
    left = {"n": 1}

    def flaky(store: HistoryStore, info: CallInfo) -> None:
        if left["n"]:
            left["n"] -= 1
            raise sqlite3.OperationalError("disk I/O error")
        real(store, info)

    monkeypatch.setattr(HistoryStore, "update_from_info", flaky)
    monkeypatch.setattr(asyncio, "sleep", _no_sleep(asyncio.sleep))
    task = asyncio.ensure_future(controller.hooks.save(ended_info("c9")))
    qtbot.waitUntil(task.done)
    assert "keeps following" in str(seen.of("status")[0][0])
    qtbot.waitUntil(lambda: any("saved again" in str(a[0]) for a in seen.of("status")))


def _no_sleep(real_sleep):  # type: ignore[no-untyped-def]
    async def sleep(_delay: float, result: object = None) -> object:
        return await real_sleep(0, result)

    return sleep


def test_add_participant_success_and_failure(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    seen = Recorder(controller)
    controller.add_participant("c1", parse_dial_number("91234 56789"), 40)
    qtbot.waitUntil(lambda: bool(seen.of("call_notice")))
    assert session.client.participants == [("c1", "9123456789", 40)]
    assert seen.of("call_notice")[0] == ("c1", "Ringing +91 91234 56789…", False)
    session.client.participant_error = PlatformError()
    controller.add_participant("c1", parse_dial_number("91234 56789"), 40)
    qtbot.waitUntil(lambda: len(seen.of("call_notice")) == 2)
    assert "Your call goes on" in str(seen.of("call_notice")[1][1])
    # No answer to the request: it may have rung them. Not "placed… before dialling again".
    session.client.participant_error = OutcomeUnknownError()
    controller.add_participant("c1", parse_dial_number("91234 56789"), 40)
    qtbot.waitUntil(lambda: len(seen.of("call_notice")) == 3)
    said = str(seen.of("call_notice")[2][1])
    assert "+91 91234 56789 may be ringing now" in said and "dialling" not in said


def test_sandbox_hang_up_uses_one_based_leg_ids(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    assert session.controls is not None
    controller.sandbox_hang_up("c1", "participant", 2)
    controller.sandbox_hang_up("c1", "destination", 1)
    qtbot.waitUntil(lambda: len(session.controls.hang_ups) == 2)  # type: ignore[union-attr]
    assert session.controls.hang_ups == [
        {"call_id": "c1", "role": None, "leg_id": 3},
        {"call_id": "c1", "role": "destination", "leg_id": None},
    ]


def test_resume_waits_for_a_key(
    controller: CallController, session: FakeSession, history: AsyncHistory, qtbot: QtBot
) -> None:
    seen = Recorder(controller)
    session.sandbox, session.has_key = False, False

    async def seed() -> None:
        await history.run(HistoryStore.record_placing, uuid="u1", to_number="9876543210",
                          from_number="919800000000", agent="a", sandbox=False)  # fmt: skip
        await history.run(HistoryStore.mark_placed, "u1", "c1")
        await controller.resume_live_calls()

    task = asyncio.ensure_future(seed())
    qtbot.waitUntil(task.done)
    assert session.tracker.calls == {}
    assert "Enter your API key" in str(seen.of("status")[0][0])
    session.has_key = True
    task = asyncio.ensure_future(controller.resume_live_calls())
    qtbot.waitUntil(task.done)
    assert list(session.tracker.calls) == ["c1"]


def test_a_refused_sandbox_control_is_said_not_a_crash(
    controller: CallController, session: FakeSession, qtbot: QtBot
) -> None:
    """ "Customer hangs up" on a call the simulator does not know raised into the crash dialog."""
    from dialdeck.sandbox.control import SandboxControlError

    async def refuse(call_id: str, **_leg: object) -> None:
        raise SandboxControlError("The simulator does not know this call.")

    assert session.controls is not None
    session.controls.hang_up = refuse  # type: ignore[method-assign]
    seen = Recorder(controller)
    controller.sandbox_hang_up("c1", "destination", 1)
    qtbot.waitUntil(lambda: bool(seen.of("call_notice")))
    assert seen.of("call_notice")[0] == ("c1", "The simulator does not know this call.", True)
