"""A server that asks for fewer requests (429, or 503 with Retry-After) is waited for, not
hammered: GETs stop their quick retries, downloads keep their ``.part`` and wait; a POST turned
away with 429 placed nothing (a rate limiter does not read what it refuses)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from dialdeck.core.api import (
    CallRequest,
    HttpStatusError,
    OutcomeUnknownError,
    RateLimitedError,
)
from dialdeck.core.api.download import WAIT_IN_PLACE
from dialdeck.core.api.wire import MAX_RETRY_AFTER, retry_after_seconds
from dialdeck.sandbox.wav import synthesize_call
from tests.core.hostile import HostileServer, Request, bounded, canned, reply, short_client

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 7, 3, 10, 0, tzinfo=UTC)
TOO_MANY = b'{"status": "error", "message": "slow down"}'


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),  # in the past: now
        ("99999999999999999999", MAX_RETRY_AFTER),  # a day, a year: capped
        ("9" * 50_000, MAX_RETRY_AFTER),  # past int()'s digit limit
        ("000000000007", 7.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        ("٣", None),  # an Arabic-Indic digit: isdigit() but not a delay-seconds
        (None, None),
    ],
)
def test_retry_after_is_read_as_rfc_9110_says_and_bounded(
    header: str | None, seconds: float | None
) -> None:
    assert retry_after_seconds(header, NOW) == seconds


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    async with HostileServer() as server:
        yield server


async def test_a_429_on_a_get_is_said_once_with_the_wait(hostile: HostileServer) -> None:
    answer = reply("429 Too Many Requests", TOO_MANY, headers={"Retry-After": "7"})
    hostile.route("c1", canned(answer))
    async with short_client(hostile.url) as api:
        with pytest.raises(RateLimitedError) as excinfo:
            await api.get_call("c1")
    assert hostile.hits["GET c1"] == 1  # no quick retries into a rate limit
    assert excinfo.value.retry_after == 7.0
    assert "slow down" in str(excinfo.value) and "7 seconds" in str(excinfo.value)


async def test_a_503_that_says_when_is_not_retried_at_once(hostile: HostileServer) -> None:
    answer = reply("503 Service Unavailable", b"", headers={"Retry-After": "30"})
    hostile.route("c1", canned(answer))
    async with short_client(hostile.url) as api:
        with pytest.raises(HttpStatusError) as excinfo:
            await api.get_call("c1")
    assert hostile.hits["GET c1"] == 1
    assert excinfo.value.retry_after == 30.0


async def test_a_503_that_does_not_say_when_is_still_retried(hostile: HostileServer) -> None:
    hostile.route("c1", canned(reply("503 Service Unavailable", b"")))
    async with short_client(hostile.url) as api:
        with pytest.raises(HttpStatusError) as excinfo:
            await api.get_call("c1")
    assert hostile.hits["GET c1"] == 3
    assert excinfo.value.retry_after is None


@pytest.mark.parametrize("body", [TOO_MANY, b"<html>429 Too Many Requests</html>", b""])
async def test_a_429_to_a_call_request_is_a_refusal(hostile: HostileServer, body: bytes) -> None:
    """A rate limiter (the API's or a gateway's, with its own page or none) turns the request
    away unread: nothing was placed, and the agent is told to wait, not to check their phone."""
    answer = reply("429 Too Many Requests", body, headers={"Retry-After": "20"})
    hostile.route("calls", canned(answer))
    request = CallRequest("919800000000", "9876543210", "u1", crm_username="agent.017")
    async with short_client(hostile.url) as api:
        with pytest.raises(RateLimitedError) as excinfo:
            await api.initiate_call(request)
    assert hostile.hits["POST calls"] == 1  # never retried
    assert excinfo.value.retry_after == 20.0


async def test_a_proxy_page_with_another_status_still_may_have_placed_the_call(
    hostile: HostileServer,
) -> None:
    hostile.route("calls", canned(reply("503 Service Unavailable", b"<html>busy</html>")))
    request = CallRequest("919800000000", "9876543210", "u1", crm_username="agent.017")
    async with short_client(hostile.url) as api:
        with pytest.raises(OutcomeUnknownError):
            await api.initiate_call(request)


WAV = synthesize_call(5, 8000, seed=3)


async def test_a_download_waits_out_a_short_retry_after(
    hostile: HostileServer, tmp_path: Path
) -> None:
    answers = [reply("503 Service Unavailable", b"", headers={"Retry-After": "1"})]
    times: list[float] = []

    async def flaky(request: Request, writer: asyncio.StreamWriter) -> None:
        times.append(asyncio.get_running_loop().time())
        writer.write(answers.pop() if answers else reply("200 OK", WAV, ctype="audio/wav"))
        await writer.drain()

    hostile.route("r.wav", flaky)
    async with short_client(hostile.url) as api:
        with bounded(10):
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert (tmp_path / "r.wav").read_bytes() == WAV
    assert len(times) == 2 and times[1] - times[0] >= 1.0  # not the 0.02 s quick retry


async def test_a_download_told_to_wait_long_ends_and_keeps_its_part(
    hostile: HostileServer, tmp_path: Path
) -> None:
    wait = str(int(WAIT_IN_PLACE) + 600)
    hostile.route(
        "r.wav",
        canned(reply("429 Too Many Requests", TOO_MANY, headers={"Retry-After": wait})),
    )
    (tmp_path / "r.wav.part").write_bytes(WAV[:1000])  # from an earlier, interrupted try
    async with short_client(hostile.url) as api:
        with bounded(5), pytest.raises(RateLimitedError) as excinfo:
            await api.download_recording("/recordings/r.wav", tmp_path / "r.wav")
    assert excinfo.value.retry_after == float(wait)
    assert hostile.hits["GET r.wav"] == 1
    assert (tmp_path / "r.wav.part").stat().st_size == 1000  # resumed when the server said
