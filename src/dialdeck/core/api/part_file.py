"""The ``.part`` file of a download: written in batches on a worker thread, sent on to the disk
while the next batch arrives, and made durable before the atomic rename to its final name.

Bytes received before an error are never lost (:meth:`PartWriter.close` writes what is
buffered, so a resume starts exactly where the data stopped), and a crash leaves either the
``.part`` or the whole file, never a half file under the final name.
"""

from __future__ import annotations

import asyncio
import ctypes
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

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


async def open_off_loop(path: Path, mode: str) -> IO[bytes]:
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


def commit(part: Path, dest: Path) -> None:
    """Sync then atomically rename, so a crash leaves either the old state or the whole file.

    The data and the file's size are what must be on the disk before the rename (``fdatasync``);
    the writer already synced each batch, so this is quick. A full ``fsync`` would also wait for
    the modification time, which nothing here needs."""
    with part.open("rb+") as fh:
        _sync_data(fh.fileno())
    os.replace(part, dest)
