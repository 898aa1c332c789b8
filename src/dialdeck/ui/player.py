"""A small wrapper around QMediaPlayer.

* Degrades cleanly: if QtMultimedia cannot be imported (missing system audio libraries), the
  library still works and playback is disabled with a message.
* Releases the file (empty source) before it is deleted or replaced, so Windows can delete it.
* Turns backend errors into plain messages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal

log = logging.getLogger("dialdeck.player")

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def _load_multimedia() -> tuple[Any, Any] | str:
    try:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
    except ImportError as exc:  # e.g. libpulse missing on Linux
        log.warning("QtMultimedia unavailable: %s", exc)
        return f"Playback is unavailable on this computer ({exc})."
    return QMediaPlayer, QAudioOutput


class Player(QObject):
    position_changed = Signal(int)  # ms
    duration_changed = Signal(int)  # ms
    playing_changed = Signal(bool)
    failed = Signal(str)  # a message for the agent
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        loaded = _load_multimedia()
        self.unavailable_reason = loaded if isinstance(loaded, str) else ""
        self.path: Path | None = None
        self._player: Any = None
        self._output: Any = None
        if isinstance(loaded, tuple):
            media_player, audio_output = loaded
            self._states = media_player.PlaybackState
            self._status = media_player.MediaStatus
            self._player = media_player(self)
            self._output = audio_output(self)
            self._player.setAudioOutput(self._output)
            # qlonglong in QtMultimedia, int here: forward through slots, not signal-to-signal.
            self._player.positionChanged.connect(lambda ms: self.position_changed.emit(int(ms)))
            self._player.durationChanged.connect(lambda ms: self.duration_changed.emit(int(ms)))
            self._player.playbackStateChanged.connect(self._on_state)
            self._player.errorOccurred.connect(self._on_error)
            self._player.mediaStatusChanged.connect(self._on_status)

    @property
    def available(self) -> bool:
        return self._player is not None

    @property
    def playing(self) -> bool:
        return self.available and self._player.playbackState() == self._states.PlayingState

    @property
    def position(self) -> int:
        return int(self._player.position()) if self.available else 0

    @property
    def duration(self) -> int:
        return int(self._player.duration()) if self.available else 0

    def load(self, path: Path) -> None:
        if not self.available:
            self.failed.emit(self.unavailable_reason)
            return
        self.path = path
        self._player.setSource(QUrl.fromLocalFile(str(path)))

    def unload(self) -> None:
        """Stop and let go of the file."""
        self.path = None
        if self.available:
            self._player.stop()
            self._player.setSource(QUrl())

    def play(self) -> None:
        if self.available and self.path is not None:
            self._player.play()

    def pause(self) -> None:
        if self.available:
            self._player.pause()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, ms: int) -> None:
        if self.available:
            duration = self.duration
            self._player.setPosition(max(0, min(ms, duration) if duration else ms))

    def skip(self, seconds: float) -> None:
        self.seek(self.position + int(seconds * 1000))

    def set_speed(self, rate: float) -> None:
        if self.available:
            self._player.setPlaybackRate(rate)
            if hasattr(self._player, "setPitchCompensation"):  # Qt 6.10+: keep voices natural
                self._player.setPitchCompensation(True)

    @property
    def speed(self) -> float:
        return float(self._player.playbackRate()) if self.available else 1.0

    def set_volume(self, volume: float) -> None:
        if self._output is not None:
            self._output.setVolume(max(0.0, min(1.0, volume)))

    def _on_state(self, state: Any) -> None:
        self.playing_changed.emit(state == self._states.PlayingState)

    def _on_status(self, status: Any) -> None:
        if status == self._status.EndOfMedia:
            self.finished.emit()
        elif status == self._status.InvalidMedia:
            self.failed.emit(
                self.tr("This recording cannot be played: the file is damaged or not audio.")
            )

    def _on_error(self, _error: Any, message: str) -> None:
        log.warning("playback error: %s", message)
        self.failed.emit(
            self.tr("Playback failed: {message}").format(message=message or "unknown error")
        )
