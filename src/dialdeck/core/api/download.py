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
import ctypes
import io
import logging
import os
import re
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import IO

import httpx

from dialdeck.core.api.errors import (
    ApiError,
    HttpStatusError,
    NetworkError,
    Operation,
    RecordingInvalidError,
    RequestTimeoutError,
)
from dialdeck.core.api.limits import ClientLimits
from dialdeck.core.api.urls import check_recording_url, join_url
from dialdeck.core.api.wire import error_for_status, read_error_body, server_reason
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


_sync_data = getattr(os, "fdatasync", os.fsync)  # Windows has only fsync (FlushFileBuffers)
_SYNC_FILE_RANGE_WRITE = 2


def _writeback_starter() -> Callable[[int], None]:
    """How each written batch is sent on to the disk: on Linux, ``sync_file_range`` starts the
    writeback and returns at once (the worker goes back to writing, the disk works meanwhile),
    so the sync before the final rename only waits for the tail. Elsewhere, or where the file
    system refuses it, the batch is synced (and waited for) there and then."""
    if not sys.platform.startswith("linux"):
        return _sync_data
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return _sync_data
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int

    def start_writeback(fd: int) -> None:
        if function(fd, 0, 0, _SYNC_FILE_RANGE_WRITE) != 0:
            _sync_data(fd)

    return start_writeback


_start_writeback = _writeback_starter()


class PartWriter:
    """Writes to the ``.part`` file in batches on a worker thread (one hop per batch, not per chunk).

    Bytes received before an error are never lost: :meth:`close` writes what is buffered, so a
    resume starts exactly where the data stopped. Writes stay in order; a failed write stops all
    later ones (a gap would corrupt the file). Memory is at most two batches.
    """

    def __init__(self, fh: IO[bytes], batch: int) -> None:
        self._fh = fh
        self._batch = batch
        # Chunks as received, not copied into one buffer: copying grew a fresh megabyte per batch
        # on the event loop (10 MB of copies and page faults per 10 MB recording).
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._last: asyncio.Future[None] | None = None

    async def write(self, chunk: bytes) -> None:
        self._chunks.append(chunk)
        self._buffered += len(chunk)
        if self._buffered >= self._batch:
            await self._flush()

    async def _flush(self, *, last: bool = False) -> None:
        """Hand the buffer to the worker. Receiving goes on while it writes (the disk and the
        network overlap); the next batch waits for this one, so writes stay in order. The
        ``last`` batch also closes the file, in the same hop."""
        if self._last is not None:
            await asyncio.shield(self._last)  # re-raises a failed write: nothing after it
        if self._chunks or last:
            chunks, self._chunks, self._buffered = self._chunks, [], 0
            self._last = asyncio.ensure_future(asyncio.to_thread(self._write_durably, chunks, last))
            if last:
                await asyncio.shield(self._last)  # cancelled or not, the write itself completes

    def _write_durably(self, chunks: list[bytes], last: bool = False) -> None:
        """On the worker: write, and send it on to the disk now, while the next batch arrives,
        so the sync before the final rename has only the last batch left to wait for."""
        try:
            if chunks:
                _write_chunks(self._fh, chunks)
                _start_writeback(self._fh.fileno())
        finally:
            if last:
                self._fh.close()

    async def close(self) -> None:
        """Write what is buffered, sync it and close the file. The file is closed whatever
        happens: after a failed write too, and when cancelled meanwhile."""
        try:
            await self._flush(last=True)
        finally:
            pending = self._last
            if pending is not None and not pending.done():
                pending.add_done_callback(lambda _: self._fh.close())  # cancelled meanwhile
            elif not self._fh.closed:  # an earlier write failed: the last batch never ran
                try:
                    await asyncio.to_thread(self._fh.close)
                except asyncio.CancelledError:
                    self._fh.close()  # cancelled while closing: close here, never leak it
                    raise


_IOV_MAX = 1024  # buffers per writev(), the POSIX minimum of the limit


def _write_chunks(fh: IO[bytes], chunks: list[bytes]) -> None:
    """Write ``chunks`` in order, in few system calls and without copying them into one buffer.

    Both matter on the worker: each system call hands the GIL to the event loop and back, and a
    copy holds the GIL for its whole length, stalling the loop that is receiving the next batch.
    ``os.writev`` does neither; where there is none (Windows), one joined write.
    """
    writev = getattr(os, "writev", None)
    if writev is None or not isinstance(fh, io.BufferedWriter):
        fh.write(b"".join(chunks))
        fh.flush()
        return
    fh.flush()  # nothing is ever buffered in it, but never write around buffered bytes
    fd = fh.fileno()
    for start in range(0, len(chunks), _IOV_MAX):
        group = [memoryview(chunk) for chunk in chunks[start : start + _IOV_MAX]]
        while group:
            written = writev(fd, group)  # may write less than all (a signal, a full pipe)
            while group and written >= len(group[0]):
                written -= len(group.pop(0))
            if group and written:
                group[0] = group[0][written:]


def _resumable(exc: ApiError) -> bool:
    """Worth another try later, from where the ``.part`` file stops."""
    return isinstance(exc, NetworkError | RequestTimeoutError) or (exc.status_code or 0) >= 500


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
                if not _resumable(exc) or attempt + 1 >= self.attempts:
                    raise
                log.info("download of %s interrupted (%s); resuming", self._where, exc.detail)
            await self.sleep(self.delay(attempt))

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
                raise _error(status, body, f"HTTP {status} for GET {redact_url(str(response.url))}")
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
        writer = PartWriter(await _open_off_loop(self.part, mode), self.limits.write_batch_bytes)
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


def _error(status: int, body: bytes | None, detail: str) -> ApiError:
    if status in (401, 403, 404):
        return error_for_status(status, body, detail, Operation.DOWNLOAD)
    # Every other status, 502 included, is an HttpStatusError: retried within the download.
    return HttpStatusError(status, server_reason(body), detail=detail, operation=Operation.DOWNLOAD)


def _content_range(value: str) -> tuple[int | None, int | None]:
    """``bytes 100-199/200`` -> (100, 200); unreadable parts are None."""
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None:
        return None, None
    return int(match[1]), (None if match[3] == "*" else int(match[3]))


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


def _verify_and_commit(part: Path, dest: Path) -> AudioInfo:
    """On a worker, in one hop: the audio check, then the commit of a file that passed it."""
    info = probe_audio(part)
    _commit(part, dest)
    return info


def _commit(part: Path, dest: Path) -> None:
    """Sync then atomically rename, so a crash leaves either the old state or the whole file.

    The data and the file's size are what must be on the disk before the rename (``fdatasync``);
    the writer already synced each batch, so this is quick. A full ``fsync`` would also wait for
    the modification time, which nothing here needs."""
    with part.open("rb+") as fh:
        _sync_data(fh.fileno())
    os.replace(part, dest)
