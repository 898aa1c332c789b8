"""Unit tests of single controllers: fakes around them, no app boot, no sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialdeck.core.store import AsyncHistory
from dialdeck.ui.tasks import Tasks


class RaisingReporter:
    """Task errors fail the test instead of opening a crash dialog."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    def __call__(self, kind: type[BaseException], exc: BaseException, tb: object) -> None:
        self.errors.append(exc)


@pytest.fixture
def reporter() -> Iterator[RaisingReporter]:
    found = RaisingReporter()
    yield found
    assert not found.errors, f"a background task failed: {found.errors!r}"


@pytest.fixture
def tasks(aloop: asyncio.AbstractEventLoop, reporter: RaisingReporter) -> Tasks:
    return Tasks(reporter)


@pytest.fixture
def history(
    aloop: asyncio.AbstractEventLoop, tmp_path: Path, qtbot: object
) -> Iterator[AsyncHistory]:
    store = AsyncHistory(tmp_path / "history.sqlite3")
    task = aloop.create_task(store.open())
    qtbot.waitUntil(task.done)  # type: ignore[attr-defined]
    yield store
    closing = aloop.create_task(store.close())
    qtbot.waitUntil(closing.done)  # type: ignore[attr-defined]
