"""Placing a call: one intent, one ``POST /calls``, written to history before it is sent.

The single-flight guard is synchronous: :meth:`Dialer.begin` flips ``busy`` before anything awaits,
so a double click, a repeated Enter, or the tray and the window at once cannot send two requests.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass

from dialdeck.core.api import ApiError, CallRequest, CloudDialerClient, OutcomeUnknownError
from dialdeck.core.dial_options import DialOptions
from dialdeck.core.numbers import DialNumber
from dialdeck.core.storage_errors import storage_reason
from dialdeck.core.store import AsyncHistory, CallState, HistoryStore

log = logging.getLogger("dialdeck.dialing")


__all__ = ["AgentIdentity", "AlreadyDialingError", "DialOptions", "DialRequest", "Dialer", "Placed"]


class AlreadyDialingError(Exception):
    """A call is being placed right now; this request was ignored on purpose."""


@dataclass(frozen=True)
class AgentIdentity:
    crm_username: str | None = None
    agent_number: str | None = None

    @property
    def label(self) -> str:
        return self.crm_username or self.agent_number or ""


@dataclass(frozen=True)
class DialRequest:
    number: DialNumber
    caller_id: str
    agent: AgentIdentity
    recording: bool
    max_ring_time: int


@dataclass(frozen=True)
class Placed:
    call_id: str
    uuid: str
    number: DialNumber
    history_error: str = ""  # the call was placed, but the history could not be written


class Dialer:
    def __init__(self, client: CloudDialerClient, history: AsyncHistory, *, sandbox: bool) -> None:
        self.client = client
        self.history = history
        self.sandbox = sandbox
        self.busy = False

    def begin(self) -> None:
        """Claim the single dialling slot, synchronously. Raises if a dial is in flight."""
        if self.busy:
            raise AlreadyDialingError
        self.busy = True

    async def place(self, request: DialRequest) -> Placed:
        """Place the call; the caller must have called :meth:`begin`. Always releases the slot.

        The history is written before the request goes out (so a crash leaves an "outcome
        unknown" record), but a history that cannot be written (disk full, read-only) never
        stops the call: the agent's call matters more, and ``history_error`` says what failed.
        """
        assert self.busy, "call begin() first"
        call_uuid = str(uuid_module.uuid4())
        errors: list[str] = []

        async def write(fn: Callable[..., object], *args: object, **kwargs: object) -> None:
            try:
                await self.history.run(fn, *args, **kwargs)
            except (sqlite3.Error, OSError) as exc:
                log.warning("history write failed while dialling: %s", exc)
                errors.append(storage_reason(exc))

        try:
            await write(
                HistoryStore.record_placing,
                uuid=call_uuid,
                to_number=request.number.national,
                from_number=request.caller_id,
                agent=request.agent.label,
                sandbox=self.sandbox,
            )
            api_request = CallRequest(
                from_number=request.caller_id,
                to_number=request.number.national,
                uuid=call_uuid,
                crm_username=request.agent.crm_username,
                agent_number=request.agent.agent_number,
                recording=request.recording,
                max_ring_time=request.max_ring_time,
            )
            try:
                accepted = await self.client.initiate_call(api_request)
            except OutcomeUnknownError as exc:
                # What support needs to see later: why the agent was told "may have been placed".
                log.warning("call outcome unknown (%s): %s", type(exc).__name__, exc.detail or exc)
                await write(HistoryStore.mark_not_placed, call_uuid, CallState.UNKNOWN, str(exc))
                raise
            except ApiError as exc:
                log.warning("call not placed (%s): %s", type(exc).__name__, exc.detail or exc)
                await write(HistoryStore.mark_not_placed, call_uuid, CallState.NOT_PLACED, str(exc))
                raise
            await write(HistoryStore.mark_placed, call_uuid, accepted.call_id)
            log.info("call placed")
            return Placed(accepted.call_id, call_uuid, request.number, "; ".join(errors))
        finally:
            self.busy = False
