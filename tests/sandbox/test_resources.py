"""A sandbox left running all day stays small and idle: bounded logs, pruned calls, streamed WAVs,
and a ticker that sleeps until something is due."""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from dialdeck.sandbox import DEMO_API_KEY, SandboxConfig, SandboxServer
from dialdeck.sandbox.clock import FakeClock
from dialdeck.sandbox.engine import CallEngine
from dialdeck.sandbox.faults import LOG_SIZE, FaultsAndLog
from dialdeck.sandbox.push import ResultPusher
from dialdeck.sandbox.wav import SynthesizedRecording
from tests.conftest import sandbox_config
from tests.sandbox.test_engine import ACCOUNT, place
from tests.sandbox.test_push import free_port, place_call, wait_for


def finish_calls(engine: CallEngine, clock: FakeClock, count: int) -> None:
    for i in range(count):
        place(engine, f"98765{i:05d}", uuid=f"u-{i}")
        clock.advance(30)  # each call: 2 + 3 + 20 sandbox seconds, then over
        engine.tick()


def test_500_calls_keep_at_most_keep_calls() -> None:
    clock = FakeClock()
    engine = CallEngine(replace(SandboxConfig(), keep_calls=50), clock)
    finish_calls(engine, clock, 500)
    assert len(engine.calls) == 50
    kept = list(engine.calls.values())
    assert [c.uuid for c in kept] == [f"u-{i}" for i in range(450, 500)]  # the newest
    assert len(engine._recordings) == 50
    assert engine.next_due() is None  # no stale events either


def test_ended_calls_stay_queryable_for_an_hour_of_sandbox_time() -> None:
    clock = FakeClock()
    engine = CallEngine(SandboxConfig(), clock)
    call = place(engine)
    clock.advance(30)
    engine.tick()
    assert call.recording_name
    clock.advance(3600 - 10)  # ended at 25: 55 minutes ago... plus 15 s
    assert engine.get(call.call_id, ACCOUNT) is call
    assert engine.recording_by_name(call.recording_name) is call
    clock.advance(10)  # over an hour since it ended
    assert engine.get(call.call_id, ACCOUNT) is None
    assert engine.recording_by_name(call.recording_name) is None
    assert engine.calls == {}


def test_a_live_call_is_never_pruned() -> None:
    clock = FakeClock()
    engine = CallEngine(SandboxConfig().with_talk_times({"3210": 10_000}), clock)
    call = place(engine)
    clock.advance(9000)
    engine.tick()
    assert call.is_live
    assert engine.get(call.call_id, ACCOUNT) is call


def test_pruned_call_is_404_over_http() -> None:
    clock = FakeClock()
    with SandboxServer(sandbox_config(), clock=clock) as server:
        call_id = place_call(server.url)
        auth = {"Authorization": f"Bearer {DEMO_API_KEY}"}
        clock.advance(30)
        info = httpx.get(f"{server.url}/calls/{call_id}", headers=auth, timeout=5).json()
        assert info["end_time"] and info["recording_url"]
        clock.advance(3601)
        assert (
            httpx.get(f"{server.url}/calls/{call_id}", headers=auth, timeout=5).status_code == 404
        )
        assert httpx.get(info["recording_url"], timeout=5).status_code == 404


@pytest.mark.anyio
async def test_request_log_is_a_ring_buffer() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = FaultsAndLog(app)
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://sb") as client:
        for i in range(LOG_SIZE + 200):
            await client.get(f"/calls/{i}")
        await client.post("/calls", content=b"x" * 100_000)
    assert len(middleware.requests) == LOG_SIZE
    assert middleware.requests[0].path == "/calls/201"  # the oldest went first
    assert middleware.requests[-1].body == "<100000 bytes, not logged>"


@pytest.mark.anyio
async def test_push_log_is_a_ring_buffer() -> None:
    async def no_sleep(seconds: float) -> None:
        pass

    pusher = ResultPusher(retries=0, sleep=no_sleep, log_size=3)
    url = f"http://127.0.0.1:{free_port()}/x"
    for i in range(5):
        await pusher.deliver(url, {"uuid": f"u-{i}", "call_id": "c"})
    await pusher.aclose()
    assert [a.uuid for a in pusher.attempts] == ["u-2", "u-3", "u-4"]


def test_an_hour_long_recording_is_streamed_not_held() -> None:
    wav = SynthesizedRecording(3600, 8000, seed=7)
    assert wav.size == 44 + 3600 * 8000 * 2  # 57.6 MB
    tracemalloc.start()
    try:
        sent = sum(len(chunk) for chunk in wav.chunks())
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sent == wav.size
    assert peak < 2 * 1024 * 1024  # a couple of chunks, never the file


def test_recording_download_over_http_is_streamed_with_length(tmp_path: Any) -> None:
    clock = FakeClock()
    config = sandbox_config().with_talk_times({"3210": 600})
    with SandboxServer(config, clock=clock) as server:
        call_id = place_call(server.url)
        clock.advance(700)
        auth = {"Authorization": f"Bearer {DEMO_API_KEY}"}
        url = httpx.get(f"{server.url}/calls/{call_id}", headers=auth, timeout=5).json()[
            "recording_url"
        ]
        full = httpx.get(url, timeout=10)
        assert int(full.headers["content-length"]) == len(full.content) == 44 + 600 * 16000
        part = httpx.get(url, headers={"Range": "bytes=1000-2999"}, timeout=5)
        assert part.status_code == 206
        assert part.headers["content-length"] == "2000"
        assert part.content == full.content[1000:3000]
        head = httpx.head(url, timeout=5)
        assert head.headers["content-length"] == str(len(full.content))
        assert head.content == b""


def test_idle_sandbox_ticker_sleeps() -> None:
    with SandboxServer(sandbox_config()) as server:
        sandbox = server.sandbox
        time.sleep(0.5)
        assert sandbox.ticks <= 2  # the old ticker woke every 0.1 s whatever happened
        before = sandbox.ticks
        call_id = place_call(server.url)  # ends 25 sandbox seconds later (0.5 s at 50x)
        call = sandbox.engine.calls[call_id]
        wait_for(lambda: call.is_over)  # nobody polls: the ticker woke up when it was due
        # Woken for each transition (and the request), not 10 times a second.
        assert sandbox.ticks - before <= 8
        settled = sandbox.ticks
        time.sleep(0.3)
        assert sandbox.ticks == settled
