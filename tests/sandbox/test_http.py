"""Sandbox HTTP details: Range, control endpoints, fault settings, error bodies."""

from __future__ import annotations

import httpx
import pytest

from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from dialdeck.sandbox.faults import redact_credentials
from tests.sandbox.test_push import place_call, wait_for

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}


def finished_recording(sandbox: SandboxServer) -> str:
    call_id = place_call(sandbox.url)
    state: dict[str, str] = {}

    def done() -> bool:
        info = httpx.get(f"{sandbox.url}/calls/{call_id}", headers=AUTH, timeout=5).json()
        state["url"] = info["recording_url"] or ""
        return info["end_time"] is not None

    wait_for(done)
    return state["url"]


def test_recording_ranges(sandbox: SandboxServer) -> None:
    url = finished_recording(sandbox)
    full = httpx.get(url, timeout=5)
    assert full.status_code == 200
    assert full.headers["content-type"] == "audio/wav"
    assert full.headers["accept-ranges"] == "bytes"
    size = len(full.content)
    part = httpx.get(url, headers={"Range": "bytes=100-199"}, timeout=5)
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.content == full.content[100:200]
    tail = httpx.get(url, headers={"Range": "bytes=-10"}, timeout=5)
    assert tail.content == full.content[-10:]
    beyond = httpx.get(url, headers={"Range": f"bytes={size}-"}, timeout=5)
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"
    several = httpx.get(url, headers={"Range": "bytes=0-1,5-6"}, timeout=5)
    assert (several.status_code, several.content) == (200, full.content)  # RFC 9110: ignored
    assert httpx.get(url + "x", timeout=5).status_code == 404


def test_errors_are_json(sandbox: SandboxServer) -> None:
    for response in (
        httpx.get(f"{sandbox.url}/nope", timeout=5),
        httpx.post(f"{sandbox.url}/calls", timeout=5),
        httpx.delete(f"{sandbox.url}/calls", timeout=5),
    ):
        assert response.json()["status"] == "error"
        assert response.json()["message"]


def test_hangup_control(sandbox: SandboxServer) -> None:
    # 3333: the agent's phone rings for max_ring_time (2.4 s at 50x) whatever the machine's load.
    placed = httpx.post(
        f"{sandbox.url}/calls",
        json={
            "from_number": "919800000000",
            "to_number": "9876543333",
            "uuid": "hangup-1",
            "agent_number": "9000000001",
            "max_ring_time": 120,
        },
        headers=AUTH,
        timeout=5,
    )
    call_id = placed.json()["call_id"]
    hangup = f"{sandbox.url}/_sandbox/calls/{call_id}/hangup"
    assert httpx.post(hangup, json={"role": "supervisor"}, timeout=5).status_code == 404
    assert httpx.post(hangup, json={}, timeout=5).status_code == 400
    response = httpx.post(hangup, json={"role": "agent"}, timeout=5).json()
    assert (response["leg_id"], response["leg_status"]) == (1, "FAILED")  # declined while ringing
    assert httpx.post(hangup, json={"role": "agent"}, timeout=5).status_code == 409
    info = httpx.get(f"{sandbox.url}/calls/{call_id}", headers=AUTH, timeout=5).json()
    assert info["call_status"] == "CANCELED"
    assert (
        httpx.post(
            f"{sandbox.url}/_sandbox/calls/nope/hangup", json={"role": "agent"}, timeout=5
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "body",
    [
        {"drop_rate": 2},
        {"nonsense": 1},
        {"error_status": 404},
        {"error_rate": "lots"},
        [],
        # Each of these used to be accepted, then broke every later request.
        {"latency_ms": "abc"},
        {"latency_ms": -5},
        {"error_status": "503"},
        {"count": "3"},
        {"drop_after_bytes": 1.5},
        {"path_prefix": 5},
        {"error_rate": True},
        {"retry_after": -1},
        {"retry_after": "60"},
    ],
)
def test_fault_settings_are_validated(sandbox: SandboxServer, body: object) -> None:
    response = httpx.post(f"{sandbox.url}/_sandbox/faults", json=body, timeout=5)
    assert response.status_code == 400
    assert httpx.get(f"{sandbox.url}/health", timeout=5).status_code == 200  # faults unchanged


def test_latency_fault_and_reset(sandbox: SandboxServer) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json={"latency_ms": 300}, timeout=5)
    response = httpx.get(f"{sandbox.url}/health", timeout=5)
    assert response.elapsed.total_seconds() >= 0.3
    assert httpx.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["latency_ms"] == 300
    httpx.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
    assert httpx.get(f"{sandbox.url}/_sandbox/faults", timeout=5).json()["latency_ms"] == 0


def test_a_rate_limiting_gateway_is_simulated_with_its_retry_after(sandbox: SandboxServer) -> None:
    faults = {"error_rate": 1, "error_status": 429, "retry_after": 30, "count": 1}
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=faults, timeout=5)
    limited = httpx.get(f"{sandbox.url}/health", timeout=5)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "30"
    assert httpx.get(f"{sandbox.url}/health", timeout=5).status_code == 200  # count: 1


def test_request_log_records_body_and_never_the_control_calls(sandbox: SandboxServer) -> None:
    place_call(sandbox.url)
    log = httpx.get(f"{sandbox.url}/_sandbox/requests", timeout=5).json()
    assert [(r["method"], r["path"]) for r in log] == [("POST", "/calls")]
    assert log[0]["body"]["to_number"] == "9876543210"


def test_index_lists_scripted_outcomes(sandbox: SandboxServer) -> None:
    index = httpx.get(sandbox.url, timeout=5).json()
    assert "5555" in index["scripted_outcomes_by_last_four_digits"]
    assert index["talk_times"]["default_seconds"] == 20


def test_request_log_redacts_keys(sandbox: SandboxServer) -> None:
    place_call(sandbox.url)  # with the demo key
    httpx.get(f"{sandbox.url}/calls/x", headers={"Authorization": "Bearer short"}, timeout=5)
    httpx.get(f"{sandbox.url}/health?api_key=sandbox-demo-key&x=1", timeout=5)
    response = httpx.get(f"{sandbox.url}/_sandbox/requests", timeout=5)
    assert DEMO_API_KEY not in response.text
    assert "short" not in response.text
    log = response.json()
    assert log[0]["headers"]["authorization"] == "Bearer …-key"
    assert log[1]["headers"]["authorization"] == "Bearer …"
    assert log[2]["query"] == "api_key=…-key&x=1"
    # The in-process log that the app's tests read is redacted too.
    assert all(DEMO_API_KEY not in repr(r) for r in sandbox.app.requests)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Bearer sandbox-demo-key", "Bearer …-key"),
        ("bearer   abcdefghijklmnop  ", "bearer …mnop"),
        ("Basic dXNlcjpwYXNzd29yZA==", "Basic …ZA=="),
        ("Bearer", "…"),
        ("sandbox-demo-key", "…-key"),
        ("", "…"),
    ],
)
def test_redact_credentials(value: str, shown: str) -> None:
    assert redact_credentials(value) == shown
