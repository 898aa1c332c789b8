"""Downloading recordings into the library: automatic, resumable, verified, retried later.

Each recording downloads to ``<recordings>/<name>.wav`` through the client's ``.part`` file, so an
interruption (dropped connection, app closed) resumes where it stopped, at the next attempt or
the next start. Failures are retried with growing delays; a recording the server no longer has
is marked failed for good.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialdeck.core import library
from dialdeck.core.api.client import CloudDialerClient
from dialdeck.core.api.errors import ApiError, NotFoundError
from dialdeck.core.library import RecordingRow
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


class RecordingDownloader:
    def __init__(
        self,
        client: CloudDialerClient,
        history: AsyncHistory,
        directory: Path,
        *,
        on_progress: Progress | None = None,
        on_changed: Changed | None = None,
        retry_delays: tuple[timedelta, ...] = RETRY_DELAYS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.history = history
        self.directory = directory
        self.on_progress = on_progress
        self.on_changed = on_changed
        self.retry_delays = retry_delays
        self._now = now
        self._active: dict[int, asyncio.Task[None]] = {}
        self._limit = asyncio.Semaphore(2)

    def path_for(self, row: RecordingRow) -> Path:
        return self.directory / f"{row.call_uuid or row.id}.wav"

    async def add(self, call_uuid: str, url: str, title: str) -> int:
        rec_id = await self.history.run(library.add_pending, call_uuid, url, title)
        self._changed(rec_id)
        await self.run_due()
        return rec_id

    async def run_due(self) -> None:
        """Start every download that is due (pending, interrupted, or failed and due for retry)."""
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
            except NotFoundError:
                await self.history.run(
                    library.mark_failed,
                    row.id,
                    "The recording is no longer available on the server.",
                    None,
                )
            except ApiError as exc:
                delay = self.retry_delays[min(row.attempts, len(self.retry_delays) - 1)]
                log.info(
                    "recording download failed (%s); retrying in %s",
                    exc.detail or type(exc).__name__,
                    delay,
                )
                await self.history.run(library.mark_failed, row.id, str(exc), self._now() + delay)
            else:
                size = await asyncio.to_thread(lambda: dest.stat().st_size)
                await self.history.run(library.mark_local, row.id, str(dest), size, info.duration)
                log.info("recording saved")
        self._changed(row.id)

    def _progress(self, rec_id: int, done: int, total: int | None) -> None:
        if self.on_progress:
            self.on_progress(rec_id, done, total)

    def _changed(self, rec_id: int) -> None:
        if self.on_changed:
            self.on_changed(rec_id)
