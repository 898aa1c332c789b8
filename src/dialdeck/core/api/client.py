"""Async CloudDialer client on one long-lived ``httpx.AsyncClient``.

Safety rules that shape this module:

* ``POST`` requests place real phone calls: they are never retried. If the request may have reached
  the server but no answer came back, :class:`OutcomeUnknownError` is raised so the agent is told.
* ``GET`` requests are retried with bounded exponential backoff and jitter on network errors and 5xx.
* The bearer token only ever goes to the API's own origin; plain ``http://`` only to loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import httpx

from dialdeck import __version__
from dialdeck.core.api import paths
from dialdeck.core.api.errors import (
    ApiError,
    AuthError,
    ConflictError,
    ForbiddenError,
    HttpStatusError,
    InsecureUrlError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    PlatformError,
    RecordingInvalidError,
    RequestTimeoutError,
    ValidationError,
)
from dialdeck.core.api.models import CallAccepted, CallInfo, CallRequest, ParticipantAdded
from dialdeck.core.api.wire import parse_json
from dialdeck.core.audio import AudioInfo, NotAudioError, probe_audio
from dialdeck.core.redact import redact_url

log = logging.getLogger("dialdeck.api")

ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes on disk, total bytes or None when unknown)."""

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter, for idempotent requests only."""

    attempts: int = 4  # total tries, first included
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        return float(rand() * min(self.max_delay, self.base_delay * (2**retry)))


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """Normalise a base URL (path prefix allowed) and refuse plain http off this machine."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InsecureUrlError("The API address must look like https://api.clouddialer.in")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureUrlError()
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _server_reason(response: httpx.Response) -> str | None:
    """The server's human message from ``{"message": …}``, if the body is that shape."""
    try:
        body = parse_json(response.content, "error body")
    except MalformedResponseError:
        return None
    if isinstance(body, dict):
        for key in ("message", "error", "detail", "reason"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:300]
    return None


def error_for_status(response: httpx.Response) -> ApiError:
    status = response.status_code
    reason = _server_reason(response)
    detail = f"HTTP {status} for {response.request.method} {redact_url(str(response.request.url))}"
    if status == 400:
        return ValidationError(reason, detail=detail)
    simple: dict[int, type[ApiError]] = {
        401: AuthError,
        403: ForbiddenError,
        404: NotFoundError,
        409: ConflictError,
        502: PlatformError,
    }
    if status in simple:
        return simple[status](detail=detail)
    return HttpStatusError(status, reason, detail=detail)


def _json_body(response: httpx.Response) -> Any:
    body = parse_json(response.content, f"HTTP {response.status_code}")
    if isinstance(body, dict) and body.get("status") == "error":
        raise MalformedResponseError(detail="status 'error' on a success code")
    return body


