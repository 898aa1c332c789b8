"""Fault injection and the request log, as one pure-ASGI middleware.

Faults apply to the simulated API and recordings, never to ``/_sandbox/`` control endpoints:

* ``latency_ms``: every matching request waits this long first.
* ``error_rate``: answer with a 5xx HTML page as a failing proxy would (request never handled),
  or with ``error_status`` 429 as a rate-limiting gateway would; ``retry_after`` (seconds) adds
  the ``Retry-After`` header such answers usually carry.
* ``drop_rate``: handle the request, then cut the connection part-way through the body. For
  ``POST /calls`` this is the nasty real case: the call *was* placed but the answer was lost.
* ``malformed_rate``: handle the request, then send truncated JSON with status 200.
* ``count``: apply the rate faults to the next N matching requests only, then stop.
* ``path_prefix``: only requests whose path starts with this (e.g. ``/recordings``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import deque
from dataclasses import asdict, dataclass, fields
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox"
LOG_SIZE = 1000  # requests kept in the log: a day of use must not grow the sandbox's memory
LOGGED_BODY_LIMIT = 16 * 1024  # a larger body is logged as its size only


class SimulatedDropError(Exception):
    """Raised after a partial body so the ASGI server closes the connection."""


class _HideSimulatedDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        while exc is not None:
            if isinstance(exc, SimulatedDropError):
                return False
            exc = exc.__cause__ or exc.__context__
        return True


logging.getLogger("uvicorn.error").addFilter(_HideSimulatedDrops())


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    retry_after: int | None = None
    drop_rate: float = 0.0
    drop_after_bytes: int | None = None  # default: half the body
    malformed_rate: float = 0.0
    count: int | None = None
    path_prefix: str = "/"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Faults:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        faults = cls(**data)
        for rate in (faults.error_rate, faults.drop_rate, faults.malformed_rate):
            if not _is_number(rate) or not 0 <= rate <= 1:
                raise ValueError("rates must be numbers from 0 to 1")
        for name in ("latency_ms", "error_status", "retry_after", "drop_after_bytes", "count"):
            value = getattr(faults, name)
            optional = name in ("retry_after", "drop_after_bytes", "count")
            if not (value is None and optional) and not (_is_int(value) and value >= 0):
                raise ValueError(f"{name} must be a whole number >= 0")
        if not (500 <= faults.error_status <= 599 or faults.error_status == 429):
            raise ValueError("error_status must be 429 or a 5xx code")
        if not isinstance(faults.path_prefix, str) or not faults.path_prefix.startswith("/"):
            raise ValueError("path_prefix must be a path starting with /")
        return faults

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    body: Any
    headers: dict[str, str]
    at: float


class FaultsAndLog:
    """Wraps the sandbox app: logs every API request, then applies the current faults."""

    def __init__(self, app: ASGIApp, *, seed: int | None = None) -> None:
        self.app = app
        self.faults = Faults()
        self.requests: deque[LoggedRequest] = deque(maxlen=LOG_SIZE)  # the most recent only
        self._rng = random.Random(seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        self._log(scope, body)
        replay = _replay(body, receive)
        faults = self.faults
        if not scope["path"].startswith(faults.path_prefix) or scope["path"] == "/openapi.json":
            await self.app(scope, replay, send)
            return
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        kind = self._pick(faults)
        if kind == "error":
            await _proxy_error(send, faults.error_status, faults.retry_after)
        elif kind == "drop":
            await self.app(scope, replay, _dropping(send, faults.drop_after_bytes))
        elif kind == "malformed":
            await self.app(scope, replay, _malforming(send))
        else:
            await self.app(scope, replay, send)

    def _pick(self, faults: Faults) -> str | None:
        if faults.count is not None and faults.count <= 0:
            return None
        for kind, rate in (
            ("drop", faults.drop_rate),
            ("error", faults.error_rate),
            ("malformed", faults.malformed_rate),
        ):
            if rate and self._rng.random() < rate:
                if faults.count is not None:
                    faults.count -= 1
                return kind
        return None

    def _log(self, scope: Scope, body: bytes) -> None:
        parsed: Any
        if len(body) > LOGGED_BODY_LIMIT:
            parsed = f"<{len(body)} bytes, not logged>"
        else:
            try:
                parsed = json.loads(body) if body else None
            except (ValueError, UnicodeDecodeError):
                parsed = body.decode("utf-8", "replace")
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", [])
            if k.lower() in (b"authorization", b"range", b"content-type", b"origin")
        }
        if "authorization" in headers:
            headers["authorization"] = redact_credentials(headers["authorization"])
        self.requests.append(
            LoggedRequest(
                scope["method"],
                scope["path"],
                redact_query(scope.get("query_string", b"").decode("latin-1")),
                parsed,
                headers,
                time.time(),
            )
        )


def redact_credentials(value: str) -> str:
    """``Bearer sandbox-demo-key`` -> ``Bearer …-key``: the scheme and, for a long enough key,
    its last four characters (enough to tell keys apart, never enough to use one)."""
    scheme, _, token = value.strip().partition(" ")
    if not token:
        scheme, token = "", scheme
    token = token.strip()
    tail = token[-4:] if len(token) >= 12 else ""
    return f"{scheme} …{tail}".strip()


_SECRET_NAMES = ("key", "token", "secret", "auth", "password")


def redact_query(query: str) -> str:
    """Blank the values of query parameters that look like credentials (``?api_key=…``)."""
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        name, sep, value = part.partition("=")
        if sep and value and any(word in name.lower() for word in _SECRET_NAMES):
            value = redact_credentials(value)
        parts.append(f"{name}{sep}{value}")
    return "&".join(parts)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the already-read body to the app, then pass on the real (disconnect) messages."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _proxy_error(send: Send, status: int, retry_after: int | None) -> None:
    title, text = (
        ("Too Many Requests", "rate limit exceeded")
        if status == 429
        else ("Service Unavailable", "upstream connect error")
    )
    page = (
        f"<html><head><title>{status} {title}</title></head>"
        f"<body><h1>{status}</h1><p>{text}</p></body></html>"
    ).encode()
    headers = [(b"content-type", b"text/html"), (b"content-length", str(len(page)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": page})


def _dropping(send: Send, after: int | None) -> Send:
    state: dict[str, int] = {"sent": 0, "limit": -1}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            length = dict(message.get("headers", [])).get(b"content-length", b"0")
            total = int(length) if length.isdigit() else 0
            state["limit"] = after if after is not None else total // 2
            await send(message)
            return
        body: bytes = message.get("body", b"")
        room = state["limit"] - state["sent"]
        if len(body) >= room:
            if room > 0:
                await send({"type": "http.response.body", "body": body[:room], "more_body": True})
            raise SimulatedDropError("connection dropped by fault injection")
        state["sent"] += len(body)
        await send(message)

    return wrapped


def _malforming(send: Send) -> Send:
    start: dict[str, Any] = {}
    parts: list[bytes] = []

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        parts.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(parts)
        broken = body[: max(1, len(body) // 2)] if body else b"{"
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(broken)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": broken})

    return wrapped
