"""One owner for the UI's asyncio tasks: strong references, error reporting, "latest wins" slots.

``asyncio`` keeps only weak references to tasks, so a task nobody holds can vanish mid-flight;
an exception in a task nobody awaits is silently lost. :class:`Tasks` holds every task until it
ends and hands unexpected errors to the crash reporter.

:meth:`Tasks.latest` runs one task per named slot and cancels the previous one (as FeelUOwn's
``PreemptiveTaskSpec``): selecting another recording, or testing the connection again, must never
let an older attempt finish last and win.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

log = logging.getLogger("dialdeck.tasks")

T = TypeVar("T")
ErrorReporter = Callable[[type[BaseException], BaseException, TracebackType | None], object]


class Tasks:
    def __init__(self, report: ErrorReporter | None = None) -> None:
        self._report = report
        self._running: set[asyncio.Task[Any]] = set()
        self._slots: dict[str, asyncio.Task[Any]] = {}

    def spawn(self, coro: Coroutine[Any, Any, T], name: str = "") -> asyncio.Task[T]:
        """Start a background task, keep a strong reference, report unexpected errors."""
        try:
            task = asyncio.get_running_loop().create_task(coro, name=name or None)
        except RuntimeError:  # no loop any more (after shutdown): the coroutine never runs
            coro.close()  # so it is not left "never awaited"
            raise
        self._running.add(task)
        task.add_done_callback(self._done)
        return task

    def latest(self, slot: str, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``coro`` in ``slot``, cancelling the task that slot ran before (latest wins)."""
        previous = self._slots.get(slot)
        if previous is not None and not previous.done():
            previous.cancel()
        task = self.spawn(coro, slot)
        self._slots[slot] = task
        return task

    def named(self, name: str) -> list[asyncio.Task[Any]]:
        return [t for t in self._running if t.get_name() == name]

    @property
    def running(self) -> list[asyncio.Task[Any]]:
        return list(self._running)

    async def cancel_all(self) -> None:
        """Cancel every task except the caller's own, and wait until they are gone."""
        current = asyncio.current_task()
        others = [t for t in self._running if t is not current]
        for task in others:
            task.cancel()
        log.debug("cancelling %d tasks", len(others))
        await asyncio.gather(*others, return_exceptions=True)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._running.discard(task)
        for slot, known in list(self._slots.items()):
            if known is task:
                del self._slots[slot]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            report = self._report or sys.excepthook
            report(type(exc), exc, exc.__traceback__)
