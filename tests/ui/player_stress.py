"""Fresh players through play/seek/pause/stop, in a process of its own with a watchdog.

Run by ``test_player_stress.py`` (and by hand: ``python -m tests.ui.player_stress 200``). A player
that hangs (the QAudioOutput/GIL deadlock that ``dialdeck.ui.player`` guards against) makes the
watchdog dump every thread's stack and exit with code 3, so a hang is a clear failure, never a
stuck run.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

HANG_EXIT = 3
PER_PLAYER_LIMIT = 20.0  # seconds; a healthy cycle takes well under one


def write_tone(path: Path, seconds: float = 2.0, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(
            b"".join(
                (((n * 29) % 1600) - 800).to_bytes(2, "little", signed=True)
                for n in range(int(rate * seconds))
            )
        )
    return path


def main(count: int) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
    from PySide6.QtCore import QCoreApplication, QEventLoop
    from PySide6.QtWidgets import QApplication

    from dialdeck.ui.player import Player

    app = QApplication.instance() or QApplication([])
    path = write_tone(Path(tempfile.mkdtemp(prefix="player-stress-")) / "tone.wav")

    def spin_until(predicate: Callable[[], bool], limit: float) -> bool:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if predicate():
                return True
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return False

    for n in range(count):
        faulthandler.dump_traceback_later(PER_PLAYER_LIMIT, exit=True)  # exit code 1 after dump
        player = Player()
        player.load(path)
        if not spin_until(lambda p=player: p.duration > 0, 10):
            print(f"player {n}: never loaded", flush=True)
            return 2
        player.play()
        spin_until(lambda p=player: p.position > 100, 5)
        player.seek(900)
        spin_until(lambda: False, 0.03)
        player.pause()
        player.seek(300)
        player.play()
        spin_until(lambda: False, 0.05)
        player.pause()
        player.unload()  # stop() + empty source
        player.deleteLater()
        QCoreApplication.processEvents()
        faulthandler.cancel_dump_traceback_later()
    print(f"ok: {count} players", flush=True)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
