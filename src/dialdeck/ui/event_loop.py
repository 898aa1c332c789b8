"""asyncio on the Qt event loop: qasync's loop, with delayed calls that go away when cancelled.

qasync (0.28) runs ``call_later``/``call_at`` as plain ``asyncio.Handle`` objects on Qt timers and
ignores ``cancel()``: a cancelled call, its context and its Qt timer stay until the delay runs out
(qasync issue #35). Dialdeck cancels long timers all the time (each request's deadline, a
download's rate guard moved on every chunk): ~3,000 dead timers after 100 calls, each waking the
GUI thread once when it finally expired. Here a delayed call is a real ``asyncio.TimerHandle``
whose ``cancel()`` kills its Qt timer at once. Calls with no delay (``call_soon``) stay qasync's.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import qasync
from PySide6.QtCore import QObject, Qt, QTimerEvent

# Blocking work off the GUI thread (keyring, disk, decoding): a few at once is plenty.
WORKER_THREADS = 8


class QtTimers(QObject):
    """One Qt timer per pending delayed call, on the loop's thread; killed on fire or cancel."""

    def __init__(self) -> None:
        super().__init__()
        self._handles: dict[int, QtTimerHandle] = {}

    def __len__(self) -> int:
        return len(self._handles)

    def add(self, handle: QtTimerHandle, delay: float, precise: bool = False) -> None:
        # Coarse by default (Qt may align wake-ups, within 5%); timerEvent re-arms an early one.
        kind = Qt.TimerType.PreciseTimer if precise else Qt.TimerType.CoarseTimer
        handle.timer_id = self.startTimer(math.ceil(delay * 1000), kind)
        self._handles[handle.timer_id] = handle

    def discard(self, timer_id: int) -> None:
        if self._handles.pop(timer_id, None) is not None:
            self.killTimer(timer_id)

    def stop(self) -> None:
        for timer_id in list(self._handles):
            self.discard(timer_id)

    def timerEvent(self, event: QTimerEvent) -> None:
        timer_id = event.timerId()
        handle = self._handles.pop(timer_id, None)
        self.killTimer(timer_id)  # one shot
        if handle is None or handle.cancelled():
            return
        early = handle.when() - time.monotonic()  # the loop's clock (qasync: monotonic)
        if early > 0:  # a coarse timer may fire up to 5% early: wait out the rest, precisely
            self.add(handle, early, precise=True)
            return
        handle._run()  # asyncio's own runner: exceptions go to the loop's handler


class QtTimerHandle(asyncio.TimerHandle):
    __slots__ = ("_timers", "timer_id")

    def __init__(
        self,
        when: float,
        callback: Callable[..., object],
        args: tuple[Any, ...],
        loop: asyncio.AbstractEventLoop,
        context: contextvars.Context | None,
        timers: QtTimers,
    ) -> None:
        super().__init__(when, callback, args, loop, context=context)
        self._timers = timers
        self.timer_id = -1

    def cancel(self) -> None:
        if not self.cancelled():
            self._timers.discard(self.timer_id)
        super().cancel()


class DialdeckEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.qt_timers = QtTimers()
        # qasync's default executor starts ten QThreads at the first to_thread() and keeps them
        # (~2 MB, mostly their malloc arenas); this pool starts a thread only when none is idle.
        self.worker_pool = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="dialdeck-worker")
        self.set_default_executor(self.worker_pool)

    def call_later(
        self,
        delay: float,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.TimerHandle | asyncio.Handle:
        if delay <= 0:  # call_soon and overdue call_at: run on the next pass, never linger
            handle: asyncio.Handle = super().call_later(delay, callback, *args, context=context)
            return handle
        self._check_closed()
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        timed = QtTimerHandle(self.time() + delay, callback, args, self, context, self.qt_timers)
        self.qt_timers.add(timed, delay)
        return timed

    def close(self) -> None:
        super().close()
        self.qt_timers.stop()
