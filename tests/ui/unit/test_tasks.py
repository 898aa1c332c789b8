"""Tasks after the loop is gone: refused loudly, and the coroutine is closed, not leaked."""

from __future__ import annotations

import inspect

import pytest

from dialdeck.ui.tasks import Tasks


async def work() -> int:
    return 1


def test_spawning_without_a_loop_closes_the_coroutine() -> None:
    tasks = Tasks()
    coro = work()
    with pytest.raises(RuntimeError, match="no running event loop"):
        tasks.spawn(coro, "late")
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED  # no "never awaited" warning
    with pytest.raises(RuntimeError):
        tasks.latest("slot", work())
