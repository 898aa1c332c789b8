"""The client against a hostile server: it raises the right typed error, never crashes or hangs."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest

from dialdeck.core.api import (
    CallRequest,
    CloudDialerClient,
    HttpStatusError,
    MalformedResponseError,
    NetworkError,
    OutcomeUnknownError,
    RequestTimeoutError,
    RetryPolicy,
)
from tests.core.hostile import (
    MB,
    SHORT,
    Handler,
    HostileServer,
    bounded,
    call_json,
    canned,
    drip,
    firehose,
    gzip_bomb,
    reply,
    short_client,
    slow_headers,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    async with HostileServer() as server:
        yield server


@pytest.fixture
async def client(hostile: HostileServer) -> AsyncIterator[CloudDialerClient]:
    timeout = httpx.Timeout(0.3)
    retry = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    async with CloudDialerClient(hostile.url, "k", timeout=timeout, retry=retry) as api:
        yield api


@pytest.mark.parametrize(
    ("call_id", "error", "attempts"),
    [
        ("html500", HttpStatusError, 3),  # 5xx: retried, then given up
        ("html200", MalformedResponseError, 1),
        ("malformed", MalformedResponseError, 1),
        ("empty", MalformedResponseError, 1),
        ("list", MalformedResponseError, 1),
        ("nostatus", MalformedResponseError, 1),  # no call_status
        ("badtypes", MalformedResponseError, 1),
        ("error-on-200", MalformedResponseError, 1),
        ("teapot", HttpStatusError, 1),
        ("drop", NetworkError, 3),
        ("truncated", NetworkError, 3),
        ("slow", RequestTimeoutError, 3),
        # Numbers and nesting that json.loads accepts or chokes on outside ValueError.
        ("nan", MalformedResponseError, 1),
        ("infinity", MalformedResponseError, 1),
        ("overflow", MalformedResponseError, 1),  # 1e999 -> inf -> OverflowError in int()
        ("bigint", MalformedResponseError, 1),
        ("deep", MalformedResponseError, 1),  # RecursionError in the scanner
        ("deep-object", MalformedResponseError, 1),
        ("badutf8", MalformedResponseError, 1),
    ],
)
async def test_get_call_against_hostile_answers(
    client: CloudDialerClient,
    hostile: HostileServer,
    call_id: str,
    error: type[Exception],
    attempts: int,
) -> None:
    with anyio.fail_after(5):  # never hangs past its timeout (3 x 0.3 s + backoff)
        with pytest.raises(error) as excinfo:
            await client.get_call(call_id)
    assert hostile.hits[f"GET {call_id}"] == attempts
    assert str(excinfo.value)  # a message for the agent, always


async def test_teapot_message_includes_server_reason(client: CloudDialerClient) -> None:
    with pytest.raises(HttpStatusError, match=r"error 418\. It said: short and stout"):
        await client.get_call("teapot")


async def test_unknown_enums_and_fields_are_tolerated(client: CloudDialerClient) -> None:
    info = await client.get_call("unknown-enum")
    assert info.call_status == "RINGING_ON_MARS"
    assert not info.call_status.is_known
    assert not info.is_over  # unknown status, no end time: still being followed
    assert info.duration == 7
    assert info.end_time is None  # unreadable date tolerated
    assert info.legs[0].role == "supervisor"
    assert info.legs[0].status == "MUTED"


async def test_post_dropped_after_sending_is_outcome_unknown(
    client: CloudDialerClient, hostile: HostileServer
) -> None:
    request = CallRequest("919800000000", "9876543210", "u", crm_username="a")
    with pytest.raises(OutcomeUnknownError):
        await client.initiate_call(request)
    assert hostile.hits["POST calls"] == 1  # never retried


async def test_post_timeout_is_outcome_unknown(hostile: HostileServer) -> None:
    async with CloudDialerClient(hostile.url + "/slowpost", "k", timeout=httpx.Timeout(0.3)) as api:
        with anyio.fail_after(3), pytest.raises(OutcomeUnknownError):
            await api.add_participant("c", "9876543210")
    assert hostile.hits["POST participants"] == 1


async def test_post_to_a_closed_port_is_a_plain_network_error() -> None:
    """On this computer (a local server or sandbox): "is it running?", not the internet."""
    async with HostileServer() as server:
        url = server.url
    async with CloudDialerClient(url, "k") as api:
        with pytest.raises(NetworkError, match=r"Nothing answered at http://127\.0\.0\.1:"):
            await api.initiate_call(
                CallRequest("9198", "9876543210", "u", agent_number="9876543211")
            )


async def test_download_of_html_is_rejected(client: CloudDialerClient, tmp_path: Path) -> None:
    with pytest.raises(MalformedResponseError.__mro__[1]) as excinfo:  # ApiError
        await client.download_recording("/recordings/html200", tmp_path / "x.wav")
    assert "not playable" in str(excinfo.value)
    assert list(tmp_path.iterdir()) == []


# -- deadlines and sizes on GET ------------------------------------------------------------------

VALID = call_json(duration="42")


@pytest.mark.parametrize(
    "handler",
    [
        drip(reply("200 OK", b"", length=len(VALID)), VALID),  # one byte every 0.3 s
        slow_headers(reply("200 OK", VALID), delay=30),  # accepts, then silence
    ],
    ids=["drip", "slow-headers"],
)
async def test_get_has_a_total_deadline_across_retries(
    hostile: HostileServer, handler: Handler
) -> None:
    hostile.route("stuck", handler)
    async with short_client(hostile.url) as api:
        with bounded(SHORT.get_deadline), pytest.raises(RequestTimeoutError) as excinfo:
            await api.get_call("stuck")
    assert 2 <= hostile.hits["GET stuck"] <= 3  # retried per attempt deadline, within the bound
    assert "retries included" in excinfo.value.detail


async def test_health_has_a_deadline(hostile: HostileServer) -> None:
    body = b'{"status": "success"}'
    hostile.route("health", drip(reply("200 OK", b"", length=len(body)), body))
    async with short_client(hostile.url) as api:
        with bounded(SHORT.get_deadline), pytest.raises(RequestTimeoutError):
            await api.health()


async def test_gzip_bomb_is_refused_while_inflating(hostile: HostileServer) -> None:
    bomb = gzip_bomb(100)  # 100 MB of zeros in ~100 kB
    hostile.route("bomb", canned(reply("200 OK", bomb, headers={"Content-Encoding": "gzip"})))
    async with short_client(hostile.url) as api:
        with (
            bounded(SHORT.request_deadline, memory=8 * MB),
            pytest.raises(MalformedResponseError, match="understand") as excinfo,
        ):
            await api.get_call("bomb")
    assert "limit" in excinfo.value.detail
    assert hostile.hits["GET bomb"] == 1


async def test_small_gzip_answer_is_still_understood(hostile: HostileServer) -> None:
    packed = gzip.compress(VALID)
    hostile.route("packed", canned(reply("200 OK", packed, headers={"Content-Encoding": "gzip"})))
    async with short_client(hostile.url) as api:
        assert (await api.get_call("packed")).duration == 42
    assert hostile.requests[-1].headers["accept-encoding"] == "gzip"


@pytest.mark.parametrize("encoding", ["br", "gzip, gzip", "zstd"])
async def test_encodings_we_did_not_ask_for_are_malformed(
    hostile: HostileServer, encoding: str
) -> None:
    hostile.route("odd", canned(reply("200 OK", VALID, headers={"Content-Encoding": encoding})))
    async with short_client(hostile.url) as api:
        with pytest.raises(MalformedResponseError):
            await api.get_call("odd")


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "until-close"])
async def test_50_mb_json_is_cut_off_at_the_cap(hostile: HostileServer, announced: bool) -> None:
    total = 50 * MB
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    head += (
        f"Content-Length: {total}\r\n\r\n".encode() if announced else b"Connection: close\r\n\r\n"
    )
    hostile.route("huge", firehose(hostile, head, total))
    async with short_client(hostile.url) as api:
        with bounded(SHORT.request_deadline, memory=8 * MB), pytest.raises(MalformedResponseError):
            await api.get_call("huge")
    assert hostile.sent < 8 * MB  # the client stopped reading; socket buffers took the rest


@pytest.mark.parametrize(
    "body", [b"[" * 100_000, b'{"message": NaN}', b'{"message": 1e999}', b"\xff\xfe{"]
)
async def test_error_bodies_are_parsed_strictly_too(hostile: HostileServer, body: bytes) -> None:
    """A hostile 4xx body costs the message, never a RecursionError or ValueError."""
    hostile.route("weird", canned(reply("418 I'm a teapot", body)))
    hostile.route("health", canned(reply("200 OK", body)))
    async with short_client(hostile.url) as api:
        with pytest.raises(HttpStatusError) as excinfo:
            await api.get_call("weird")
        assert "It said" not in str(excinfo.value)
        with pytest.raises(MalformedResponseError):
            await api.health()


async def test_an_address_no_dns_server_knows_is_said_as_such() -> None:
    """A typo in the API address (or no network at all): "not found", not "check your internet"."""
    one_try = RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01)
    request = CallRequest(
        from_number="919800000000", to_number="9876543210", uuid="t-dns", agent_number="9000000001"
    )
    async with CloudDialerClient("https://dialdeck-test.invalid", "key", retry=one_try) as client:
        with pytest.raises(NetworkError) as got:
            await client.test_connection()
        assert str(got.value).startswith("The address dialdeck-test.invalid was not found.")
        assert "Settings" in str(got.value)
        with pytest.raises(NetworkError) as placed:  # nothing was sent: safe to say so
            await client.initiate_call(request)
        assert str(placed.value) == str(got.value)
