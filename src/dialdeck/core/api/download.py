"""Downloading one recording: resumable, verified, and bounded in time, size, memory and transport.

* ``dest`` only ever exists as a complete, playable file; bytes arrive in ``dest.part``.
* An interruption the next try can resume (network, timeout, 5xx) keeps ``.part``; any other end
  (404, refused encoding or address, not audio, too large) deletes it.
* Time: every attempt must keep a minimum average rate over a sliding window (the first window
  also bounds the wait for the headers); the whole download, resumes included, has a hard cap.
* Transport: recordings are fetched with ``Accept-Encoding: identity`` and a compressed answer is
  refused; plain http only to loopback, on the first hop and on every redirect, followed by hand;
  the bearer token only ever goes to the API's own origin.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx

from dialdeck.core.api.errors import (
    ApiError,
    HttpStatusError,
    NetworkError,
    Operation,
    RateLimitedError,
    RecordingInvalidError,
    RequestTimeoutError,
)
from dialdeck.core.api.limits import ClientLimits
from dialdeck.core.api.part_file import PartWriter, commit, open_off_loop
from dialdeck.core.api.urls import check_recording_url, join_url
from dialdeck.core.api.wire import (
    error_for_status,
    keep_retry_after,
    read_error_body,
    retry_after_seconds,
    server_reason,
)
from dialdeck.core.audio import AudioInfo, NotAudioError, probe_audio
from dialdeck.core.redact import redact_url

log = logging.getLogger("dialdeck.api")

ProgressCallback = Callable[[int, int | None], None]
"""Called with (bytes received, total bytes or None when unknown)."""
HeadersFor = Callable[[str], dict[str, str]]
"""The credentials a URL may receive (none for another origin)."""

_CONTENT_RANGE = re.compile(r"bytes ([0-9]{1,15})-([0-9]{1,15})/([0-9]{1,15}|\*)")


class RateGuard:
    """Ends a transfer, through its ``asyncio.Timeout``, once it falls below a minimum rate.

    The rule: in every ``window`` seconds from the start on, at least ``min_rate * window`` bytes
    arrive (or the transfer is over). After each chunk the timeout is moved to the moment that rule
    would break if nothing more came, so a stall is caught without polling. Samples are merged into
    ``window / 32`` buckets: bounded memory, at most one bucket of leniency.
    """

    def __init__(self, timeout: asyncio.Timeout, min_rate: float, window: float) -> None:
        self._clock = asyncio.get_running_loop().time
        self._timeout = timeout
        self._need = min_rate * window
        self._window = window
        self._start = self._clock()
        self._bucket = window / 32
        self._total = 0
        self._samples: deque[tuple[float, int]] = deque([(self._start, 0)])
        timeout.reschedule(self._start + window if self._need > 0 else None)

    def add(self, size: int) -> None:
        if size <= 0 or self._need <= 0:
            return
        now = self._clock()
        self._total += size
        last_time, last_total = self._samples[-1]
        same_bucket = (now - self._start) // self._bucket == (
            last_time - self._start
        ) // self._bucket
        if last_total > 0 and same_bucket:
            self._samples[-1] = (now, self._total)
        else:
            self._samples.append((now, self._total))
        # A sample whose count is within `need` of the total no longer decides anything.
        while self._samples[0][1] <= self._total - self._need:
            self._samples.popleft()
        deadline = self._samples[0][0] + self._window
        if deadline != self._timeout.when():  # most chunks leave it where it is: no new timer
            self._timeout.reschedule(deadline)


# A server's Retry-After up to this is waited out within the download; a longer one ends this
# download, and the downloader tries again when the server said (the ``.part`` file is kept).
WAIT_IN_PLACE = 30.0


def _resumable(exc: ApiError) -> bool:
    """Worth another try later, from where the ``.part`` file stops."""
    return (
        isinstance(exc, NetworkError | RequestTimeoutError | RateLimitedError)
        or (exc.status_code or 0) >= 500
    )


class RecordingDownload:
    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        dest: Path,
        *,
        headers_for: HeadersFor,
        attempts: int,
        delay: Callable[[int], float],
        sleep: Callable[[float], Awaitable[None]],
        limits: ClientLimits,
        progress: ProgressCallback | None,
    ) -> None:
        self.http = http
        self.url = url
        self.dest = dest
        self.part = dest.with_name(dest.name + ".part")
        self.headers_for = headers_for
        self.attempts = attempts
        self.delay = delay
        self.sleep = sleep
        self.limits = limits
        self.progress = progress

    async def run(self) -> AudioInfo:
        try:
            check_recording_url(self.url)  # before any connection
            # The library folder may have been deleted while Dialdeck runs: made again.
            await asyncio.to_thread(self.dest.parent.mkdir, parents=True, exist_ok=True)
            async with asyncio.timeout(self.limits.download_deadline):
                await self._with_retries()
        except TimeoutError:
            raise RequestTimeoutError(
                detail=f"download not finished within {self.limits.download_deadline:g}s"
            ) from None
        except ApiError as exc:
            if not _resumable(exc):
                await asyncio.to_thread(self.part.unlink, True)
            raise
        try:
            info = await asyncio.to_thread(_verify_and_commit, self.part, self.dest)
        except NotAudioError as exc:
            await asyncio.to_thread(self.part.unlink, True)
            raise RecordingInvalidError(
                f"The downloaded recording is not playable: {exc}"
            ) from None
        return info

    async def _with_retries(self) -> None:
        for attempt in range(self.attempts):
            try:
                await self._attempt()
                return
            except ApiError as exc:
                told = exc.retry_after
                if not _resumable(exc) or attempt + 1 >= self.attempts:
                    raise
                if told is not None and told > WAIT_IN_PLACE:
                    raise
                log.info("download of %s interrupted (%s); resuming", self._where, exc.detail)
                await self.sleep(max(self.delay(attempt), told or 0.0))

    @property
    def _where(self) -> str:
        return redact_url(self.url)

    async def _attempt(self) -> None:
        limits = self.limits
        try:
            async with asyncio.timeout(None) as deadline:
                guard = RateGuard(deadline, limits.download_min_rate, limits.download_rate_window)
                await self._transfer(guard)
        except TimeoutError:
            raise RequestTimeoutError(
                detail=f"download below {limits.download_min_rate:g} B/s over "
                f"{limits.download_rate_window:g}s"
            ) from None
        except httpx.TimeoutException as exc:
            raise RequestTimeoutError(detail=f"download: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise NetworkError(detail=f"download: {type(exc).__name__}") from None

    async def _transfer(self, guard: RateGuard) -> None:
        offset = await asyncio.to_thread(_size_or_zero, self.part)
        async with self._open(offset) as response:
            status = response.status_code
            if status == 416 and offset:
                return  # our .part is already complete (or the file changed): verify decides
            if status not in (200, 206):
                body = await read_error_body(response, self.limits.max_error_bytes)
                detail = f"HTTP {status} for GET {redact_url(str(response.url))}"
                told = retry_after_seconds(response.headers.get("retry-after"))
                raise _error(status, body, detail, told)
            encoding = response.headers.get("content-encoding", "").strip().lower()
            if encoding not in ("", "identity"):
                raise RecordingInvalidError(
                    "The server sent the recording compressed, which Dialdeck does not accept.",
                    detail=f"Content-Encoding {encoding[:40]!r}",
                )
            if status == 206:
                start, total = _content_range(response.headers.get("content-range", ""))
                if start != offset:  # our .part cannot be trusted to match: next try from 0
                    await asyncio.to_thread(self.part.unlink, True)
                    raise HttpStatusError(
                        502,
                        detail=f"Range mismatch {start} != {offset}",
                        operation=Operation.DOWNLOAD,
                    )
                mode = "ab"
            else:
                offset, mode = 0, "wb"  # the server ignored Range: start over
                length = response.headers.get("content-length", "")
                total = int(length) if length.isascii() and length.isdigit() else None
            self._check_size(total or 0)
            await self._receive(response, guard, offset, mode, total)

    async def _receive(
        self, response: httpx.Response, guard: RateGuard, done: int, mode: str, total: int | None
    ) -> None:
        writer = PartWriter(await open_off_loop(self.part, mode), self.limits.write_batch_bytes)
        try:
            if self.progress:
                self.progress(done, total)
            async for chunk in response.aiter_raw():  # identity only: raw bytes are the file
                guard.add(len(chunk))
                await writer.write(chunk)
                done += len(chunk)
                self._check_size(done)
                if self.progress:
                    self.progress(done, total)
        finally:
            await writer.close()

    def _check_size(self, size: int) -> None:
        if size > self.limits.max_recording_bytes:
            raise RecordingInvalidError(
                "The recording is larger than any real call recording; it was not kept.",
                detail=f"{size} bytes, limit {self.limits.max_recording_bytes}",
            )

    @contextlib.asynccontextmanager
    async def _open(self, offset: int) -> AsyncIterator[httpx.Response]:
        """GET the URL, following up to ``max_redirects`` redirects by hand, each hop checked."""
        url = self.url
        for _ in range(self.limits.max_redirects + 1):
            headers = {**self.headers_for(url), "Accept": "*/*", "Accept-Encoding": "identity"}
            if offset:
                headers["Range"] = f"bytes={offset}-"
            async with self.http.stream("GET", url, headers=headers) as response:
                if not response.has_redirect_location:
                    yield response
                    return
                target = join_url(url, response.headers["location"])
            check_recording_url(target)  # InsecureUrlError before any connection to it
            log.info("recording download redirected to %s", redact_url(target))
            url = target
        raise HttpStatusError(
            response.status_code,
            detail=f"more than {self.limits.max_redirects} redirects",
            operation=Operation.DOWNLOAD,
        )


def _error(status: int, body: bytes | None, detail: str, retry_after: float | None) -> ApiError:
    if status in (401, 403, 404, 429):
        return error_for_status(status, body, detail, Operation.DOWNLOAD, retry_after)
    # Every other status, 502 included, is an HttpStatusError: retried within the download.
    error = HttpStatusError(
        status, server_reason(body), detail=detail, operation=Operation.DOWNLOAD
    )
    return keep_retry_after(error, retry_after)


def _content_range(value: str) -> tuple[int | None, int | None]:
    """``bytes 100-199/200`` -> (100, 200); unreadable parts are None."""
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None:
        return None, None
    return int(match[1]), (None if match[3] == "*" else int(match[3]))


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _verify_and_commit(part: Path, dest: Path) -> AudioInfo:
    """On a worker, in one hop: the audio check, then the commit of a file that passed it."""
    info = probe_audio(part)
    commit(part, dest)
    return info
