"""The API client against the real sandbox over loopback sockets."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from dialdeck.core.api import (
    AuthError,
    CallInfo,
    CallRequest,
    CallStatus,
    CloudDialerClient,
    ConflictError,
    ForbiddenError,
    LegStatus,
    NotFoundError,
    OutcomeUnknownError,
    PlatformError,
    RetryPolicy,
    ValidationError,
)
from dialdeck.core.api.client import check_base_url
from dialdeck.core.api.errors import InsecureUrlError, MalformedResponseError
from dialdeck.core.api.urls import loopback_only_tls
from dialdeck.core.audio import probe_audio
from dialdeck.sandbox import DEMO_AGENT, DEMO_API_KEY, SandboxServer
from tests.conftest import RESTRICTED_KEY, SPEED

pytestmark = pytest.mark.anyio
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[CloudDialerClient]:
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as api:
        yield api


def call_request(to: str = "9876543210", **changes: Any) -> CallRequest:
    fields: dict[str, Any] = {
        "from_number": "919800000000",
        "to_number": to,
        "uuid": str(uuid.uuid4()),
        "crm_username": DEMO_AGENT,
    }
    fields.update(changes)
    return CallRequest(**fields)


async def poll_until_over(client: CloudDialerClient, call_id: str, seconds: float = 10) -> CallInfo:
    seen: list[CallInfo] = []
    with anyio.fail_after(seconds):
        while True:
            info = await client.get_call(call_id)
            seen.append(info)
            if info.is_over:
                return info
            await anyio.sleep(0.01)


def sandbox_requests(sandbox: SandboxServer) -> list[dict[str, Any]]:
    response = httpx.get(f"{sandbox.url}/_sandbox/requests", timeout=5)
    result: list[dict[str, Any]] = response.json()
    return result


def set_faults(sandbox: SandboxServer, **faults: Any) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=faults, timeout=5).raise_for_status()


async def test_health_and_test_connection(
    client: CloudDialerClient, sandbox: SandboxServer
) -> None:
    await client.health()
    await client.test_connection()
    probe = sandbox_requests(sandbox)[-1]
    assert probe["method"] == "GET"
    assert probe["path"].startswith("/calls/dialdeck-probe-")  # a random id, no call placed
    assert not any(r["method"] == "POST" for r in sandbox_requests(sandbox))


async def test_loopback_only_tls_works_on_loopback_and_trusts_nobody(
    sandbox: SandboxServer,
) -> None:
    """The sandbox session's TLS settings load no CA store; an https peer could never verify."""
    tls = loopback_only_tls()
    assert tls.verify_mode == ssl.CERT_REQUIRED and tls.check_hostname
    assert tls.cert_store_stats()["x509_ca"] == 0
    assert tls.get_ca_certs() == []
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY, tls=tls) as api:
        await api.test_connection()


async def test_test_connection_with_a_wrong_key(sandbox: SandboxServer) -> None:
    async with CloudDialerClient(sandbox.url, "wrong", retry=FAST_RETRY) as api:
        with pytest.raises(AuthError, match="did not accept the API key"):
            await api.test_connection()


async def test_answered_call_end_to_end(client: CloudDialerClient, tmp_path: Path) -> None:
    request = call_request()
    accepted = await client.initiate_call(request)
    first = await client.get_call(accepted.call_id)
    assert first.uuid == request.uuid
    assert first.call_status in (CallStatus.INITIATED, CallStatus.ANSWER)
    final = await poll_until_over(client, accepted.call_id)
    assert final.call_status is CallStatus.ANSWER
    assert [(leg.role.value, leg.status) for leg in final.legs] == [
        ("agent", LegStatus.LEFT),
        ("destination", LegStatus.LEFT),
    ]
    assert final.end_time is not None and final.start_time is not None
    assert final.recording_url

    progress: list[tuple[int, int | None]] = []
    dest = tmp_path / "call.wav"
    info = await client.download_recording(
        final.recording_url, dest, progress=lambda done, total: progress.append((done, total))
    )
    assert dest.exists() and not dest.with_name("call.wav.part").exists()
    assert info.container == "wav" and info.sample_rate == 8000
    assert info.duration == pytest.approx(20.0, abs=0.01)  # the sandbox's talk time
    assert probe_audio(dest) == info
    assert progress[-1] == (dest.stat().st_size, dest.stat().st_size)


