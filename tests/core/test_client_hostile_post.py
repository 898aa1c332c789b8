"""POSTs against a hostile server: bounded in time and size, never retried."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from httpcore._backends.anyio import AnyIOBackend

from dialdeck.core.api import (
    CallRequest,
    OutcomeUnknownError,
    RequestTimeoutError,
)
from tests.core.hostile import (
    MB,
    SHORT,
    HostileServer,
    bounded,
    canned,
    drip,
    firehose,
    reply,
    short_client,
    slow_headers,
)

pytestmark = pytest.mark.anyio
REQUEST = CallRequest("919800000000", "9876543210", "u", crm_username="agent.017")
ACCEPTED = b'{"status": "success", "call_id": "c1", "message": "Call initiated"}'


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    async with HostileServer() as server:
        yield server


async def test_an_oversized_success_is_outcome_unknown(hostile: HostileServer) -> None:
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {50 * MB}\r\n\r\n".encode()
    hostile.route("calls", firehose(hostile, head, 50 * MB))
    async with short_client(hostile.url) as api:
        with bounded(SHORT.request_deadline, memory=8 * MB), pytest.raises(OutcomeUnknownError):
            await api.initiate_call(REQUEST)


@pytest.mark.parametrize(
    "handler",
    [
        drip(reply("200 OK", b"", length=len(ACCEPTED)), ACCEPTED),
        slow_headers(reply("200 OK", ACCEPTED), delay=30),
    ],
    ids=["drip", "slow-headers"],
)
@pytest.mark.parametrize("operation", ["dial", "add-participant"])
async def test_post_deadline_is_outcome_unknown(
    hostile: HostileServer, handler: object, operation: str
) -> None:
    hostile.route("calls", handler)  # type: ignore[arg-type]
    hostile.route("participants", handler)  # type: ignore[arg-type]
    async with short_client(hostile.url) as api:
        post = (
            (lambda: api.initiate_call(REQUEST))
            if operation == "dial"
            else (lambda: api.add_participant("c1", "9876543210"))
        )
        with bounded(SHORT.request_deadline), pytest.raises(OutcomeUnknownError) as excinfo:
            await post()
    assert "within 1s" in excinfo.value.detail
    assert sum(hostile.hits.values()) == 1


async def test_a_good_answer_is_still_a_call(hostile: HostileServer) -> None:
    hostile.route("calls", canned(reply("200 OK", ACCEPTED)))
    async with short_client(hostile.url) as api:
        accepted = await api.initiate_call(REQUEST)
    assert accepted.call_id == "c1"
    assert hostile.requests[-1].headers["authorization"] == "Bearer k"


async def test_deadline_before_sending_is_not_outcome_unknown(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection that never opens: nothing left this machine, so the call was not placed."""

    async def connect_forever(*args: object, **kwargs: object) -> None:
        await anyio.sleep(30)

    monkeypatch.setattr(AnyIOBackend, "connect_tcp", connect_forever)
    async with short_client(hostile.url) as api:
        with bounded(SHORT.request_deadline), pytest.raises(RequestTimeoutError) as excinfo:
            await api.initiate_call(REQUEST)
    assert "not even sent" in excinfo.value.detail
    assert hostile.hits == {}
