"""The app's event loop: delayed calls run once, in order, never early; cancelled ones vanish."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from pytestqt.qtbot import QtBot

from dialdeck.ui.event_loop import WORKER_THREADS, DialdeckEventLoop


def test_cancelled_delayed_calls_leave_no_timer(aloop: asyncio.AbstractEventLoop) -> None:
    assert isinstance(aloop, DialdeckEventLoop)
    handles = [aloop.call_later(300, pytest.fail, "must never run") for _ in range(500)]
    assert len(aloop.qt_timers) == 500
    for handle in handles:
        handle.cancel()
        handle.cancel()  # twice: harmless
    assert len(aloop.qt_timers) == 0  # qasync alone keeps all 500 for 5 minutes


def test_delayed_calls_run_once_in_order_and_not_early(
    aloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    ran: list[tuple[str, float]] = []
    start = aloop.time()
    aloop.call_later(0.06, lambda: ran.append(("late", aloop.time())))
    aloop.call_at(start + 0.02, lambda: ran.append(("early", aloop.time())))
    aloop.call_soon(lambda: ran.append(("soon", aloop.time())))
    qtbot.waitUntil(lambda: len(ran) == 3, timeout=2000)
    assert [name for name, _ in ran] == ["soon", "early", "late"]
    assert ran[1][1] - start >= 0.02 and ran[2][1] - start >= 0.06
    qtbot.wait(100)
    assert len(ran) == 3 and len(aloop.qt_timers) == 0


def test_deadlines_and_sleeps_clean_up_after_themselves(
    aloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def work() -> str:
        for _ in range(50):  # a request's deadline, met: its timer is cancelled on exit
            async with asyncio.timeout(120):
                await asyncio.sleep(0.001)
        try:
            async with asyncio.timeout(0.02):  # a deadline missed: the timer fires, once
                await asyncio.sleep(10)
        except TimeoutError:
            return "timed out"
        return "not timed out"

    task = aloop.create_task(work())
    qtbot.waitUntil(task.done, timeout=5000)
    assert task.result() == "timed out"
    assert len(aloop.qt_timers) == 0


def test_an_exception_in_a_delayed_call_goes_to_the_loops_handler(
    aloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    seen: list[dict[str, object]] = []
    aloop.set_exception_handler(lambda _loop, context: seen.append(context))
    try:
        aloop.call_later(0.01, lambda: 1 / 0)
        after: list[float] = []
        aloop.call_later(0.03, lambda: after.append(time.monotonic()))
        qtbot.waitUntil(lambda: bool(after), timeout=2000)
    finally:
        aloop.set_exception_handler(None)
    assert isinstance(seen[0]["exception"], ZeroDivisionError)  # and the loop went on


def test_a_closed_loop_refuses_new_calls_and_kills_pending_ones(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    loop = DialdeckEventLoop(QApplication.instance())  # not running: it may be closed
    loop.call_later(60, pytest.fail, "must never run")
    assert len(loop.qt_timers) == 1
    loop.close()
    assert len(loop.qt_timers) == 0
    with pytest.raises(RuntimeError, match="closed"):
        loop.call_later(1, print)


def test_blocking_work_starts_worker_threads_only_as_needed(
    aloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    """qasync's own default executor starts ten QThreads at the first ``to_thread`` and keeps
    them all (~2 MB); the app's pool starts one only when none is idle, up to a bound."""

    def workers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name.startswith("dialdeck-worker")}

    async def one_after_another() -> set[str]:
        names = set()
        for _ in range(5):
            names.add(await asyncio.to_thread(lambda: threading.current_thread().name))
        return names

    before = workers()
    task = aloop.create_task(one_after_another())
    qtbot.waitUntil(task.done, timeout=5000)
    assert len(task.result()) == 1  # the one idle worker is reused
    assert len(workers() - before) <= 1
    assert not [t for t in threading.enumerate() if "QThreadWorker" in type(t).__name__]

    release = threading.Event()

    async def many_at_once() -> list[str]:
        def wait() -> str:
            release.wait(5)
            return threading.current_thread().name

        jobs = [asyncio.to_thread(wait) for _ in range(WORKER_THREADS + 4)]
        aloop.call_later(0.2, release.set)
        return await asyncio.gather(*jobs)

    task = aloop.create_task(many_at_once())
    qtbot.waitUntil(task.done, timeout=10000)
    assert len(task.result()) == WORKER_THREADS + 4  # the extra ones waited their turn
    assert len(set(task.result())) == WORKER_THREADS