class CloudDialerClient:
    """All five CloudDialer operations. Create once, use for the app's lifetime, ``aclose()`` at exit."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._api_key = api_key
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            timeout=timeout,
            headers={"User-Agent": f"Dialdeck/{__version__}", "Accept": "application/json"},
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:  # never show the key
        return f"CloudDialerClient({self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> CloudDialerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the five operations -------------------------------------------------------------------

    async def initiate_call(self, request: CallRequest) -> CallAccepted:
        """Place a call. Never retried: see :class:`OutcomeUnknownError`."""
        body = await self._post(paths.CALLS, request.to_json())
        return CallAccepted.from_json(body)

    async def get_call(self, call_id: str) -> CallInfo:
        return CallInfo.from_json(await self._get(paths.call(call_id)))

    async def add_participant(
        self, call_id: str, number: str, max_ring_time: int | None = None
    ) -> ParticipantAdded:
        """Dial one more number into a live call. Never retried."""
        body: dict[str, Any] = {"number": number}
        if max_ring_time is not None:
            body["max_ring_time"] = max_ring_time
        return ParticipantAdded.from_json(await self._post(paths.participants(call_id), body))

    async def health(self) -> None:
        """Unauthenticated liveness check; raises if the service is not healthy."""
        body = await self._get(paths.HEALTH, auth=False)
        if not isinstance(body, dict) or body.get("status") != "success":
            raise MalformedResponseError(detail="health: status is not success")

    async def test_connection(self) -> None:
        """Prove the key without placing a call: health, then an authenticated GET of a random id.

        404 means the key was accepted; 401 raises :class:`AuthError`.
        """
        await self.health()
        try:
            await self.get_call(f"dialdeck-probe-{os.urandom(8).hex()}")
        except NotFoundError:
            return

    async def download_recording(
        self, recording_url: str, dest: Path, *, progress: ProgressCallback | None = None
    ) -> AudioInfo:
        """Stream a recording to ``dest`` via ``dest.part``; resume with Range; verify; rename.

        A damaged result is deleted and :class:`RecordingInvalidError` raised: ``dest`` only ever
        exists as a complete, playable file.
        """
        url = urljoin(self.base_url + "/", recording_url)
        part = dest.with_name(dest.name + ".part")
        headers = self._auth_headers() if _origin(url) == _origin(self.base_url) else {}
        for attempt in range(self._retry.attempts):
            try:
                await self._stream_to(url, part, headers, progress)
                break
            except (NetworkError, RequestTimeoutError, HttpStatusError) as exc:
                retryable = not isinstance(exc, HttpStatusError) or (exc.status_code or 0) >= 500
                if not retryable or attempt + 1 >= self._retry.attempts:
                    raise
                log.info("download of %s interrupted (%s); resuming", redact_url(url), exc.detail)
                await self._sleep(self._retry.delay(attempt))
        try:
            info = await asyncio.to_thread(probe_audio, part)
        except NotAudioError as exc:
            await asyncio.to_thread(part.unlink, True)
            raise RecordingInvalidError(
                f"The downloaded recording is not playable: {exc}"
            ) from None
        await asyncio.to_thread(_commit, part, dest)
        return info

    # -- plumbing ------------------------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _url(self, path: str) -> str:
        return self.base_url + path

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        url = self._url(path)
        try:
            response = await self._http.post(url, json=body, headers=self._auth_headers())
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Never reached the server: safe to say nothing happened.
            raise NetworkError(detail=f"POST {path}: {type(exc).__name__}") from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise OutcomeUnknownError(detail=f"POST {path}: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise OutcomeUnknownError(detail=f"POST {path}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise error_for_status(response)
        return _json_body(response)

    async def _get(self, path: str, *, auth: bool = True) -> Any:
        url = self._url(path)
        headers = self._auth_headers() if auth else {}
        for attempt in range(self._retry.attempts):
            last = attempt + 1 >= self._retry.attempts
            try:
                response = await self._http.get(url, headers=headers)
            except httpx.TimeoutException as exc:
                error: ApiError = RequestTimeoutError(detail=f"GET {path}: {type(exc).__name__}")
            except httpx.HTTPError as exc:
                error = NetworkError(detail=f"GET {path}: {type(exc).__name__}")
            else:
                if response.status_code == 200:
                    return _json_body(response)
                error = error_for_status(response)
                if response.status_code < 500:
                    raise error
            if last:
                raise error
            delay = self._retry.delay(attempt)
            log.info(
                "GET %s failed (%s); retry %d in %.2fs", path, error.detail, attempt + 1, delay
            )
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _stream_to(
        self, url: str, part: Path, headers: dict[str, str], progress: ProgressCallback | None
    ) -> None:
        offset = await asyncio.to_thread(_size_or_zero, part)
        request_headers = dict(headers, Accept="*/*")
        if offset:
            request_headers["Range"] = f"bytes={offset}-"
        try:
            async with self._http.stream(
                "GET", url, headers=request_headers, follow_redirects=True
            ) as response:
                if response.status_code == 416 and offset:
                    # Our .part is already complete (or the file changed): verify decides.
                    return
                if response.status_code == 206:
                    start = _content_range_start(response.headers.get("content-range", ""))
                    if start != offset:
                        raise HttpStatusError(502, detail=f"Range mismatch {start} != {offset}")
                    mode, total = "ab", _total_from_range(response.headers.get("content-range", ""))
                elif response.status_code == 200:
                    offset, mode = 0, "wb"  # server ignores Range: start over
                    length = response.headers.get("content-length")
                    total = int(length) if length and length.isdigit() else None
                else:
                    await response.aread()
                    raise error_for_status(response)
                fh = await _open_off_loop(part, mode)
                try:
                    done = offset
                    if progress:
                        progress(done, total)
                    # No chunk size: a re-chunking buffer would lose the bytes received just
                    # before a dropped connection, and resume would start further back.
                    async for chunk in response.aiter_bytes():
                        await asyncio.to_thread(fh.write, chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
                finally:
                    try:
                        await asyncio.to_thread(fh.close)
                    except asyncio.CancelledError:
                        fh.close()  # cancelled while closing: close here, never leak the handle
                        raise
        except httpx.TimeoutException as exc:
            raise RequestTimeoutError(detail=f"download: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise NetworkError(detail=f"download: {type(exc).__name__}") from None


def _content_range_start(value: str) -> int | None:
    # "bytes 100-199/200"
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _total_from_range(value: str) -> int | None:
    total = value.rsplit("/", 1)[-1]
    return int(total) if total.isdigit() else None


async def _open_off_loop(path: Path, mode: str) -> IO[bytes]:
    """Open on a worker thread; if we are cancelled meanwhile, the file is closed when it opens."""
    opening = asyncio.ensure_future(asyncio.to_thread(path.open, mode))
    try:
        fh: IO[bytes] = await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(
            lambda done: done.cancelled() or done.exception() or done.result().close()
        )
        raise
    return fh


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _commit(part: Path, dest: Path) -> None:
    """fsync then atomically rename, so a crash leaves either the old state or the whole file."""
    with part.open("rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, dest)
