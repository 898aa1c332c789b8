"""The result push: delivered to a real receiver, retried with backoff when it fails."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from dialdeck.sandbox.push import ResultPusher
from tests.conftest import sandbox_config


class Receiver:
    """An integrator's callback endpoint that fails its first ``failures`` requests with 503."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []
        self.times: list[float] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append(body)
                receiver.times.append(time.monotonic())
                code = 503 if len(receiver.received) <= receiver.failures else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/result"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def place_call(url: str, to: str = "9876543210") -> str:
    response = httpx.post(
        f"{url}/calls",
        json={
            "from_number": "919800000000",
            "to_number": to,
            "uuid": "push-1",
            "agent_number": "9000000001",
        },
        headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
        timeout=5,
    )
    response.raise_for_status()
    call_id: str = response.json()["call_id"]
    return call_id


def wait_for(predicate: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(failures=2) as r:
        yield r


def test_push_retries_until_delivered(receiver: Receiver) -> None:
    config = replace(sandbox_config(), callback_url=receiver.url, push_base_delay=5.0)
    with SandboxServer(config) as server:
        call_id = place_call(server.url)
        wait_for(lambda: len(receiver.received) == 3)
        attempts = httpx.get(f"{server.url}/_sandbox/pushes", timeout=5).json()
    assert [a["status_code"] for a in attempts] == [503, 503, 200]
    assert [a["delivered"] for a in attempts] == [False, False, True]
    body = receiver.received[-1]
    assert body["call_id"] == call_id
    assert body["uuid"] == "push-1"
    assert body["status"] == "ANSWER"
    assert body["call_type"] == "phone"
    assert body["agent_number"] == "9000000001"
    assert body["recording_url"].startswith(f"{server.url}/recordings/crm_")
    # Exponential backoff: 5 then 10 sandbox seconds at 50x = 0.1 s then 0.2 s.
    gaps = [b - a for a, b in zip(receiver.times, receiver.times[1:], strict=False)]
    assert gaps[0] >= 0.09
    assert gaps[1] >= 0.19
    assert gaps[1] > gaps[0] * 1.5


def test_push_gives_up_after_three_retries() -> None:
    with Receiver(failures=100) as receiver:
        config = replace(sandbox_config(), callback_url=receiver.url, push_base_delay=0.5)
        with SandboxServer(config) as server:
            place_call(server.url, "9876541111")  # busy: pushes are sent for failures too
            wait_for(lambda: len(receiver.received) == 4)
            time.sleep(0.2)
            attempts = httpx.get(f"{server.url}/_sandbox/pushes", timeout=5).json()
    assert len(receiver.received) == 4  # first try + 3 retries, and no more
    assert [a["attempt"] for a in attempts] == [1, 2, 3, 4]
    assert receiver.received[0]["status"] == "BUSY"
    assert receiver.received[0]["recording_url"] is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.anyio
async def test_push_to_nowhere_records_the_error() -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    pusher = ResultPusher(retries=3, base_delay=1.0, speed=2.0, sleep=fake_sleep)
    body = {"uuid": "u", "call_id": "c"}
    delivered = await pusher.deliver(f"http://127.0.0.1:{free_port()}/x", body)
    await pusher.aclose()
    assert delivered is False
    assert slept == [0.5, 1.0, 2.0]
    assert [a.error for a in pusher.attempts] == ["ConnectError"] * 4


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