@pytest.mark.parametrize(
    ("to", "status"),
    [
        ("9876540000", CallStatus.NO_ANSWER),
        ("9876541111", CallStatus.BUSY),
        ("9876542222", CallStatus.FAILED),
        ("9876543333", CallStatus.NO_ANSWER),
        ("9876544444", CallStatus.CANCELED),
    ],
)
async def test_scripted_outcomes(client: CloudDialerClient, to: str, status: CallStatus) -> None:
    accepted = await client.initiate_call(call_request(to, max_ring_time=5))
    final = await poll_until_over(client, accepted.call_id)
    assert final.call_status is status
    assert final.recording_url is None


async def test_platform_refusal_is_502(client: CloudDialerClient) -> None:
    with pytest.raises(PlatformError, match="could not queue the call"):
        await client.initiate_call(call_request("9876545555"))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"from_number": "919999999999"}, "Unrecognised caller ID"),
        ({"to_number": "12345"}, "to_number must be 10 digits"),
        ({"crm_username": "nobody"}, "Unknown agent"),
        ({"max_ring_time": 1}, "max_ring_time must be between 5 and 120"),
    ],
)
async def test_validation_errors_carry_the_server_reason(
    client: CloudDialerClient, changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        await client.initiate_call(call_request(**changes))
    assert reason in excinfo.value.reason
    assert str(excinfo.value).startswith("CloudDialer rejected the request: ")


async def test_both_or_neither_agent_fields_is_400(sandbox: SandboxServer) -> None:
    base = {"from_number": "919800000000", "to_number": "9876543210", "uuid": "x"}
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    async with httpx.AsyncClient(base_url=sandbox.url) as raw:
        both = await raw.post(
            "/calls",
            json={**base, "crm_username": DEMO_AGENT, "agent_number": "9876543210"},
            headers=headers,
        )
        neither = await raw.post("/calls", json=base, headers=headers)
        bad_type = await raw.post(
            "/calls", json={**base, "crm_username": DEMO_AGENT, "recording": "yes"}, headers=headers
        )
        not_json = await raw.post("/calls", content=b"{nope", headers=headers)
    for response in (both, neither, bad_type, not_json):
        assert response.status_code == 400
        assert response.json()["status"] == "error"


async def test_wrong_key_is_401_and_restricted_key_is_403(sandbox: SandboxServer) -> None:
    async with CloudDialerClient(sandbox.url, "not-a-key", retry=FAST_RETRY) as api:
        with pytest.raises(AuthError):
            await api.initiate_call(call_request())
    async with CloudDialerClient(sandbox.url, None, retry=FAST_RETRY) as api:
        with pytest.raises(AuthError):
            await api.get_call("anything")
    async with CloudDialerClient(sandbox.url, RESTRICTED_KEY, retry=FAST_RETRY) as api:
        with pytest.raises(ForbiddenError, match="does not allow calls from this network"):
            await api.initiate_call(call_request())


async def test_unknown_call_is_404(client: CloudDialerClient) -> None:
    with pytest.raises(NotFoundError):
        await client.get_call("no-such-call")


async def wait_live(client: CloudDialerClient, call_id: str) -> CallInfo:
    with anyio.fail_after(5):
        while not (info := await client.get_call(call_id)).is_live:
            await anyio.sleep(0.01)
    return info


async def test_add_participant_success_and_failure(sandbox: SandboxServer) -> None:
    async with CloudDialerClient(sandbox.url, DEMO_API_KEY, retry=FAST_RETRY) as client:
        accepted = await client.initiate_call(call_request())
        await wait_live(client, accepted.call_id)

        joined = await client.add_participant(accepted.call_id, "+919123456789")
        failed = await client.add_participant(accepted.call_id, "9123451111", max_ring_time=5)
        assert joined.leg_id is not None and failed.leg_id is not None
        with anyio.fail_after(5):
            while True:
                info = await client.get_call(accepted.call_id)
                statuses = [leg.status for leg in info.legs]
                if statuses[2:] == [LegStatus.JOINED, LegStatus.FAILED]:
                    break
                await anyio.sleep(0.01)
        assert info.is_live  # the failed participant did not end the call
        assert [leg.role.value for leg in info.legs] == [
            "agent",
            "destination",
            "participant",
            "participant",
        ]

        with pytest.raises(ValidationError):
            await client.add_participant(accepted.call_id, "123")
        # Agent and participant would talk on after the customer leaves: hang the participant up.
        httpx.post(
            f"{sandbox.url}/_sandbox/calls/{accepted.call_id}/hangup",
            json={"leg_id": joined.leg_id},
            timeout=5,
        ).raise_for_status()
        final = await poll_until_over(client, accepted.call_id)
        with pytest.raises(ConflictError):
            await client.add_participant(final.call_id, "9123456789")


async def test_post_is_never_retried_and_a_lost_answer_is_outcome_unknown(
    client: CloudDialerClient, sandbox: SandboxServer
) -> None:
    set_faults(sandbox, drop_rate=1.0, count=1, path_prefix="/calls")
    with pytest.raises(OutcomeUnknownError, match="may or may not have been placed"):
        await client.initiate_call(call_request())
    posts = [r for r in sandbox_requests(sandbox) if r["method"] == "POST"]
    assert len(posts) == 1
    calls = httpx.get(f"{sandbox.url}/_sandbox/calls", timeout=5).json()
    assert len(calls) == 1  # the call really was placed: that is why we must not retry


async def test_post_5xx_is_not_retried(client: CloudDialerClient, sandbox: SandboxServer) -> None:
    # A proxy's 503 page after the request went out: the call may have been queued behind it.
    set_faults(sandbox, error_rate=1.0, count=1, path_prefix="/calls")
    with pytest.raises(OutcomeUnknownError) as excinfo:
        await client.initiate_call(call_request())
    assert "HTTP 503" in excinfo.value.detail
    assert len([r for r in sandbox_requests(sandbox) if r["method"] == "POST"]) == 1


async def test_get_retries_through_5xx_and_drops(
    client: CloudDialerClient, sandbox: SandboxServer
) -> None:
    accepted = await client.initiate_call(call_request())
    for fault in ("error_rate", "drop_rate"):
        httpx.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
        set_faults(sandbox, **{fault: 1.0}, count=3, path_prefix="/calls/")
        with pytest.raises(NotFoundError):  # the reset forgot the call: proves we got through
            await client.get_call(accepted.call_id)
        gets = [r for r in sandbox_requests(sandbox) if r["method"] == "GET"]
        assert len(gets) == 4, fault  # three faults, then an answer


async def test_get_gives_up_after_bounded_retries(
    client: CloudDialerClient, sandbox: SandboxServer
) -> None:
    set_faults(sandbox, error_rate=1.0, path_prefix="/calls/")
    with pytest.raises(Exception, match="error 503"):
        await client.get_call("x")
    assert len(sandbox_requests(sandbox)) == FAST_RETRY.attempts


async def test_malformed_success_body(client: CloudDialerClient, sandbox: SandboxServer) -> None:
    set_faults(sandbox, malformed_rate=1.0, count=1, path_prefix="/health")
    with pytest.raises(MalformedResponseError):
        await client.health()


async def test_base_url_with_path_prefix(sandbox: SandboxServer) -> None:
    """A prefixed base URL is joined, not replaced: the sandbox has no prefix, so this 404s."""
    async with CloudDialerClient(sandbox.url + "/v1/", DEMO_API_KEY, retry=FAST_RETRY) as api:
        assert api.base_url == sandbox.url + "/v1"
        with pytest.raises(NotFoundError):
            await api.get_call("abc")
    assert sandbox_requests(sandbox)[-1]["path"] == "/v1/calls/abc"


def test_plain_http_only_for_loopback() -> None:
    assert check_base_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert check_base_url("http://localhost:1") == "http://localhost:1"
    assert check_base_url("http://[::1]:1") == "http://[::1]:1"
    assert check_base_url("https://api.clouddialer.in/") == "https://api.clouddialer.in"
    for bad in (
        "http://api.clouddialer.in",
        "http://192.168.1.5",
        "ftp://x",
        "api.clouddialer.in",
        "",
        "https://api.clouddialer.in:99999",
        "https://api.clouddialer.in:port",
        "https://user:pw@api.clouddialer.in",
        "https://api.clouddialer.in/?x=1",
        "https://api cloud dialer.in",
        "https://api.clouddialer.in/a\x00b",
        "https://",
        "https://[::1",
    ):
        with pytest.raises(InsecureUrlError) as caught:
            check_base_url(bad)
        assert str(caught.value).strip(), bad  # always a message the agent can act on
    with pytest.raises(InsecureUrlError, match=r"https://api\.clouddialer\.in"):
        check_base_url("api.clouddialer.in")


def test_client_repr_never_shows_the_key() -> None:
    client = CloudDialerClient("https://api.clouddialer.in", "super-secret-key")
    assert "super-secret-key" not in repr(client)
    anyio.run(client.aclose)


async def test_sandbox_speed_is_applied(client: CloudDialerClient) -> None:
    """A full answered call (25 sandbox seconds) finishes in well under a second at 50x."""
    started = anyio.current_time()
    accepted = await client.initiate_call(call_request())
    await poll_until_over(client, accepted.call_id)
    assert anyio.current_time() - started < 25 / SPEED * 3
