"""The simulated telephony platform: calls, legs and their timings, driven by an injectable clock.

The engine never sleeps. Transitions are scheduled events; :meth:`CallEngine.tick` runs every event
that is due on the clock, stamping each transition with the time it was due (not the time the
ticker happened to run), so a fake clock gives exact, repeatable timelines in tests.

Scripted outcomes by the last four digits of the dialled number (``shared/api-contract.md``):
``0000`` no answer, ``1111`` busy, ``2222`` network failure, ``3333`` agent never answers,
``4444`` agent hangs up while the customer rings, ``5555`` platform refuses (502, in the app layer).

Every call ends on its own. Each answered customer or participant talks for its talk time from
when it joined, then hangs up (``SandboxConfig.party_talk_time``: ``[talk_times]`` by number, else
``talk_time``). The agent stays while anyone else is on the line, unless ``[talk_times]`` gives
the agent a talk time (counted from when the customer answered): once it has run out, the agent
hangs up as soon as only one other party remains and nobody is ringing. When fewer than two
parties remain and nobody is ringing, the call ends: legs ``LEFT``, ``end_time``, recording, push.
"""

from __future__ import annotations

import heapq
import itertools
import secrets
import uuid as uuid_module
from collections import deque
from collections.abc import Callable
from typing import Any

from dialdeck.sandbox.clock import Clock, FakeClock, ScaledClock
from dialdeck.sandbox.config import Account, SandboxConfig
from dialdeck.sandbox.model import (
    LegNotFoundError,
    NotLiveError,
    SimCall,
    SimLeg,
    call_json,
    result_push_json,
)
from dialdeck.sandbox.model import recording_url as _recording_url

__all__ = [
    "CallEngine",
    "Clock",
    "FakeClock",
    "LegNotFoundError",
    "NotLiveError",
    "ScaledClock",
    "SimCall",
    "SimLeg",
]

NO_ANSWER_SUFFIX = "0000"
BUSY_SUFFIX = "1111"
NETWORK_FAILURE_SUFFIX = "2222"
AGENT_NO_ANSWER_SUFFIX = "3333"
AGENT_CANCELS_SUFFIX = "4444"
PLATFORM_REFUSES_SUFFIX = "5555"


