"""Following calls: adaptive polling of ``GET /calls/{id}``, change events, resume after restart.

One asyncio task per tracked call. Poll quickly while something rings, slower while connected,
stop when the call is over. Transient errors (network, timeout, 5xx, garbage) put the call in a
visible "reconnecting" state and back off; the call is never forgotten because of them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from dialdeck.core.api.errors import ApiError, AuthError, ForbiddenError, NotFoundError
from dialdeck.core.api.models import CallInfo, LegRole, LegStatus

if TYPE_CHECKING:
    from dialdeck.core.api.client import CloudDialerClient

log = logging.getLogger("dialdeck.calls")
KEEP_ENDED = 50  # ended calls kept in memory for this session; older ones live in History


@dataclass(frozen=True)
class PollPolicy:
    ringing: float = 1.0  # seconds between polls while a leg is ringing
    connected: float = 3.0
    backoff_start: float = 1.0
    backoff_max: float = 15.0
    paused: float = 30.0  # between polls while the key is refused (401/403)
    asked_max: float = 120.0  # the longest server's Retry-After a live call's poll waits out
    factor: float = 1.0  # the user's poll speed (0.5 fast, 2 relaxed)

    def interval(self, info: CallInfo) -> float:
        ringing = any(leg.status is LegStatus.DIALING for leg in info.legs) or not info.legs
        return (self.ringing if ringing else self.connected) * self.factor

    def backoff(self, failures: int) -> float:
        delay: float = min(self.backoff_max, self.backoff_start * 2.0 ** max(0, failures - 1))
        return delay * self.factor


# -- what changed in a call since the last update (typed, never strings to split apart) -------


@dataclass(frozen=True)
class LegAdded:
    """A participant's leg appeared (position 2 and up): their phone starts ringing."""

    position: int


@dataclass(frozen=True)
class ParticipantJoined:
    position: int


@dataclass(frozen=True)
class ParticipantFailed:
    """The participant could not be reached (no answer, busy, failed); the call goes on."""

    position: int


@dataclass(frozen=True)
class ParticipantLeft:
    """The participant hung up (or joined and left between two polls); the call goes on."""

    position: int


@dataclass(frozen=True)
class CustomerLeft:
    """The customer hung up while the call goes on (the agent with a colleague)."""


@dataclass(frozen=True)
class StatusChanged:
    """The call's status changed (or it was seen for the first time, or it ended)."""


@dataclass(frozen=True)
class Lost:
    """Following stopped: see ``TrackedCall.error`` and ``TrackedCall.resumable``."""


CallEvent = (
    LegAdded
    | ParticipantJoined
    | ParticipantFailed
    | ParticipantLeft
    | CustomerLeft
    | StatusChanged
    | Lost
)


@dataclass
class TrackedCall:
    call_id: str
    uuid: str
    number: str  # the customer's number as displayed
    info: CallInfo | None = None
    reconnecting: bool = False
    # While reconnecting: when the server said to ask again (429 or 503 with Retry-After).
    asked_to_wait_until: datetime | None = None
    error: str | None = None  # why following stopped (key rejected, call unknown)
    started_at: float = field(default_factory=time.monotonic)
    # When each leg (by position) entered its current status, for "ringing for 0:12".
    leg_since: list[datetime] = field(default_factory=list)
    events: list[CallEvent] = field(default_factory=list)  # changes since the last update
    # POST /calls went out but no answer came back: not followed (no call_id), may be ringing.
    outcome_unknown: bool = False
    # Following stopped because the key or network was refused (401/403), not because the call
    # is gone: a working key resumes it, so the history must keep it live.
    resumable: bool = False
    simulated: bool = False  # placed in the sandbox (its controls apply), not with an account

    @property
    def is_over(self) -> bool:
        return self.error is not None or (self.info is not None and self.info.is_over)

    @property
    def is_live(self) -> bool:
        return self.info is not None and self.info.is_live and self.error is None


def leg_changes(
    old: CallInfo | None, new: CallInfo
) -> list[tuple[int, LegStatus | None, LegStatus]]:
    """(position, previous status or None for a new leg, new status) for each leg that changed."""
    previous = list(old.legs) if old else []
    changes = []
    for index, leg in enumerate(new.legs):
        before = previous[index].status if index < len(previous) else None
        if before != leg.status:
            changes.append((index, before, leg.status))
    return changes


def participant_events(
    position: int, before: LegStatus | None, after: LegStatus
) -> list[CallEvent]:
    """What a participant's leg change means. A leg can first be seen past ringing (they
    answered, failed or even left between two polls): it is said as what it is now."""
    added: list[CallEvent] = [LegAdded(position)] if before is None else []
    now: dict[LegStatus, CallEvent] = {
        LegStatus.JOINED: ParticipantJoined(position),
        LegStatus.FAILED: ParticipantFailed(position),
        LegStatus.LEFT: ParticipantLeft(position),
    }
    return [*added, now[after]] if after in now else added


def customer_left(info: CallInfo, position: int, now: LegStatus) -> bool:
    """The customer hung up and the call goes on (the agent stays with a colleague)."""
    leg = info.legs[position]
    return leg.role is LegRole.DESTINATION and now is LegStatus.LEFT and not info.is_over


UpdateCallback = Callable[[TrackedCall], None]
SaveCallback = Callable[[CallInfo], Awaitable[None]]


