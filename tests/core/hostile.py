"""A deliberately hostile HTTP/1.1 server on loopback sockets, for the client's hostile-server tests.

Each request is routed by the last segment of its path: to a handler registered with
:meth:`HostileServer.route`, else to a canned answer in :data:`RESPONSES`. Handlers write raw
bytes, so they can do what no well-behaved framework would (drip, lie, stall, bomb).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import anyio

from dialdeck.core.api import ClientLimits, CloudDialerClient, RetryPolicy


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


def reply(
    status: str,
    body: bytes,
    *,
    ctype: str = "application/json",
    length: int | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n{extra}"
        f"Content-Length: {len(body) if length is None else length}\r\n\r\n"
    )
    return head.encode() + body


def call_json(**fields: str) -> bytes:
    inner = ", ".join(f'"{k}": {v}' for k, v in fields.items())
    return (
        '{"status": "success", "call_id": "c", "call_status": "ANSWER", ' + inner + "}"
    ).encode()


RESPONSES: dict[str, bytes] = {
    "html500": reply(
        "500 Internal Server Error", b"<html><body>Oops</body></html>", ctype="text/html"
    ),
    "html200": reply("200 OK", b"<html><body>Login to the proxy</body></html>", ctype="text/html"),
    "malformed": reply("200 OK", b'{"status": "success", "call_'),
    "empty": reply("200 OK", b""),
    "list": reply("200 OK", b"[1, 2, 3]"),
    "nostatus": reply("200 OK", b'{"status": "success", "call_id": "x"}'),
    "badtypes": reply("200 OK", b'{"call_id": 5, "call_status": ["ANSWER"]}'),
    "error-on-200": reply("200 OK", b'{"status": "error", "message": "nope"}'),
    "teapot": reply("418 I'm a teapot", b'{"status": "error", "message": "short and stout"}'),
    "unknown-enum": reply(
        "200 OK",
        b'{"status":"success","call_id":"c","call_status":"RINGING_ON_MARS","duration":"7",'
        b'"end_time":"not a date","legs":[{"role":"supervisor","number":"x","status":"MUTED",'
        b'"extra":1}, "garbage"],"surprise":{"nested":true}}',
    ),
    "nan": reply("200 OK", call_json(duration="NaN")),
    "infinity": reply("200 OK", call_json(duration="-Infinity")),
    "overflow": reply("200 OK", call_json(duration="1e999")),
    "bigint": reply("200 OK", call_json(duration="9" * 5000)),
    "deep": reply("200 OK", b"[" * 100_000),
    "deep-object": reply("200 OK", call_json(legs='{"a":' * 200 + "1" + "}" * 200)),
    "badutf8": reply("200 OK", b'{"status": "success", "call_id": "\xff\xfe"}'),
}


@functools.cache
def gzip_bomb(megabytes: int = 100) -> bytes:
    """``megabytes`` MB of zeros in about a thousandth of that, gzip-compressed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    return b"".join([*(packer.compress(zeros) for _ in range(megabytes)), packer.flush()])


class HostileServer:
    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.requests: list[Request] = []
        self.routes: dict[str, Handler] = {}
        self.sent = 0  # body bytes written by streaming handlers
        self.server: asyncio.Server | None = None
        self.url = ""
        self._tasks: set[asyncio.Task[None]] = set()

    def route(self, key: str, handler: Handler) -> None:
        self.routes[key] = handler

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        request = Request(method, path, headers, body)
        self.requests.append(request)
        key = path.split("?")[0].rsplit("/", 1)[-1] or "root"
        self.hits[f"{method} {key}"] = self.hits.get(f"{method} {key}", 0) + 1
        if key in self.routes:
            await self.routes[key](request, writer)
        elif key == "drop":
            pass  # close without a word
        elif key == "slow":
            await asyncio.sleep(5)
        elif key == "truncated":
            writer.write(reply("200 OK", b'{"status": "succ', length=500))
            await writer.drain()
        elif "/slowpost/" in path:
            await asyncio.sleep(5)
        elif key == "calls" and method == "POST":  # POST /calls: read the request, hang up
            pass
        else:
            writer.write(RESPONSES.get(key, reply("404 Not Found", b"")))
            await writer.drain()

    async def __aenter__(self) -> HostileServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self._tasks):  # stalled handlers: end them, do not leave them pending
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.server.wait_closed()


# -- handlers ------------------------------------------------------------------------------------


def drip(head: bytes, body: bytes, interval: float = 0.3) -> Handler:
    """Send ``head`` at once, then ``body`` one byte every ``interval`` seconds."""

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head)
        await writer.drain()
        for byte in body:
            await asyncio.sleep(interval)
            if writer.is_closing():
                return
            writer.write(bytes([byte]))
            await writer.drain()

    return handler


def slow_headers(answer: bytes, delay: float = 5.0) -> Handler:
    """Accept the request, say nothing for ``delay`` seconds, then answer."""

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(delay)
        writer.write(answer)
        await writer.drain()

    return handler


def firehose(server: HostileServer, head: bytes, total: int, chunk: int = 64 * 1024) -> Handler:
    """``head``, then ``total`` bytes of JSON-ish filler as fast as the client reads them."""
    block = b" " * chunk

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head)
        while server.sent < total and not writer.is_closing():
            writer.write(block)
            server.sent += len(block)
            await writer.drain()

    return handler


def canned(answer: bytes) -> Handler:
    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(answer)
        await writer.drain()

    return handler


# -- clients -------------------------------------------------------------------------------------

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
SHORT = ClientLimits(
    request_deadline=1.0,
    get_deadline=2.5,
    download_deadline=6.0,
    download_rate_window=1.0,
    download_min_rate=16 * 1024,
)


def short_client(url: str, limits: ClientLimits = SHORT) -> CloudDialerClient:
    """A client whose deadlines are seconds, not minutes: a stalled test fails fast."""
    return CloudDialerClient(url, "k", retry=FAST_RETRY, limits=limits)


MARGIN = 2.0  # seconds a typed error may arrive after its deadline on a busy 2-core machine
MB = 1 << 20


@contextlib.contextmanager
def bounded(seconds: float, memory: int = 16 * MB) -> Iterator[None]:
    """The block ends within ``seconds`` (+ margin) with at most ``memory`` bytes allocated at peak.

    Peak is measured by tracemalloc for the whole process, server included: that only makes the
    bound stricter for the client.
    """
    tracemalloc.start()
    started = time.monotonic()
    try:
        with anyio.fail_after(seconds + 2 * MARGIN):  # a regression fails here, it does not hang
            yield
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert elapsed <= seconds + MARGIN, f"took {elapsed:.2f}s, deadline {seconds}s"
    assert peak <= memory, f"peak {peak / MB:.1f} MB, bound {memory / MB:.0f} MB"