class CallEngine:
    def __init__(
        self,
        config: SandboxConfig,
        clock: Clock,
        on_end: Callable[[SimCall], None] | None = None,
        on_schedule: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.on_end = on_end
        # Called when a transition becomes the next one due, so a sleeping ticker can wake early.
        self.on_schedule = on_schedule
        self.calls: dict[str, SimCall] = {}
        self._events: list[tuple[float, int, str, Callable[[float], None]]] = []
        self._seq = itertools.count()
        self._ended: deque[tuple[float, str]] = deque()  # (ended_at, call_id), oldest first
        self._recordings: dict[str, str] = {}  # recording name -> call_id

    # -- public operations ---------------------------------------------------------------------

    def reset(self) -> None:
        self.calls.clear()
        self._events.clear()
        self._ended.clear()
        self._recordings.clear()

    def tick(self) -> None:
        """Run every transition that is due now, then forget calls that ended long ago."""
        now = self.clock.now()
        while self._events and self._events[0][0] <= now:
            due, _seq, call_id, action = heapq.heappop(self._events)
            if call_id in self.calls and not self.calls[call_id].is_over:
                action(due)
        self._prune(now)

    def _prune(self, now: float) -> None:
        """Drop ended calls older than ``keep_calls_for``, and the oldest beyond ``keep_calls``."""
        horizon = now - self.config.keep_calls_for
        while self._ended and (
            self._ended[0][0] < horizon or len(self._ended) > self.config.keep_calls
        ):
            _ended_at, call_id = self._ended.popleft()
            call = self.calls.pop(call_id, None)
            if call is not None and call.recording_name:
                self._recordings.pop(call.recording_name, None)

    def next_due(self) -> float | None:
        return self._events[0][0] if self._events else None

    def place(
        self,
        account: Account,
        *,
        from_number: str,
        to_number: str,
        uuid: str,
        crm_username: str | None,
        agent_number: str | None,
        recording: bool,
        max_ring_time: int,
    ) -> SimCall:
        self.tick()
        now = self.clock.now()
        call = SimCall(
            call_id=str(uuid_module.uuid4()),
            uuid=uuid,
            account=account,
            from_number=from_number,
            to_number=to_number,
            crm_username=crm_username,
            agent_number=agent_number,
            recording=recording,
            max_ring_time=max_ring_time,
            created_at=now,
        )
        call.legs.append(SimLeg(1, "agent", call.agent_id, "DIALING", now))
        self.calls[call.call_id] = call
        timings = self.config.timings
        if to_number.endswith(AGENT_NO_ANSWER_SUFFIX):
            self._at(call, now + max_ring_time, lambda at: self._agent_no_answer(call, at))
        else:
            answer_at = now + min(timings.agent_answer, max_ring_time - 0.5)
            self._at(call, answer_at, lambda at: self._agent_answers(call, at))
        return call

    def get(self, call_id: str, account: Account) -> SimCall | None:
        self.tick()
        call = self.calls.get(call_id)
        return call if call and call.account.api_key == account.api_key else None

    def add_participant(self, call: SimCall, number: str, max_ring_time: int) -> SimLeg:
        self.tick()
        if not call.is_live:
            raise NotLiveError
        now = self.clock.now()
        leg = SimLeg(len(call.legs) + 1, "participant", number, "DIALING", now)
        call.legs.append(leg)
        timings = self.config.timings
        if number.endswith(NO_ANSWER_SUFFIX):
            self._at(call, now + max_ring_time, lambda at: self._participant_fails(call, leg, at))
        elif number.endswith((BUSY_SUFFIX, NETWORK_FAILURE_SUFFIX)):
            self._at(
                call, now + timings.quick_failure, lambda at: self._participant_fails(call, leg, at)
            )
        else:
            self._at(
                call,
                now + timings.customer_answer,
                lambda at: self._party_joins(call, leg, at),
            )
        return leg

    def hang_up(
        self, call: SimCall, *, leg_id: int | None = None, role: str | None = None
    ) -> SimLeg:
        """Make one party hang up (or decline, if their phone is still ringing)."""
        self.tick()
        leg = next(
            (
                leg
                for leg in reversed(call.legs)
                if (leg_id is not None and leg.leg_id == leg_id)
                or (leg_id is None and leg.role == role)
            ),
            None,
        )
        if leg is None:
            raise LegNotFoundError
        if call.is_over or leg.status not in ("DIALING", "JOINED"):
            raise NotLiveError
        now = self.clock.now()
        if leg.status == "DIALING":
            self._set(leg, "FAILED", now)
            if leg.role == "agent":
                self._end(call, now, "CANCELED")
            elif leg.role == "destination":
                self._end(call, now, "BUSY")  # a declined call sounds busy to the caller
            else:
                self._settle(call, now)
        else:
            self._set(leg, "LEFT", now)
            if call.status != "ANSWER":
                self._end(call, now, "CANCELED")  # agent gave up while the customer rang
            else:
                self._settle(call, now)
        return leg

    def to_json(self, call: SimCall, base_url: str) -> dict[str, Any]:
        self.tick()
        return call_json(call, self.clock, base_url)

    def result_push(self, call: SimCall, base_url: str) -> dict[str, Any]:
        """The JSON body POSTed to the integrator's callback URL when the call ends."""
        return result_push_json(call, self.clock, base_url)

    @staticmethod
    def recording_url(call: SimCall, base_url: str) -> str | None:
        return _recording_url(call, base_url)

    def recording_by_name(self, name: str) -> SimCall | None:
        self.tick()
        call_id = self._recordings.get(name)
        return self.calls.get(call_id) if call_id else None

    # -- transitions -----------------------------------------------------------------------------

    def _at(self, call: SimCall, due: float, action: Callable[[float], None]) -> None:
        event = (due, next(self._seq), call.call_id, action)
        heapq.heappush(self._events, event)
        if self.on_schedule and self._events[0] is event:
            self.on_schedule()

    @staticmethod
    def _set(leg: SimLeg, status: str, at: float) -> None:
        leg.status = status
        leg.changed_at = at

    def _agent_no_answer(self, call: SimCall, at: float) -> None:
        agent = call.leg("agent")
        if agent and agent.status == "DIALING":
            self._set(agent, "FAILED", at)
            self._end(call, at, "NO_ANSWER")

    def _agent_answers(self, call: SimCall, at: float) -> None:
        agent = call.leg("agent")
        if not agent or agent.status != "DIALING":
            return
        self._set(agent, "JOINED", at)
        customer = SimLeg(len(call.legs) + 1, "destination", call.to_number, "DIALING", at)
        call.legs.append(customer)
        timings = self.config.timings
        suffix = call.to_number[-4:]
        if suffix == NO_ANSWER_SUFFIX:
            self._at(
                call, at + call.max_ring_time, lambda t: self._customer_fails(call, t, "NO_ANSWER")
            )
        elif suffix == BUSY_SUFFIX:
            self._at(
                call, at + timings.quick_failure, lambda t: self._customer_fails(call, t, "BUSY")
            )
        elif suffix == NETWORK_FAILURE_SUFFIX:
            self._at(
                call, at + timings.quick_failure, lambda t: self._customer_fails(call, t, "FAILED")
            )
        elif suffix == AGENT_CANCELS_SUFFIX:
            self._at(call, at + timings.cancel_after, lambda t: self._agent_cancels(call, t))
        else:
            self._at(call, at + timings.customer_answer, lambda t: self._customer_answers(call, t))

    def _customer_fails(self, call: SimCall, at: float, status: str) -> None:
        customer = call.leg("destination")
        if customer and customer.status == "DIALING":
            self._set(customer, "FAILED", at)
            self._end(call, at, status)

    def _agent_cancels(self, call: SimCall, at: float) -> None:
        agent = call.leg("agent")
        if agent and agent.status == "JOINED" and call.status == "INITIATED":
            self._set(agent, "LEFT", at)
            self._end(call, at, "CANCELED")

    def _customer_answers(self, call: SimCall, at: float) -> None:
        customer = call.leg("destination")
        if not customer or customer.status != "DIALING":
            return
        call.status = "ANSWER"
        call.answered_at = at
        self._party_joins(call, customer, at)
        agent_talk = self.config.talk_time_for(call.agent_id)
        if agent_talk is not None:
            call.agent_done_at = at + agent_talk
            self._at(call, call.agent_done_at, lambda t: self._settle(call, t))

    def _party_joins(self, call: SimCall, leg: SimLeg, at: float) -> None:
        """A customer or participant answers, talks for their talk time, then hangs up."""
        if leg.status != "DIALING":
            return
        self._set(leg, "JOINED", at)
        talk = self.config.party_talk_time(leg.number)
        self._at(call, at + talk, lambda t: self._party_hangs_up(call, leg, t))

    def _party_hangs_up(self, call: SimCall, leg: SimLeg, at: float) -> None:
        if leg.status == "JOINED":
            self._set(leg, "LEFT", at)
            self._settle(call, at)

    def _participant_fails(self, call: SimCall, leg: SimLeg, at: float) -> None:
        if leg.status == "DIALING":
            self._set(leg, "FAILED", at)
            self._settle(call, at)

    def _settle(self, call: SimCall, at: float) -> None:
        """After someone left: a finished agent leaves a two-party call; a lone party ends it."""
        agent = call.leg("agent")
        if (
            agent is not None
            and agent.status == "JOINED"
            and call.agent_done_at is not None
            and at >= call.agent_done_at
            and call.count("JOINED") == 2
            and call.count("DIALING") == 0
        ):
            self._set(agent, "LEFT", at)
        # A bridge needs two people: end the call once fewer remain and nobody is ringing.
        if call.count("JOINED") < 2 and call.count("DIALING") == 0:
            self._end(call, at, None)

    def _end(self, call: SimCall, at: float, status: str | None) -> None:
        if call.is_over:
            return
        if status:
            call.status = status
        for leg in call.legs:
            if leg.status == "JOINED":
                self._set(leg, "LEFT", at)
            elif leg.status == "DIALING":
                self._set(leg, "FAILED", at)
        call.ended_at = at
        self._ended.append((at, call.call_id))
        if call.recording and call.answered_at is not None:
            call.recording_name = f"crm_{secrets.token_urlsafe(18)}.wav"
            call.recording_seconds = max(0.0, at - call.answered_at)
            self._recordings[call.recording_name] = call.call_id
        if self.on_end:
            self.on_end(call)
