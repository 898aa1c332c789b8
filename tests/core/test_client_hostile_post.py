"""POSTs against a hostile server: "not placed" only on the API's own documented refusals.

Once a POST may have left this machine, anything but a documented status with the API's JSON
error body leaves the outcome unknown: the call may be ringing, and the agent must be told so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest
from httpcore._backends.anyio import AnyIOBackend

from dialdeck.core.api import (
    ApiError,
    AuthError,
    CallRequest,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    PlatformError,
    RequestTimeoutError,
    ValidationError,
)
from tests.core.hostile import (
    MB,
    SHORT,
    HostileServer,
    bounded,
    canned,
    drip,
    firehose,
    gzip_bomb,
    reply,
    short_client,
    slow_headers,
)

pytestmark = pytest.mark.anyio
REQUEST = CallRequest("919800000000", "9876543210", "u", crm_username="agent.017")
ACCEPTED = b'{"status": "success", "call_id": "c1", "message": "Call initiated"}'


def api_error(status: str, message: str = "nope") -> bytes:
    return reply(status, b'{"status": "error", "message": "%s"}' % message.encode())


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    async with HostileServer() as server:
        yield server


async def dial(server: HostileServer, answer: bytes) -> ApiError:
    """POST /calls answered with ``answer``; the raised error (it must raise, exactly once)."""
    server.route("calls", canned(answer))
    async with short_client(server.url) as api:
        with bounded(SHORT.request_deadline), pytest.raises(ApiError) as excinfo:
            await api.initiate_call(REQUEST)
    assert server.hits["POST calls"] == 1  # never retried
    return excinfo.value


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (api_error("400 Bad Request", "Unknown agent"), ValidationError),
        (api_error("401 Unauthorized"), AuthError),
        (api_error("403 Forbidden"), ForbiddenError),
        (api_error("502 Bad Gateway", "could not queue"), PlatformError),
    ],
    ids=["400", "401", "403", "502"],
)
async def test_documented_refusals_mean_not_placed(
    hostile: HostileServer, answer: bytes, error: type[ApiError]
) -> None:
    assert type(await dial(hostile, answer)) is error


@pytest.mark.parametrize(
    "answer",
    [
        reply("200 OK", b'{"status": "success", "call_'),  # cut
        reply("200 OK", b"<html>Welcome to the hotel wifi</html>", ctype="text/html"),
        reply("200 OK", b'{"status": "success", "message": "Call initiated"}'),  # no call_id
        reply("200 OK", b'{"status": "success", "call_id": "c", "n": NaN}'),
        reply("200 OK", b'{"status": "error", "message": "on a 200"}'),
        reply("200 OK", b"[" * 100_000),
        reply("200 OK", ACCEPTED, length=len(ACCEPTED) + 10),  # promised more, then hung up
        reply("500 Internal Server Error", b"<html>Oops</html>", ctype="text/html"),
        api_error("500 Internal Server Error"),  # even with the API's body: undocumented
        api_error("503 Service Unavailable"),
        reply("504 Gateway Timeout", b"upstream timed out", ctype="text/plain"),
        reply("502 Bad Gateway", b"<html>nginx</html>", ctype="text/html"),  # 502 of a proxy
        reply("502 Bad Gateway", b'{"message": "Internal server error"}'),  # a gateway's JSON
        reply("400 Bad Request", b""),  # a documented status, but not the API's body
        reply("404 Not Found", b'{"status": "error", "message": "no route"}'),  # not for /calls
        reply("302 Found", b"", headers={"Location": "https://login.example/"}),
        reply("200 OK", gzip_bomb(100), headers={"Content-Encoding": "gzip"}),
    ],
    ids=[
        "cut-200",
        "html-200",
        "no-call-id",
        "nan",
        "error-on-200",
        "deep",
        "short-body",
        "html-500",
        "json-500",
        "json-503",
        "text-504",
        "html-502",
        "gateway-json-502",
        "empty-400",
        "404",
        "302",
        "gzip-bomb",
    ],
)
async def test_anything_else_after_sending_is_outcome_unknown(
    hostile: HostileServer, answer: bytes
) -> None:
    error = await dial(hostile, answer)
    assert type(error) is OutcomeUnknownError
    assert "may or may not have been placed" in str(error)
    assert error.detail.startswith("POST /calls")  # what happened stays in the log


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


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (api_error("404 Not Found", "Call not found"), NotFoundError),
        (api_error("409 Conflict", "Call is not live"), ConflictError),
        (api_error("400 Bad Request", "number must be 10 digits"), ValidationError),
        (reply("404 Not Found", b"<html>no such page</html>", ctype="text/html"), None),
        (reply("409 Conflict", b""), None),
        (api_error("503 Service Unavailable"), None),
        (reply("200 OK", b'{"status": "queued?"}'), None),
    ],
    ids=["404", "409", "400", "html-404", "empty-409", "503", "odd-200"],
)
async def test_add_participant_refusals(
    hostile: HostileServer, answer: bytes, error: type[ApiError] | None
) -> None:
    hostile.route("participants", canned(answer))
    async with short_client(hostile.url) as api:
        with pytest.raises(error or OutcomeUnknownError):
            await api.add_participant("c1", "9876543210")
    assert hostile.hits["POST participants"] == 1


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
