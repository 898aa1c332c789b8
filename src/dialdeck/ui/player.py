"""A small wrapper around QMediaPlayer.

* Created lazily, on the first recording loaded: QtMultimedia maps its FFmpeg and QtQuick
  libraries (~18 MB) and nothing at start-up needs them.
* Guards against a PySide6 deadlock in ``stop()``/``pause()``/``setPosition()`` (see
  :func:`_prime_no_override_cache`).
* Degrades cleanly: if QtMultimedia cannot be imported (missing system audio libraries), the
  library still works and playback is disabled with a message; with no sound device it says so.
* Releases the file (empty source) before it is deleted or replaced, so Windows can delete it.
* Turns backend errors into plain messages.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

log = logging.getLogger("dialdeck.player")

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)

NO_DEVICE_MESSAGE = (
    "No sound device found: recordings play silently. Connect speakers or a headset to hear them."
)


@cache
def multimedia_problem() -> str:
    """Empty when QtMultimedia imports; otherwise why playback is unavailable (checked once)."""
    try:
        import PySide6.QtMultimedia  # noqa: F401
    except ImportError as exc:  # e.g. libpulse missing on Linux
        log.warning("QtMultimedia unavailable: %s", exc)
        return f"Playback is unavailable on this computer ({exc})."
    return ""


def _noop(*_args: object) -> None:
    pass


def _prime_no_override_cache(output: QAudioOutput) -> None:
    """Avoid a GIL/mutex deadlock between Qt's audio thread and the GUI thread.

    When the FFmpeg backend tears down its renderer (inside ``stop()``, ``pause()`` or
    ``setPosition()``), Qt's audio thread holds the signal-slot mutex and calls
    ``disconnectNotify`` on our Python-created ``QAudioOutput``; shiboken then takes the GIL to
    look for a Python override. The GUI thread holds the GIL inside ``stop()`` and waits for that
    mutex: deadlock (PYSIDE-2367/2843 fixed this for connect/disconnect and ``setSource`` only).
    One connect+disconnect here, on the GUI thread, makes shiboken cache "no override" for those
    virtuals, so the audio thread never needs the GIL. Measured: 0 hangs in 1,600 fresh players,
    1-3% per player without it.
    """
    output.volumeChanged.connect(_noop)
    output.volumeChanged.disconnect(_noop)


class Player(QObject):
    position_changed = Signal(int)  # ms
    duration_changed = Signal(int)  # ms
    playing_changed = Signal(bool)
    failed = Signal(str)  # a message for the agent
    notice = Signal(str)  # not an error: "no sound device", or "" once one appears

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._player: QMediaPlayer | None = None
        self._output: QAudioOutput | None = None
        self._devices: QMediaDevices | None = None
        self._volume = 1.0
        self._rate = 1.0
        self.device_notice = ""

    @property
    def available(self) -> bool:
        return not multimedia_problem()

    @property
    def unavailable_reason(self) -> str:
        return multimedia_problem()

    @property
    def created(self) -> bool:
        """Whether the QMediaPlayer exists yet (it is made on the first load)."""
        return self._player is not None

    def _ensure_player(self) -> QMediaPlayer | None:
        if self._player is not None or not self.available:
            return self._player
        from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

        player = QMediaPlayer(self)
        output = QAudioOutput(self)
        _prime_no_override_cache(output)
        output.setVolume(self._volume)
        player.setAudioOutput(output)
        player.setPitchCompensation(True)  # Qt 6.10+: a faster review keeps voices natural
        player.setPlaybackRate(self._rate)
        # qlonglong in QtMultimedia, int here: forward through slots, not signal-to-signal.
        player.positionChanged.connect(lambda ms: self.position_changed.emit(int(ms)))
        player.durationChanged.connect(lambda ms: self.duration_changed.emit(int(ms)))
        player.playbackStateChanged.connect(self._on_state)
        player.errorOccurred.connect(self._on_error)
        player.mediaStatusChanged.connect(self._on_status)
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)
        self._player, self._output = player, output
        self._check_outputs()
        return player

    def _check_outputs(self) -> None:
        from PySide6.QtMultimedia import QMediaDevices

        notice = "" if QMediaDevices.audioOutputs() else self.tr(NO_DEVICE_MESSAGE)
        if notice != self.device_notice:
            log.info("audio output devices: %s", "none" if notice else "available")
            self.device_notice = notice
            self.notice.emit(notice)

    def _on_outputs_changed(self) -> None:
        from PySide6.QtMultimedia import QMediaDevices

        if self._output is not None:
            # Follow the system default (a headset plugged in after start, a remote session).
            self._output.setDevice(QMediaDevices.defaultAudioOutput())
        self._check_outputs()

    @property
    def playing(self) -> bool:
        if self._player is None:
            return False
        return self._player.playbackState() == self._player.PlaybackState.PlayingState

    @property
    def position(self) -> int:
        return int(self._player.position()) if self._player is not None else 0

    @property
    def duration(self) -> int:
        return int(self._player.duration()) if self._player is not None else 0

    def load(self, path: Path) -> None:
        player = self._ensure_player()
        if player is None:
            self.failed.emit(self.unavailable_reason)
            return
        self.path = path
        player.setSource(QUrl.fromLocalFile(str(path)))

    def unload(self) -> None:
        """Stop and let go of the file."""
        self.path = None
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())

    def play(self) -> None:
        if self._player is not None and self.path is not None:
            self._player.play()

    def pause(self) -> None:
        if self._player is not None:
            self._player.pause()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, ms: int) -> None:
        if self._player is not None:
            duration = self.duration
            self._player.setPosition(max(0, min(ms, duration) if duration else ms))

    def skip(self, seconds: float) -> None:
        self.seek(self.position + int(seconds * 1000))

    def set_speed(self, rate: float) -> None:
        self._rate = rate
        if self._player is not None:
            self._player.setPlaybackRate(rate)

    @property
    def speed(self) -> float:
        return float(self._player.playbackRate()) if self._player is not None else self._rate

    def set_volume(self, volume: float) -> None:
        self._volume = max(0.0, min(1.0, volume))
        if self._output is not None:
            self._output.setVolume(self._volume)

    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        assert self._player is not None
        self.playing_changed.emit(state == self._player.PlaybackState.PlayingState)

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        assert self._player is not None
        if status == self._player.MediaStatus.InvalidMedia:
            self.failed.emit(
                self.tr("This recording cannot be played: the file is damaged or not audio.")
            )

    def _on_error(self, _error: QMediaPlayer.Error, message: str) -> None:
        log.warning("playback error: %s", message)
        self.failed.emit(
            self.tr("Playback failed: {message}").format(message=message or "unknown error")
        )