class CallTracker:
    def __init__(
        self,
        client: CloudDialerClient,
        *,
        on_update: UpdateCallback,
        save: SaveCallback | None = None,
        on_lost: Callable[[TrackedCall], Awaitable[None]] | None = None,
        policy: PollPolicy | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        simulated: bool = False,
    ) -> None:
        self.client = client
        self.simulated = simulated
        self.policy = policy or PollPolicy()
        self._on_update = on_update
        self._save = save
        self._on_lost = on_lost
        self._now = now
        self.calls: dict[str, TrackedCall] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def track(self, call_id: str, uuid: str, number: str) -> TrackedCall:
        if call_id in self.calls:
            return self.calls[call_id]
        call = TrackedCall(call_id, uuid, number, simulated=self.simulated)
        self.calls[call_id] = call
        self._forget_old_calls()
        task = asyncio.get_running_loop().create_task(self._follow(call), name=f"poll {call_id}")
        self._tasks[call_id] = task
        task.add_done_callback(self._forget_task)
        return call

    def _forget_old_calls(self) -> None:
        """Keep every live call and the newest :data:`KEEP_ENDED` ended ones (History has all)."""
        ended = [call_id for call_id, call in self.calls.items() if call.is_over]
        for call_id in ended[: max(0, len(ended) - KEEP_ENDED)]:
            del self.calls[call_id]

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        for call_id, known in list(self._tasks.items()):
            if known is task:
                del self._tasks[call_id]
        if not task.cancelled() and (exc := task.exception()) is not None:
            # _follow catches everything; this is the last line of defence, never silent.
            log.error("call poller ended by a bug", exc_info=exc)

    @property
    def active(self) -> list[TrackedCall]:
        return [c for c in self.calls.values() if not c.is_over]

    async def stop(self) -> None:
        """Cancel every poller and wait until they are gone (called at shutdown)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _follow(self, call: TrackedCall) -> None:
        """Poll until the call is over or the server says it never will be known.

        Any single bad answer, of any exception type, only puts the call in "reconnecting" and
        backs off: a poller that died would leave the agent looking at a frozen call.
        """
        failures = 0
        while True:
            try:
                info = await self.client.get_call(call.call_id)
                changed = self._apply(call, info)
                if call.error is not None:  # the key is accepted again: following resumes
                    call.error, call.resumable, changed = None, False, True
                    log.info("following a call again")
                if self._save:
                    await self._save(info)
            except NotFoundError as exc:  # the call is gone: retrying will not bring it back
                await self._lose(call, exc)
                return
            except (AuthError, ForbiddenError) as exc:
                # Said once (Settings can fix it), then asked again now and then: a key refused
                # once (rotated, a hiccup on CloudDialer's side) is often accepted again.
                if call.error is None:
                    await self._lose(call, exc)
                await asyncio.sleep(self.policy.paused * self.policy.factor)
                continue
            except Exception as exc:  # ApiError expected; anything else is a bug, logged as one
                failures += 1
                delay = self.policy.backoff(failures)
                told = exc.retry_after if isinstance(exc, ApiError) else None
                if told is not None:  # the server said when: never sooner, never for hours
                    delay = max(delay, min(told, self.policy.asked_max))
                if isinstance(exc, ApiError):
                    reason = exc.detail or type(exc).__name__
                    log.info("poll failed (%s); retrying in %.1fs", reason, delay)
                else:
                    log.exception("poll failed unexpectedly; retrying in %.1fs", delay)
                until = None if told is None else self._now() + timedelta(seconds=delay)
                if not call.reconnecting or until is not None or call.asked_to_wait_until:
                    call.reconnecting, call.asked_to_wait_until = True, until
                    self._emit(call)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if changed:
                self._emit(call)
            if info.is_over:
                return
            await asyncio.sleep(self.policy.interval(info))

    async def _lose(self, call: TrackedCall, exc: ApiError) -> None:
        call.error = str(exc)
        # A refused key or network can be fixed (Settings): the call may still be live.
        call.resumable = not isinstance(exc, NotFoundError)
        call.reconnecting = False
        call.events.append(Lost())
        log.warning("stopped following a call: %s", type(exc).__name__)
        if self._on_lost:
            try:
                await self._on_lost(call)
            except Exception:
                log.exception("could not record a lost call")
        self._emit(call)

    def _apply(self, call: TrackedCall, info: CallInfo) -> bool:
        now = self._now()
        changes = leg_changes(call.info, info)
        for index, before, after in changes:
            while len(call.leg_since) <= index:
                call.leg_since.append(now)
            call.leg_since[index] = now
            if index >= 2:
                call.events.extend(participant_events(index, before, after))
            elif customer_left(info, index, after):
                call.events.append(CustomerLeft())
        old = call.info
        changed = (
            old is None
            or bool(changes)
            or old.call_status != info.call_status
            or old.end_time != info.end_time
            or old.recording_url != info.recording_url
            or call.reconnecting
        )
        call.info = info
        call.reconnecting, call.asked_to_wait_until = False, None
        if old is None or old.call_status != info.call_status or info.is_over != old.is_over:
            call.events.append(StatusChanged())
        return changed

    def _emit(self, call: TrackedCall) -> None:
        """Tell the owner; a failing callback is logged, it never stops the polling."""
        try:
            self._on_update(call)
        except Exception:
            log.exception("call update callback failed")
        finally:
            call.events.clear()
