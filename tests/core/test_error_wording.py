"""Error messages say what failed: a 502 on a status poll is not "could not queue the call"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from dialdeck.core.api import (
    CallRequest,
    CloudDialerClient,
    HttpStatusError,
    OutcomeUnknownError,
    PlatformError,
    RetryPolicy,
)
from dialdeck.core.api.errors import ApiError, Operation, RateLimitedError
from dialdeck.core.api.paths import operation
from dialdeck.sandbox import DEMO_API_KEY, SandboxServer

pytestmark = pytest.mark.anyio

PROXY_PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
API_ERROR = b'{"status": "error", "message": "Could not queue the call"}'


async def no_sleep(seconds: float) -> None:
    pass


def client_answering(status: int, body: bytes = PROXY_PAGE) -> CloudDialerClient:
    kind = "application/json" if body.startswith(b"{") else "text/html"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, stream=httpx.ByteStream(body), headers={"Content-Type": kind})

    return CloudDialerClient(
        "https://api.example.test",
        "key",
        retry=RetryPolicy(attempts=2, base_delay=0, max_delay=0),
        sleep=no_sleep,
        transport=httpx.MockTransport(handler),
    )


REQUEST = CallRequest(
    from_number="919800000000", to_number="9876543210", uuid="u", crm_username="agent.017"
)


async def failure(
    status: int, call: Callable[[CloudDialerClient], Awaitable[object]], body: bytes = PROXY_PAGE
) -> ApiError:
    async with client_answering(status, body) as client:
        with pytest.raises(ApiError) as excinfo:
            await call(client)
    return excinfo.value


async def test_502_placing_a_call_could_not_queue() -> None:
    error = await failure(502, lambda c: c.initiate_call(REQUEST), API_ERROR)
    assert isinstance(error, PlatformError)
    assert str(error) == "The telephony platform could not queue the call. Try again in a moment."


async def test_502_on_a_status_poll_is_the_status_service() -> None:
    error = await failure(502, lambda c: c.get_call("abc"))
    assert not isinstance(error, PlatformError)
    assert isinstance(error, HttpStatusError)
    assert str(error) == "CloudDialer's status service is having trouble; Dialdeck keeps trying."
    assert "queue" not in str(error)


async def test_502_adding_a_participant() -> None:
    error = await failure(502, lambda c: c.add_participant("abc", "9123456789"), API_ERROR)
    assert isinstance(error, PlatformError)
    assert "could not add the participant" in str(error)
    assert "The call goes on" in str(error)


async def test_502_downloading_is_retried_then_worded_as_a_download(tmp_path: Path) -> None:
    error = await failure(502, lambda c: c.download_recording("/recordings/x.wav", tmp_path / "x"))
    assert isinstance(error, HttpStatusError)  # retryable, like any other 5xx on a download
    assert str(error) == (
        "The recording server is having trouble; Dialdeck will try the download again."
    )


async def test_502_on_the_health_check() -> None:
    error = await failure(502, lambda c: c.health())
    assert "queue" not in str(error)
    assert "service is having trouble" in str(error)


async def test_a_proxy_page_after_a_post_is_outcome_unknown_not_refused() -> None:
    for call in (
        lambda c: c.initiate_call(REQUEST),
        lambda c: c.add_participant("abc", "9123456789"),
    ):
        for status in (500, 502, 503, 504):
            assert isinstance(await failure(status, call), OutcomeUnknownError)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda c: c.get_call("abc"), "status service is having trouble (error 503)"),
        (lambda c: c.health(), "service is having trouble (error 503)"),
    ],
)
async def test_other_5xx_are_worded_by_operation(
    call: Callable[[CloudDialerClient], Awaitable[object]], words: str
) -> None:
    error = await failure(503, call)
    assert isinstance(error, HttpStatusError)
    assert words in str(error)


def test_operation_of_each_path() -> None:
    assert operation("POST", "/calls") is Operation.PLACE_CALL
    assert operation("POST", "/calls/abc/participants") is Operation.ADD_PARTICIPANT
    assert operation("GET", "/calls/abc") is Operation.CALL_STATUS
    assert operation("GET", "/calls/participants") is Operation.CALL_STATUS
    assert operation("GET", "/health") is Operation.HEALTH


def test_status_error_without_operation_keeps_the_old_words() -> None:
    assert (
        str(HttpStatusError(500)) == "CloudDialer had a problem (error 500). Try again in a moment."
    )
    assert str(HttpStatusError(418, "tea")) == "CloudDialer answered with error 418. It said: tea"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(None, ""), (1, "a pause of 1 second."), (7.4, "a pause of 7 seconds."),
     (0.2, "a pause of 1 second."), (3600, "a pause of 60 minutes.")],
)  # fmt: skip
def test_a_rate_limit_says_the_pause_asked_for(seconds: float | None, said: str) -> None:
    """Right wherever it is read: a Settings test, a download's reason, the log."""
    text = str(RateLimitedError(seconds))
    assert text.startswith("CloudDialer asked Dialdeck to slow down (too many requests).")
    assert text.endswith(said) and ("pause" in text) == bool(said)


async def test_a_failing_connection_test_is_worded_as_a_test(sandbox: SandboxServer) -> None:
    """Not "…status service is having trouble; Dialdeck keeps trying": nothing retries a test."""
    faults = {"error_rate": 1, "count": 3, "path_prefix": "/calls"}
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=faults, timeout=5)
    retry = RetryPolicy(attempts=1, base_delay=0, max_delay=0)
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=retry) as api:
        with pytest.raises(HttpStatusError) as excinfo:
            await api.test_connection()
    assert "keeps trying" not in str(excinfo.value)
    assert "Try again in a moment" in str(excinfo.value)
