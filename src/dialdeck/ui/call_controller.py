"""Calls: dial, follow, participants, resume after a restart, sandbox hang-ups.

No widgets here: what the agent should see goes out as signals, which the conductor wires to the
call panel, the dialer, the tray and the status bar. So this controller is tested with a session
of fakes and no app (tests/ui/unit/test_call_controller.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal

from dialdeck.core.api import ApiError, OutcomeUnknownError
from dialdeck.core.calls import (
    StatusChanged,
    TrackedCall,
)
from dialdeck.core.dialing import AlreadyDialingError, DialOptions, DialRequest
from dialdeck.core.numbers import DialNumber, check_dial_number
from dialdeck.core.recent_attempts import CONFIRM_WINDOW, RecentAttempts
from dialdeck.core.storage_errors import storage_reason
from dialdeck.core.store import AsyncHistory, HistoryStore
from dialdeck.sandbox.control import SandboxControlError
from dialdeck.session import TrackerHooks
from dialdeck.ui import describe
from dialdeck.ui.tasks import Tasks

if TYPE_CHECKING:
    from collections.abc import Callable

    from dialdeck.core.api import CallInfo
    from dialdeck.session import Session

log = logging.getLogger("dialdeck.calls.ui")
T = TypeVar("T")


class DialResult(Enum):
    STARTED = "started"
    BUSY = "busy"  # another call is being placed: the number waits in the dialer
    NEEDS_CONFIRMATION = "confirm"  # dialled moments ago with no known outcome: asked first
    UNAVAILABLE = "unavailable"  # not connected, or quitting


class CallController(QObject):
    call_updated = Signal(object, bool)  # TrackedCall, focus it
    call_notice = Signal(str, str, bool)  # call_id, text, is an error
    busy_changed = Signal(bool)  # a call is being placed
    dial_failed = Signal(str)  # why, in words (under the number)
    dial_refused = Signal(str)  # the platform refused: not placed, why (for the call panel)
    number_kept = Signal(object, str)  # DialNumber not dialled now, and why
    confirmation_needed = Signal(object, object, object)  # DialNumber, DialOptions, Attempt
    dialled = Signal(object, str)  # DialNumber, caller ID: the call was accepted
    recording_ready = Signal(str, str, str)  # call uuid, recording URL, title
    status = Signal(str, int)  # a status-bar message and how long to show it (ms)
    calls_changed = Signal()  # something in the history changed
    wrap_up_saved = Signal(str, str, str)  # uuid, notes, disposition
    wrap_up_failed = Signal(str, str)  # uuid, why
    wrap_up_loaded = Signal(str, str, str)  # uuid, notes, disposition already stored

    def __init__(self, history: AsyncHistory, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.tasks = tasks
        self.session: Session | None = None
        self.closing = False
        self.attempts = RecentAttempts()
        self._unsaved: dict[str, CallInfo] = {}  # states whose save failed, newest per call
        self._recordings_queued: set[str] = set()
        self._unknown_serial = 0
        # The contact's name for a shown number, and the number as shown with it (conductor).
        self.name_for: Callable[[str], str] = lambda _number: ""
        self.describe_number: Callable[[str], str] = lambda number: number

    @property
    def hooks(self) -> TrackerHooks:
        return TrackerHooks(on_update=self._on_update, save=self._save_info, on_lost=self._on_lost)

    @property
    def active_calls(self) -> list[TrackedCall]:
        return self.session.tracker.active if self.session is not None else []

    # -- dialling ----------------------------------------------------------------------------------

    def dial(
        self, number: DialNumber, options: DialOptions, *, confirmed: bool = False
    ) -> DialResult:
        """Every entry point dials through here. One intent, one call: refuses synchronously
        while a dial is in flight, and asks first when this number was dialled moments ago
        with no known outcome. A number that is not dialled is handed back, with why."""
        session = self.session
        if self.closing:
            return DialResult.UNAVAILABLE
        if session is None:
            self.number_kept.emit(
                number, self.tr("Not connected to CloudDialer yet: {number} was not dialled.")
            )
            return DialResult.UNAVAILABLE
        if not confirmed and (attempt := self.attempts.needs_confirmation(number.national)):
            self.number_kept.emit(
                number, self.tr("{number} was not dialled yet: see the question.")
            )
            self.confirmation_needed.emit(number, options, attempt)
            return DialResult.NEEDS_CONFIRMATION
        try:
            session.dialer.begin()
        except AlreadyDialingError:
            log.info("a second dial while one is in flight: kept in the dialer")
            self.number_kept.emit(
                number,
                self.tr(
                    "A call is being placed right now, so {number} was not dialled. "
                    "Press Enter to dial it next."
                ),
            )
            return DialResult.BUSY
        self.busy_changed.emit(True)
        fallback = session.caller_ids[0] if session.caller_ids else ""
        request = DialRequest(
            number=number,
            caller_id=options.caller_id or fallback,
            agent=session.agent,
            recording=options.recording,
            max_ring_time=options.max_ring_time,
        )
        self.tasks.spawn(self._dial(session, request), "dial")
        return DialResult.STARTED

    async def _dial(self, session: Session, request: DialRequest) -> None:
        number = request.number
        try:
            placed = await session.dialer.place(request)
        except OutcomeUnknownError as exc:
            self.attempts.record(number.national, outcome_unknown=True)
            self.dial_failed.emit(str(exc))
            self._show_unknown_call(number, str(exc))
            return
        except ApiError as exc:  # each message already says what to do next
            self.dial_failed.emit(str(exc))
            self.dial_refused.emit(
                self.tr("{number} was not called: {reason}").format(
                    number=self.describe_number(number.display), reason=exc
                )
            )
            return
        finally:
            self.busy_changed.emit(False)
        self.attempts.record(number.national, outcome_unknown=False)
        if placed.history_error:
            self.status.emit(
                self.tr(
                    "The call was placed but could not be saved to the history: {reason}"
                ).format(reason=placed.history_error),
                30_000,
            )
        self.dialled.emit(number, request.caller_id)
        call = session.tracker.track(placed.call_id, placed.uuid, placed.number.display)
        self.call_updated.emit(call, True)

    def _show_unknown_call(self, number: DialNumber, message: str) -> None:
        """An entry in the call list for a call that may be ringing but cannot be followed."""
        self._unknown_serial += 1
        call = TrackedCall(
            call_id=f"unknown-{self._unknown_serial}",
            uuid="",
            number=number.display,
            error=message,
            outcome_unknown=True,
        )
        self.call_updated.emit(call, True)
        self.call_notice.emit(call.call_id, message, True)
        self.status.emit(self.tr("Outcome unknown: not following any call."), 10_000)

    async def load_unknown_attempts(self) -> None:
        """Calls whose outcome was unknown when Dialdeck last closed still ask before a redial."""
        since = datetime.now(UTC) - CONFIRM_WINDOW
        for national, placed_at in await self._store(HistoryStore.unknown_since, since) or []:
            self.attempts.record(national, outcome_unknown=True, at=placed_at)

    async def load_wrap_up(self, uuid: str) -> None:
        """What is already stored for an ended call (e.g. typed in History during the call)."""
        if (record := await self._store(HistoryStore.get, uuid)) is not None:
            self.wrap_up_loaded.emit(uuid, record.notes, record.disposition)

    async def save_wrap_up(self, uuid: str, notes: str, disposition: str) -> None:
        """An ended call's disposition and notes, into the same history columns as History's."""
        try:
            await self.history.run(HistoryStore.set_notes, uuid, notes, disposition)
        except (sqlite3.Error, OSError) as exc:
            log.warning("wrap-up not saved: %s", exc)
            self.wrap_up_failed.emit(uuid, storage_reason(exc))
            return
        self.wrap_up_saved.emit(uuid, notes, disposition)
        self.calls_changed.emit()

    # -- participants and sandbox controls --------------------------------------------------------

    def add_participant(self, call_id: str, number: DialNumber, max_ring_time: int) -> None:
        if self.session is not None:
            self.tasks.spawn(
                self._add_participant(self.session, call_id, number, max_ring_time),
                "add participant",
            )

    async def _add_participant(
        self, session: Session, call_id: str, number: DialNumber, max_ring_time: int
    ) -> None:
        try:
            await session.client.add_participant(call_id, number.national, max_ring_time)
        except OutcomeUnknownError:  # its own words are about placing a call
            self.call_notice.emit(
                call_id,
                self.tr(
                    "No clear answer came back from CloudDialer: {number} may be ringing now. "
                    "Wait a moment before adding them again. Your call goes on."
                ).format(number=self.describe_number(number.display)),
                True,
            )
        except ApiError as exc:
            self.call_notice.emit(
                call_id,
                self.tr("Could not add {number}: {reason} Your call goes on.").format(
                    number=self.describe_number(number.display), reason=exc
                ),
                True,
            )
        else:
            self.call_notice.emit(
                call_id,
                self.tr("Ringing {number}…").format(number=self.describe_number(number.display)),
                False,
            )
        finally:
            call = session.tracker.calls.get(call_id)
            if call is not None:
                self.call_updated.emit(call, False)

    def sandbox_hang_up(self, call_id: str, role: str, position: int) -> None:
        session = self.session
        if session is None or session.controls is None:
            return
        controls = session.controls
        leg = {"leg_id": position + 1} if role == "participant" else {"role": role}  # 1-based

        async def hang_up() -> None:
            try:
                await controls.hang_up(call_id, **leg)
            except SandboxControlError as exc:
                self.call_notice.emit(call_id, str(exc), True)

        self.tasks.spawn(hang_up(), "sandbox hang-up")

    # -- following calls -------------------------------------------------------------------------

    def say_not_followed(self, calls: list[TrackedCall], why: str) -> None:
        """Their session closed: they say so, not freeze (History keeps an account's live)."""
        for call in calls:
            call.error = self.tr("Not followed here since {why}").format(why=why)
            call.resumable, call.reconnecting = not call.simulated, False
            self.call_updated.emit(call, False)

    async def resume_live_calls(self) -> None:
        """Follow again the calls that were live when Dialdeck last closed (this mode's only)."""
        session = self.session
        assert session is not None
        records = await self._store(HistoryStore.live_calls) or []
        if not session.has_key:
            # Polling without a key would be refused (401): wait until the key is entered.
            waiting = sum(1 for r in records if r.sandbox == session.sandbox)
            if waiting:
                self.status.emit(
                    describe.count(
                        waiting,
                        "Enter your API key in Settings to follow the call still live from "
                        "last time.",
                        "Enter your API key in Settings to follow the %n calls still live "
                        "from last time.",
                    ),
                    0,
                )
            return
        closed = 0
        for record in records:
            assert record.call_id is not None
            if record.sandbox and session.sandbox:
                # The embedded simulator starts empty: its earlier calls ended with it.
                await self._store(
                    HistoryStore.mark_lost,
                    record.call_id,
                    "Simulated call ended when Dialdeck closed.",
                )
                closed += 1
                continue
            if record.sandbox != session.sandbox:
                continue  # belongs to the other mode; resumed when that mode is active
            number = check_dial_number(record.to_number)
            shown = number.display if isinstance(number, DialNumber) else record.to_number
            self.call_updated.emit(session.tracker.track(record.call_id, record.uuid, shown), False)
            log.info("resumed following a call from the last session")
        if closed:  # History, already shown, still lists them as in progress
            self.calls_changed.emit()

    async def _save_info(self, info: CallInfo) -> None:
        """Save a call's latest state. If storage fails (disk full, I/O error), the call is still
        followed and the agent told; the newest state is saved again until it succeeds."""
        try:
            await self.history.run(HistoryStore.update_from_info, info)
        except (sqlite3.Error, OSError) as exc:
            log.warning("could not save call state: %s", exc)
            first = not self._unsaved
            self._unsaved[info.call_id] = info
            self.status.emit(
                self.tr(
                    "Could not save this call to the history ({reason}). Dialdeck keeps "
                    "following it and will save it as soon as it can."
                ).format(reason=storage_reason(exc)),
                30_000,
            )
            if first:
                self.tasks.spawn(self._retry_unsaved(), "retry saves")
        else:
            self._unsaved.pop(info.call_id, None)

    async def _retry_unsaved(self, first_delay: float = 1.0) -> None:
        delay = first_delay
        while self._unsaved:
            await asyncio.sleep(delay)
            for call_id, info in list(self._unsaved.items()):
                try:
                    await self.history.run(HistoryStore.update_from_info, info)
                except (sqlite3.Error, OSError) as exc:
                    log.info("save still failing: %s", exc)
                    break
                if self._unsaved.get(call_id) is info:
                    del self._unsaved[call_id]
            if not self._unsaved:
                self.status.emit(self.tr("The call history is saved again."), 10_000)
            delay = min(delay * 2, 30.0)

    async def _on_lost(self, call: TrackedCall) -> None:
        if call.resumable:
            # Key or network refused: the call may still be live. It stays live in the history;
            # the tracker asks again every 30 s, and a corrected key (Settings) resumes it too.
            self.status.emit(
                self.tr(
                    "Paused following a call: {reason} Dialdeck keeps asking and follows it"
                    " again once CloudDialer answers."
                ).format(reason=call.error or ""),
                30_000,
            )
            return
        await self._store(HistoryStore.mark_lost, call.call_id, call.error or "")

    def _on_update(self, call: TrackedCall) -> None:
        self.call_updated.emit(call, False)
        info = call.info
        for event in call.events:
            if (notice := describe.event_notice(event, info)) is not None:
                self.call_notice.emit(call.call_id, *notice)
        over = call.is_over and info is not None
        if over and any(isinstance(e, StatusChanged) for e in call.events):
            assert info is not None
            self.status.emit(
                f"{self.describe_number(call.number)}: {describe.outcome(info)}", 15_000
            )
        self.calls_changed.emit()
        if (
            info is not None
            and info.is_over
            and info.recording_url
            and call.call_id not in self._recordings_queued
        ):
            self._recordings_queued.add(call.call_id)
            name = self.name_for(call.number)
            title = self.tr("Call with {number}").format(
                number=f"{name} ({call.number})" if name else call.number
            )
            self.recording_ready.emit(call.uuid, info.recording_url, title)

    async def _store(self, fn: Callable[..., T], *args: object) -> T | None:
        """Run a history write; a storage error (disk full, read-only, I/O) is shown, not raised."""
        try:
            return await self.history.run(fn, *args)
        except (sqlite3.Error, OSError) as exc:
            log.warning("history write failed: %s", exc)
            self.status.emit(
                self.tr("Could not save to the call history: {reason}").format(
                    reason=storage_reason(exc)
                ),
                15_000,
            )
            return None
