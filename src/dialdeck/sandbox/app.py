"""The sandbox's HTTP surface: the CloudDialer API as specified, plus ``/_sandbox/`` controls."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from dialdeck.resources import resource_path
from dialdeck.sandbox.config import Account, SandboxConfig
from dialdeck.sandbox.engine import (
    PLATFORM_REFUSES_SUFFIX,
    CallEngine,
    Clock,
    LegNotFoundError,
    NotLiveError,
    ScaledClock,
    SimCall,
)
from dialdeck.sandbox.faults import Faults, FaultsAndLog
from dialdeck.sandbox.push import ResultPusher
from dialdeck.sandbox.validation import (
    NUMBER_RULE,
    UnsatisfiableRangeError,
    byte_range,
    error,
    is_number,
    json_object,
    ring_time,
    validate_call,
)
from dialdeck.sandbox.wav import SynthesizedRecording


class Sandbox:
    """State shared by the routes: engine, pusher, and the ticker that drives them."""

    def __init__(self, config: SandboxConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or ScaledClock(config.speed)
        self.engine = CallEngine(
            config, self.clock, on_end=self._on_end, on_schedule=self._wake_ticker
        )
        self.pusher = ResultPusher(
            retries=config.push_retries, base_delay=config.push_base_delay, speed=config.speed
        )
        self.public_url = "http://127.0.0.1"
        self.middleware: FaultsAndLog | None = None
        self.ticks = 0  # how often the ticker woke up (tests check that idle means asleep)
        self._wake: asyncio.Event | None = None

    def _on_end(self, call: SimCall) -> None:
        url = call.account.callback_url or self.config.callback_url
        if url:
            self.pusher.submit(url, self.engine.result_push(call, self.public_url))

    def _wake_ticker(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def recording(self, call: SimCall) -> SynthesizedRecording:
        """The call's WAV, produced piece by piece as it is sent (nothing cached)."""
        seed = int.from_bytes(call.call_id.encode()[:8], "big")
        return SynthesizedRecording(call.recording_seconds, self.config.sample_rate, seed)

    async def run_ticker(self) -> None:
        """Advance the engine in real time so calls end (and pushes go out) without polling.

        Sleeps until the next transition is due, or until a request schedules an earlier one:
        an idle sandbox does not wake up at all.
        """
        self._wake = asyncio.Event()
        while True:
            self.ticks += 1
            self.engine.tick()
            self._wake.clear()  # the loop is ours until the await: nothing is missed
            due = self.engine.next_due()
            timeout = None if due is None else self.clock.real_seconds(due - self.clock.now())
            if timeout is not None:
                timeout += 0.001  # wake just after the transition is due, not just before
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _account(request: Request) -> Account | JSONResponse:
    """Bearer auth (401), then the account's network/origin restriction (403)."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    account = (
        _sandbox(request).config.account_for_key(key.strip())
        if scheme.lower() == "bearer"
        else None
    )
    if account is None:
        return error(401, "Invalid or missing API key")
    host = request.client.host if request.client else None
    if not account.allows_client(host, request.headers.get("origin")):
        return error(403, "Request origin not permitted for this account")
    return account


async def health(request: Request) -> Response:
    return JSONResponse({"status": "success"})


async def initiate_call(request: Request) -> Response:
    account = _account(request)
    if isinstance(account, Response):
        return account
    body = await json_object(request)
    if isinstance(body, Response):
        return body
    fields = validate_call(body, account)
    if isinstance(fields, str):
        return error(400, fields)
    if fields["to_number"].endswith(PLATFORM_REFUSES_SUFFIX):
        return error(502, "Telephony platform could not queue the call")
    call = _sandbox(request).engine.place(account, **fields)
    return JSONResponse({"status": "success", "call_id": call.call_id, "message": "Call initiated"})


def _call_or_error(request: Request, account: Account) -> SimCall | JSONResponse:
    call = _sandbox(request).engine.get(request.path_params["call_id"], account)
    return call if call is not None else error(404, "Call not found")


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def get_call(request: Request) -> Response:
    account = _account(request)
    if isinstance(account, Response):
        return account
    call = _call_or_error(request, account)
    if isinstance(call, Response):
        return call
    return JSONResponse(_sandbox(request).engine.to_json(call, _base_url(request)))


async def add_participant(request: Request) -> Response:
    account = _account(request)
    if isinstance(account, Response):
        return account
    call = _call_or_error(request, account)
    if isinstance(call, Response):
        return call
    body = await json_object(request)
    if isinstance(body, Response):
        return body
    number = body.get("number")
    if not is_number(number):
        return error(400, f"number must be {NUMBER_RULE}")
    ring = ring_time(body)
    if isinstance(ring, str):
        return error(400, ring)
    try:
        leg = _sandbox(request).engine.add_participant(call, number, ring)
    except NotLiveError:
        return error(409, "Call is not live")
    return JSONResponse({"status": "success", "message": "Leg queued", "leg_id": leg.leg_id})


async def recording(request: Request) -> Response:
    sandbox = _sandbox(request)
    call = sandbox.engine.recording_by_name(request.path_params["name"])
    if call is None:
        return error(404, "Recording not found")
    wav = await asyncio.to_thread(sandbox.recording, call)
    headers = {"Accept-Ranges": "bytes"}
    try:
        span = byte_range(request.headers.get("range", ""), wav.size)
    except UnsatisfiableRangeError:
        headers["Content-Range"] = f"bytes */{wav.size}"
        return Response(status_code=416, headers=headers)
    status, (start, end) = (200, (0, wav.size - 1)) if span is None else (206, span)
    if span is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{wav.size}"
    headers["Content-Length"] = str(end - start + 1)

    async def body() -> AsyncIterator[bytes]:
        for chunk in wav.chunks(start, end):  # slices of cached blocks: no thread needed
            yield chunk

    return StreamingResponse(body(), status, headers=headers, media_type="audio/wav")


async def openapi(request: Request) -> Response:
    text = await asyncio.to_thread(resource_path("openapi.json").read_text, "utf-8")
    return Response(text, media_type="application/json")


async def index(request: Request) -> Response:
    sandbox = _sandbox(request)
    return JSONResponse(
        {
            "status": "success",
            "service": "Dialdeck sandbox: a local CloudDialer simulator",
            "openapi": f"{_base_url(request)}/openapi.json",
            "scripted_outcomes_by_last_four_digits": {
                "0000": "customer never answers (NO_ANSWER)",
                "1111": "customer busy (BUSY)",
                "2222": "network failure (FAILED)",
                "3333": "agent never answers (NO_ANSWER)",
                "4444": "agent hangs up while the customer rings (CANCELED)",
                "5555": "platform refuses to queue (502)",
            },
            "talk_times": {
                "default_seconds": sandbox.config.timings.talk_time,
                "scripted": dict(sandbox.config.talk_times),
                "rule": "each answered customer or participant talks for its talk time, then "
                "hangs up; keys match the end of a number (longest wins) or an agent id; an "
                "agent with a talk time hangs up once it is over and only one other remains; "
                "the call ends when fewer than two remain",
            },
        }
    )


# -- /_sandbox/ controls ------------------------------------------------------------------------


def _middleware(request: Request) -> FaultsAndLog:
    middleware = _sandbox(request).middleware
    assert middleware is not None
    return middleware


async def control_requests(request: Request) -> Response:
    return JSONResponse([vars(r) for r in _middleware(request).requests])


async def control_pushes(request: Request) -> Response:
    return JSONResponse([a.to_json() for a in _sandbox(request).pusher.attempts])


async def control_calls(request: Request) -> Response:
    sandbox = _sandbox(request)
    base = _base_url(request)
    return JSONResponse([sandbox.engine.to_json(c, base) for c in sandbox.engine.calls.values()])


async def control_reset(request: Request) -> Response:
    sandbox = _sandbox(request)
    sandbox.engine.reset()
    sandbox.pusher.attempts.clear()
    middleware = _middleware(request)
    middleware.requests.clear()
    middleware.faults = Faults()
    return JSONResponse({"status": "success"})


async def control_faults(request: Request) -> Response:
    middleware = _middleware(request)
    if request.method == "POST":
        body = await json_object(request)
        if isinstance(body, Response):
            return body
        try:
            middleware.faults = Faults.from_json(body)
        except (TypeError, ValueError) as exc:
            return error(400, str(exc))
    return JSONResponse(middleware.faults.to_json())


async def control_hangup(request: Request) -> Response:
    """Body ``{"role": "destination"}`` or ``{"leg_id": 3}``: that party hangs up."""
    sandbox = _sandbox(request)
    call = sandbox.engine.calls.get(request.path_params["call_id"])
    if call is None:
        return error(404, "Call not found")
    body = await json_object(request)
    if isinstance(body, Response):
        return body
    leg_id, role = body.get("leg_id"), body.get("role")
    if not isinstance(leg_id, int) and not isinstance(role, str):
        return error(400, "Give leg_id or role")
    try:
        leg = sandbox.engine.hang_up(
            call, leg_id=leg_id if isinstance(leg_id, int) else None, role=role
        )
    except LegNotFoundError:
        return error(404, "No such leg")
    except NotLiveError:
        return error(409, "That leg is not ringing or connected")
    return JSONResponse({"status": "success", "leg_id": leg.leg_id, "leg_status": leg.status})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if "Allow" in headers:  # RFC 9110: a 405 says what is allowed (Starlette's order is random)
        headers["Allow"] = ", ".join(sorted(m.strip() for m in headers["Allow"].split(",")))
    return error(exc.status_code, exc.detail, headers)


def create_app(config: SandboxConfig | None = None, clock: Clock | None = None) -> FaultsAndLog:
    """The sandbox as an ASGI app (wrapped in the fault/log middleware)."""
    sandbox = Sandbox(config or SandboxConfig(), clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.get_running_loop().create_task(sandbox.run_ticker())
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await sandbox.pusher.aclose()
            sandbox._wake = None

    routes = [
        Route("/", index),
        Route("/health", health),
        Route("/openapi.json", openapi),
        Route("/calls", initiate_call, methods=["POST"]),
        Route("/calls/{call_id}", get_call),
        Route("/calls/{call_id}/participants", add_participant, methods=["POST"]),
        Route("/recordings/{name}", recording),
        Route("/_sandbox/requests", control_requests),
        Route("/_sandbox/pushes", control_pushes),
        Route("/_sandbox/calls", control_calls),
        Route("/_sandbox/reset", control_reset, methods=["POST"]),
        Route("/_sandbox/faults", control_faults, methods=["GET", "POST"]),
        Route("/_sandbox/calls/{call_id}/hangup", control_hangup, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan, exception_handlers={HTTPException: _http_error}
    )
    app.state.sandbox = sandbox
    wrapped = FaultsAndLog(app)
    sandbox.middleware = wrapped
    return wrapped
