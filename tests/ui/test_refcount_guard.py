"""Guard against the PySide6 6.12 + CPython 3.11 reference leak on None/True/False.

That pair drops one reference to ``None`` on every void Qt call and to ``True`` on every
``Signal.emit()``; after seconds of playback (the waveform repaints) the interpreter aborts with
``Fatal Python error: none_dealloc``. pyproject.toml excludes the pair; this test proves the
installed one is not affected, with the real player and waveform doing real work.
"""

from __future__ import annotations

import sys
import wave
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from dialdeck.ui.player import Player
from dialdeck.ui.player_widget import PlayerWidget


class _Emitter(QObject):
    void = Signal()
    flag = Signal(bool)


def _singleton_refs() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def _tone(path: Path, seconds: float) -> Path:
    rate = 8000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = bytearray()
        for n in range(int(rate * seconds)):
            frames += (((n * 37) % 2000) - 1000).to_bytes(2, "little", signed=True)
        w.writeframes(bytes(frames))
    return path


def _assert_not_drained(before: tuple[int, int, int], after: tuple[int, int, int]) -> None:
    # A healthy interpreter may gain or lose a handful of references to these singletons (frames,
    # caches); the leak loses one per call, i.e. thousands here.
    for name, was, now in zip(("None", "True", "False"), before, after, strict=True):
        assert now > was - 500, f"references to {name} fell from {was} to {now}"


def test_void_qt_calls_and_emits_keep_singleton_refcounts(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    emitter = _Emitter()
    received: list[bool] = []
    emitter.flag.connect(received.append)
    # A short probe first: on an affected pair the long loop would abort the interpreter
    # (none_dealloc) instead of failing this test with a message.
    probe = _singleton_refs()
    for _ in range(200):
        widget.setEnabled(True)
        emitter.flag.emit(True)
    drop = [was - now for was, now in zip(probe, _singleton_refs(), strict=True)]
    assert max(drop) < 150, f"None/True/False lose a reference per Qt call: {drop}"
    before = _singleton_refs()
    for n in range(5000):
        widget.setEnabled(True)  # void C++ calls returning None
        widget.update()
        widget.setObjectName("guard")
        emitter.void.emit()
        emitter.flag.emit(n % 2 == 0)  # True and False through a signal
    after = _singleton_refs()
    assert len(received) == 5200
    _assert_not_drained(before, after)


def test_real_playback_with_waveform_keeps_singleton_refcounts(
    qtbot: QtBot, tmp_path: Path
) -> None:
    player = Player()
    widget = PlayerWidget(player)
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.show()
    widget.waveform.set_peaks([abs(((n * 13) % 100) - 50) / 50 for n in range(800)])
    path = _tone(tmp_path / "tone.wav", 6)
    player.load(path)
    widget.show_recording("tone")
    qtbot.waitUntil(lambda: player.duration > 0, timeout=10_000)
    before = _singleton_refs()
    player.play()
    # ~3 s of real playback: position updates repaint the waveform and emit bool signals.
    qtbot.waitUntil(lambda: player.position >= 3000, timeout=15_000)
    for _ in range(200):
        widget.waveform.repaint()
    player.pause()
    player.seek(500)
    player.play()
    qtbot.wait(300)
    player.unload()
    after = _singleton_refs()
    _assert_not_drained(before, after)
