"""RecordingsController with a FakePlayer: selecting recordings is "latest wins"."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from dialdeck.core import library
from dialdeck.core.audio import AudioInfo
from dialdeck.core.paths import AppPaths
from dialdeck.core.store import AsyncHistory
from dialdeck.ui import recordings_controller
from dialdeck.ui.recordings_controller import RecordingsController
from dialdeck.ui.tasks import Tasks
from tests.ui.unit.fakes import FakePlayer


def wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 8000)
    return path


def run(qtbot: QtBot, coro: object) -> object:
    task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
    qtbot.waitUntil(task.done, timeout=10_000)
    return task.result()


def test_selecting_another_recording_cancels_the_slower_load(
    history: AsyncHistory, tasks: Tasks, qtbot: QtBot, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    parent = QWidget()
    qtbot.addWidget(parent)
    player = FakePlayer()
    controller = RecordingsController(
        history,
        AppPaths.resolve(tmp_path / "home"),
        tasks,
        parent,
        player=player,  # type: ignore[arg-type]
    )
    first, second = wav(tmp_path / "first.wav"), wav(tmp_path / "second.wav")
    ids = [
        run(qtbot, history.run(library.add_import, p.stem, str(p), p.stat().st_size, 1.0))
        for p in (first, second)
    ]
    rows = [run(qtbot, history.run(library.get, i)) for i in ids]
    slow = asyncio.Event()

    def probe(path: Path) -> AudioInfo:
        return AudioInfo("wav", 1.0, 8000, 1, 16)

    real_to_thread = asyncio.to_thread

    async def gated_to_thread(fn: object, *args: object) -> object:
        if fn is probe and args and args[0] == first:
            await slow.wait()  # the first recording's check is slow (a big file, a busy disk)
        return await real_to_thread(fn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(recordings_controller, "probe_audio", probe)
    monkeypatch.setattr(recordings_controller.asyncio, "to_thread", gated_to_thread)
    controller.library_view.selected.emit(rows[0])  # the agent clicks the first…
    qtbot.wait(50)
    controller.library_view.selected.emit(rows[1])  # …then, at once, the second
    qtbot.waitUntil(lambda: player.path == second)
    slow.set()  # the first load would finish now: it was cancelled, so it cannot win
    qtbot.wait(200)
    assert player.path == second
    assert player.loads == [second]
    assert controller.library_view.player_widget.title.text() == "second"
