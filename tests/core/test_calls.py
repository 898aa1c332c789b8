"""CallTracker keeps following a call through any single bad answer, and says so meanwhile."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, cast

import anyio
import pytest

from dialdeck.core.api import (
    CallInfo,
    CloudDialerClient,
    LegStatus,
    MalformedResponseError,
    RetryPolicy,
)
from dialdeck.core.api.errors import (
    ApiError,
    AuthError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
)
from dialdeck.core.calls import (
    CallTracker,
    LegAdded,
    ParticipantFailed,
    ParticipantJoined,
    ParticipantLeft,
    PollPolicy,
    TrackedCall,
    participant_events,
)
from tests.core.hostile import HostileServer, Request, reply

pytestmark = pytest.mark.anyio
QUICK = PollPolicy(ringing=0.01, connected=0.01, backoff_start=0.01, backoff_max=0.02, paused=0.01)

RINGING = {
    "call_id": "c1",
    "call_status": "INITIATED",
    "legs": [{"role": "agent", "number": "a", "status": "DIALING"}],
}
LIVE = {
    "call_id": "c1",
    "call_status": "ANSWER",
    "start_time": "2026-07-03T10:00:00Z",
    "legs": [
        {"role": "agent", "number": "a", "status": "JOINED"},
        {"role": "destination", "number": "9876543210", "status": "JOINED"},
    ],
}
ENDED = {**LIVE, "end_time": "2026-07-03T10:01:00Z"}


class ScriptedClient:
    """Answers ``get_call`` from a script: a CallInfo body, or an exception to raise."""

    def __init__(self, script: Sequence[dict[str, Any] | BaseException]) -> None:
        self.script = list(script)
        self.polls = 0

    async def get_call(self, call_id: str) -> CallInfo:
        step = self.script[min(self.polls, len(self.script) - 1)]
        self.polls += 1
        if isinstance(step, BaseException):
            raise step
        return CallInfo.from_json(step)


Seen = list[tuple[str | None, bool]]


async def follow(client: object, **kwargs: Any) -> tuple[TrackedCall, Seen, CallTracker]:
    seen: Seen = []

    def on_update(call: TrackedCall) -> None:
        seen.append((call.info.call_status.value if call.info else None, call.reconnecting))

    tracker = CallTracker(
        cast(CloudDialerClient, client), on_update=on_update, policy=QUICK, **kwargs
    )
    call = tracker.track("c1", "u", "98765 43210")
    with anyio.fail_after(10):
        while not call.is_over:
            await asyncio.sleep(0.01)
        while tracker._tasks:  # the poller returns on its own once the call is over
            await asyncio.sleep(0.01)
    return call, seen, tracker


@pytest.mark.parametrize(
    "bad",
    [
        MalformedResponseError(detail="garbage"),
        OverflowError("cannot convert float infinity to integer"),  # what 1e999 used to raise
        RecursionError("maximum recursion depth exceeded"),
        KeyError("a bug in a model"),
    ],
    ids=type,
)
async def test_one_bad_answer_mid_call_only_means_reconnecting(
    bad: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    client = ScriptedClient([RINGING, bad, LIVE, ENDED])
    with caplog.at_level(logging.INFO, logger="dialdeck.calls"):
        call, seen, _ = await follow(client)
    assert seen == [
        ("INITIATED", False),
        ("INITIATED", True),  # "Reconnecting…" while the answer was bad
        ("ANSWER", False),  # cleared by the next good answer
        ("ANSWER", False),  # over
    ]
    assert call.error is None
    assert call.info is not None and call.info.is_over
    assert client.polls == 4
    assert "poll failed" in caplog.text


async def test_failing_save_and_update_callbacks_do_not_stop_the_poller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    saves: list[str] = []

    async def save(info: CallInfo) -> None:
        saves.append(info.call_status.value)
        if len(saves) == 1:
            raise OSError("database is locked")

    client = ScriptedClient([RINGING, LIVE, ENDED])
    call, seen, _ = await follow(client, save=save)
    assert call.info is not None and call.info.is_over
    assert ("INITIATED", True) in seen  # the failed save was shown, not swallowed
    assert saves[-1] == "ANSWER"
    assert "poll failed unexpectedly" in caplog.text


async def test_real_client_against_a_nan_answer_mid_call() -> None:
    """Ringing, then ``"duration": NaN``, then the call ends: followed to the end over sockets."""
    import json

    bodies = [
        json.dumps(RINGING).encode(),
        b'{"call_id": "c1", "call_status": "ANSWER", "duration": NaN}',
        json.dumps(ENDED).encode(),
    ]
    served: list[bytes] = []

    async def scripted(request: Request, writer: asyncio.StreamWriter) -> None:
        body = bodies[min(len(served), len(bodies) - 1)]
        served.append(body)
        writer.write(reply("200 OK", body))
        await writer.drain()

    async with HostileServer() as server:
        server.route("c1", scripted)
        retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01)
        async with CloudDialerClient(server.url, "k", retry=retry) as client:
            call, seen, _ = await follow(client)
    assert seen == [("INITIATED", False), ("INITIATED", True), ("ANSWER", False)]
    assert call.info is not None and call.info.is_over and call.error is None
    assert len(served) == 3


async def test_a_long_day_keeps_live_calls_and_only_the_newest_ended_ones() -> None:
    """Hundreds of calls a day: memory holds every live call, and a bounded number of ended."""
    from dialdeck.core.calls import KEEP_ENDED

    class PerCall:
        """Calls named "live-…" stay ringing; the rest are over at the first answer."""

        async def get_call(self, call_id: str) -> CallInfo:
            body = RINGING if call_id.startswith("live") else ENDED
            return CallInfo.from_json({**body, "call_id": call_id})

    tracker = CallTracker(
        cast(CloudDialerClient, PerCall()), on_update=lambda _c: None, policy=QUICK
    )
    tracker.track("live-1", "u-live-1", "98765 43210")
    for n in range(KEEP_ENDED + 30):
        tracker.track(f"c{n}", f"u{n}", "98765 43210")
        with anyio.fail_after(5):
            while not tracker.calls[f"c{n}"].is_over:
                await asyncio.sleep(0.005)
    tracker.track("live-2", "u-live-2", "98765 43210")
    try:
        ended = [cid for cid, call in tracker.calls.items() if call.is_over]
        assert len(ended) == KEEP_ENDED
        assert ended[-1] == f"c{KEEP_ENDED + 29}" and "c0" not in tracker.calls  # oldest go first
        assert {"live-1", "live-2"} <= tracker.calls.keys()  # live calls are never forgotten
        assert [c.call_id for c in tracker.active] == ["live-1", "live-2"]
    finally:
        await tracker.stop()


@pytest.mark.parametrize("refusal", [AuthError(), ForbiddenError()], ids=type)
async def test_a_refused_key_pauses_following_until_it_is_accepted_again(
    refusal: ApiError,
) -> None:
    """One 401 (a rotated key, a hiccup at CloudDialer) used to drop the call for good."""
    client = ScriptedClient([RINGING, refusal, refusal, LIVE, ENDED])
    lost: list[str | None] = []

    async def on_lost(call: TrackedCall) -> None:
        lost.append(call.error)

    call, seen, _ = await follow(client, on_lost=on_lost)
    assert lost == [refusal.message]  # said once, not at every refused poll
    assert call.error is None and not call.resumable
    assert call.info is not None and call.info.is_over  # followed to its end
    assert client.polls == 5
    assert ("ANSWER", False) in seen


async def test_a_call_the_server_no_longer_knows_is_given_up() -> None:
    client = ScriptedClient([RINGING, NotFoundError(), LIVE])
    call, _seen, _ = await follow(client)
    assert call.error == NotFoundError.message and not call.resumable
    assert client.polls == 2


async def test_a_server_that_asks_to_slow_down_is_waited_for_and_said() -> None:
    """429 (and 503) with Retry-After: the next poll waits what the server asked, at most
    ``asked_max``; the agent is told when Dialdeck asks again, not "Reconnecting…"."""
    told = RateLimitedError(0.4, detail="HTTP 429")
    client = ScriptedClient([RINGING, told, LIVE, ENDED])
    waits: list[object] = []
    polled_at: list[float] = []
    real_get_call = client.get_call

    async def timed_get_call(call_id: str) -> CallInfo:
        polled_at.append(asyncio.get_running_loop().time())
        return await real_get_call(call_id)

    client.get_call = timed_get_call  # type: ignore[method-assign]

    def on_update(call: TrackedCall) -> None:
        waits.append(call.asked_to_wait_until)

    tracker = CallTracker(cast(CloudDialerClient, client), on_update=on_update, policy=QUICK)
    call = tracker.track("c1", "u", "98765 43210")
    with anyio.fail_after(10):
        while not call.is_over:
            await asyncio.sleep(0.01)
    assert polled_at[2] - polled_at[1] >= 0.4  # QUICK alone would ask again after 0.01 s
    assert any(w is not None for w in waits)
    assert call.asked_to_wait_until is None and not call.reconnecting  # cleared on an answer


async def test_a_retry_after_of_a_day_does_not_stop_following_for_a_day() -> None:
    client = ScriptedClient([RINGING, RateLimitedError(86400.0), LIVE, ENDED])
    policy = PollPolicy(ringing=0.01, connected=0.01, backoff_start=0.01, asked_max=0.2)
    tracker = CallTracker(
        cast(CloudDialerClient, client), on_update=lambda _call: None, policy=policy
    )
    call = tracker.track("c1", "u", "98765 43210")
    with anyio.fail_after(5):
        while not call.is_over:
            await asyncio.sleep(0.01)
    assert client.polls == 4


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [
        (None, LegStatus.DIALING, [LegAdded]),
        # First seen past ringing (answered within one poll, or after reconnecting): said as
        # what it is now. It used to be only LegAdded: "Ringing your colleague…" stayed.
        (None, LegStatus.JOINED, [LegAdded, ParticipantJoined]),
        (None, LegStatus.FAILED, [LegAdded, ParticipantFailed]),
        (None, LegStatus.LEFT, [LegAdded, ParticipantLeft]),
        (LegStatus.DIALING, LegStatus.JOINED, [ParticipantJoined]),
        (LegStatus.DIALING, LegStatus.FAILED, [ParticipantFailed]),
        (LegStatus.JOINED, LegStatus.LEFT, [ParticipantLeft]),
    ],
)
def test_each_participant_change_is_said_as_what_it_is_now(
    before: LegStatus | None, after: LegStatus, said: list[type]
) -> None:
    assert [type(event) for event in participant_events(2, before, after)] == said


async def test_the_customer_hanging_up_on_a_call_that_goes_on_is_an_event() -> None:
    three = {**LIVE, "legs": [*LIVE["legs"], {"role": "participant", "number": "9123456789",
                                              "status": "JOINED"}]}  # fmt: skip
    customer_gone = {**three, "legs": [dict(leg) for leg in three["legs"]]}
    customer_gone["legs"][1]["status"] = "LEFT"
    client = ScriptedClient(
        [three, customer_gone, {**customer_gone, "end_time": ENDED["end_time"]}]
    )
    seen: list[list[str]] = []
    tracker = CallTracker(
        cast(CloudDialerClient, client),
        on_update=lambda call: seen.append([type(e).__name__ for e in call.events]),
        policy=QUICK,
    )
    call = tracker.track("c1", "u", "98765 43210")
    with anyio.fail_after(10):
        while not call.is_over:
            await asyncio.sleep(0.01)
    assert seen[1] == ["CustomerLeft"]
    assert "CustomerLeft" not in seen[2]  # the end is its own news
