"""Downloading recordings into the library: automatic, resumable, verified, retried later.

Each recording downloads to ``<recordings>/<name>.wav`` through the client's ``.part`` file, so an
interruption (dropped connection, app closed) resumes where it stopped, at the next attempt or
the next start. Failures are retried with growing delays; a recording the server no longer has
(or whose address is refused as insecure) is marked failed for good and its ``.part`` removed.
``.part`` files that no download will resume (left by an older version, or by a recording since
deleted) are removed once, at the first run, if they predate this downloader.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialdeck.core import library
from dialdeck.core.api.client import CloudDialerClient
from dialdeck.core.api.errors import ApiError, InsecureUrlError, NotFoundError
from dialdeck.core.library import RecordingRow
from dialdeck.core.storage_errors import storage_reason
from dialdeck.core.store import AsyncHistory

log = logging.getLogger("dialdeck.downloads")

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=3),
)
Progress = Callable[[int, int, int | None], None]  # recording id, bytes, total
Changed = Callable[[int], None]  # recording id whose state changed
Problem = Callable[[str], None]  # something the agent must be told (our disk refused a write)


class RecordingDownloader:
    def __init__(
        self,
        client: CloudDialerClient,
        history: AsyncHistory,
        directory: Path,
        *,
        on_progress: Progress | None = None,
        on_changed: Changed | None = None,
        on_problem: Problem | None = None,
        retry_delays: tuple[timedelta, ...] = RETRY_DELAYS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.history = history
        self.directory = directory
        self.on_progress = on_progress
        self.on_changed = on_changed
        self.on_problem = on_problem
        self.retry_delays = retry_delays
        self._now = now
        self._active: dict[int, asyncio.Task[None]] = {}
        self._limit = asyncio.Semaphore(2)
        self._created = time.time()  # wall clock, to compare with file modification times
        self._swept = False

    def path_for(self, row: RecordingRow) -> Path:
        return self.directory / f"{row.call_uuid or row.id}.wav"

    async def add(self, call_uuid: str, url: str, title: str) -> int:
        rec_id = await self.history.run(library.add_pending, call_uuid, url, title)
        self._changed(rec_id)
        await self.run_due()
        return rec_id

    def part_for(self, row: RecordingRow) -> Path:
        path = self.path_for(row)
        return path.with_name(path.name + ".part")

    async def run_due(self) -> None:
        """Start every download that is due (pending, interrupted, or failed and due for retry)."""
        if not self._swept:
            self._swept = True
            await self._sweep_parts()
        for row in await self.history.run(library.due_downloads, self._now()):
            if row.id not in self._active:
                task = asyncio.get_running_loop().create_task(
                    self._download(row), name=f"download {row.id}"
                )
                self._active[row.id] = task
                task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        for rec_id, known in list(self._active.items()):
            if known is task:
                del self._active[rec_id]
        if not task.cancelled() and (exc := task.exception()) is not None:
            # _download handles every expected failure; this is the last line of defence.
            log.error("recording download ended by a bug", exc_info=exc)

    @property
    def busy(self) -> bool:
        return bool(self._active)

    async def wait_idle(self) -> None:
        while self._active:
            await asyncio.gather(*self._active.values(), return_exceptions=True)

    async def stop(self) -> None:
        tasks = list(self._active.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _download(self, row: RecordingRow) -> None:
        assert row.url is not None
        dest = self.path_for(row)
        async with self._limit:
            try:
                info = await self.client.download_recording(
                    row.url, dest, progress=lambda done, total: self._progress(row.id, done, total)
                )
            except (NotFoundError, InsecureUrlError) as exc:
                reason = (
                    "The recording is no longer available on the server."
                    if isinstance(exc, NotFoundError)
                    else str(exc)
                )
                await self._record(library.mark_failed, row.id, reason, None)
                # Failed for good: nothing will resume it (the client removes it too).
                await asyncio.to_thread(self.part_for(row).unlink, True)
            except (ApiError, OSError) as exc:  # OSError: our disk (full, read-only); later
                delay = self.retry_delays[min(row.attempts, len(self.retry_delays) - 1)]
                if isinstance(exc, ApiError) and exc.retry_after is not None:  # asked to wait
                    delay = max(delay, timedelta(seconds=exc.retry_after))
                retry_at = self._now() + delay
                detail = (exc.detail or str(exc)) if isinstance(exc, ApiError) else repr(exc)
                log.info("recording download failed (%s); retrying in %s", detail, delay)
                reason = str(exc)
                if isinstance(exc, OSError):
                    reason = (
                        f"Not saved: {storage_reason(exc)}. Dialdeck tries again at "
                        f"{retry_at.astimezone():%H:%M}."
                    )
                    self._problem(f"A recording could not be saved: {storage_reason(exc)}.")
                await self._record(library.mark_failed, row.id, reason, retry_at)
            else:
                try:
                    size = await asyncio.to_thread(lambda: dest.stat().st_size)
                except OSError:
                    size = 0
                await self._record(library.mark_local, row.id, str(dest), size, info.duration)
                log.info("recording saved")
        self._changed(row.id)

    async def _record(self, fn: Callable[..., None], *args: object) -> None:
        """Write a download's outcome. When the disk refuses even that (full, read-only), the
        agent is told, and the recording is simply due again: its row still says pending."""
        try:
            await self.history.run(fn, *args)
        except (sqlite3.Error, OSError) as exc:
            log.warning("recording state not saved: %s", exc)
            self._problem(f"A recording's state could not be saved: {storage_reason(exc)}.")

    async def _sweep_parts(self) -> None:
        resumable = await self.history.run(library.awaiting_download)
        keep = {self.part_for(row).name for row in resumable}
        removed = await asyncio.to_thread(_remove_stray_parts, self.directory, keep, self._created)
        if removed:
            log.info("removed %d partial download(s) nothing will resume", removed)

    def _progress(self, rec_id: int, done: int, total: int | None) -> None:
        if self.on_progress:
            self.on_progress(rec_id, done, total)

    def _changed(self, rec_id: int) -> None:
        if self.on_changed:
            self.on_changed(rec_id)

    def _problem(self, text: str) -> None:
        if self.on_problem:
            self.on_problem(text)


def _remove_stray_parts(directory: Path, keep: set[str], before: float) -> int:
    """Delete ``*.wav.part`` not in ``keep`` and last written before ``before`` (epoch seconds).

    Imports (``import-…``) are never touched; neither is a file written since the downloader
    started, which some other download may be writing right now.
    """
    removed = 0
    for part in directory.glob("*.wav.part"):
        if part.name in keep or part.name.startswith("import-"):
            continue
        try:
            if part.stat().st_mtime >= before:
                continue
            part.unlink()
        except OSError:  # gone meanwhile, or not ours to delete: leave it
            continue
        removed += 1
    return removed
