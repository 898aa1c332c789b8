"""Nobody touches the sandbox controls: every simulated call still ends, records and pushes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from dialdeck.core.audio import probe_audio
from dialdeck.sandbox import DEMO_API_KEY, SandboxServer
from dialdeck.sandbox.clock import FakeClock
from tests.conftest import sandbox_config
from tests.sandbox.test_cli import SEED_REQUEST
from tests.sandbox.test_push import Receiver, wait_for


def no_controls(request: httpx.Request) -> None:
    assert not request.url.path.startswith("/_sandbox"), "a control endpoint was touched"


def test_seed_example_with_a_participant_ends_unattended(tmp_path: Path) -> None:
    clock = FakeClock()
    with Receiver(failures=0) as receiver:
        config = replace(sandbox_config(), callback_url=receiver.url)
        with (
            SandboxServer(config, clock=clock) as server,
            httpx.Client(
                base_url=server.url,
                headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
                event_hooks={"request": [no_controls]},
                timeout=5,
            ) as api,
        ):
            accepted = api.post("/calls", json=SEED_REQUEST)
            assert accepted.status_code == 200
            call_id = accepted.json()["call_id"]

            def advance_until(done: Any) -> dict[str, Any]:
                for _ in range(120):  # two sandbox minutes at most
                    info: dict[str, Any] = api.get(f"/calls/{call_id}").json()
                    if done(info):
                        return info
                    clock.advance(1)
                pytest.fail(f"never happened: {info}")

            advance_until(lambda info: info["call_status"] == "ANSWER")
            assert clock.now() == 5  # agent answered at 2, customer at 5
            added = api.post(f"/calls/{call_id}/participants", json={"number": "9123456789"})
            assert added.json() == {"status": "success", "message": "Leg queued", "leg_id": 3}
            final = advance_until(lambda info: info["end_time"] is not None)

            assert final["call_status"] == "ANSWER"
            assert final["uuid"] == SEED_REQUEST["uuid"]
            assert [(leg["role"], leg["status"]) for leg in final["legs"]] == [
                ("agent", "LEFT"),
                ("destination", "LEFT"),
                ("participant", "LEFT"),
            ]
            # The customer left at 25 (talked 20 s); the participant joined at 8, left at 28.
            assert final["duration"] == 28
            assert final["end_time"] == "2026-07-03T10:00:28Z"

            wav = tmp_path / "call.wav"
            wav.write_bytes(httpx.get(final["recording_url"], timeout=5).content)
            assert probe_audio(wav).duration == pytest.approx(23)

            wait_for(lambda: receiver.received)
            for _ in range(5):  # more polls, more sandbox time: still one push
                clock.advance(10)
                api.get(f"/calls/{call_id}")
            wait_for(lambda: not server.sandbox.pusher.busy)
    assert len(receiver.received) == 1
    push = receiver.received[0]
    assert push["uuid"] == SEED_REQUEST["uuid"]
    assert push["status"] == "ANSWER"
    assert push["duration"] == 28
    assert push["recording_url"] == final["recording_url"]
