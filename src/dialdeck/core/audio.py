"""Is this file audio we can play? Checked before a recording is ever listed as good.

WAV is parsed properly (RIFF chunks, format, and a data chunk that really holds the bytes it
claims), so a truncated download or a renamed HTML error page is rejected. Other containers that
QtMultimedia plays (MP3, Ogg, FLAC, M4A) are recognised by their signature only.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

# WAVE format tags: PCM, IEEE float, A-law, mu-law, WAVE_FORMAT_EXTENSIBLE.
_WAV_FORMATS = {1: "PCM", 3: "float", 6: "A-law", 7: "mu-law", 0xFFFE: "extensible"}


class NotAudioError(ValueError):
    """The file is missing, empty, truncated or not a format we can play; message says which."""


@dataclass(frozen=True, slots=True)
class AudioInfo:
    container: str  # "wav", "mp3", "ogg", "flac", "m4a"
    duration: float | None  # seconds, when the header tells us
    sample_rate: int | None = None
    channels: int | None = None
    bits_per_sample: int | None = None


def _probe_wav(head: bytes, size: int, path: Path) -> AudioInfo:
    if size < 44:
        raise NotAudioError("The WAV file is truncated (no complete header)")
    pos = 12
    fmt: tuple[int, int, int, int, int] | None = None
    with path.open("rb") as fh:
        while pos + 8 <= size:
            fh.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", fh.read(8))
            body_start = pos + 8
            if chunk_id == b"fmt ":
                if chunk_size < 16:
                    raise NotAudioError("The WAV file has a damaged format header")
                tag, channels, rate, byte_rate, _align, bits = struct.unpack("<HHIIHH", fh.read(16))
                fmt = (tag, channels, rate, byte_rate, bits)
            elif chunk_id == b"data":
                if fmt is None:
                    raise NotAudioError("The WAV file has no format header before its audio")
                tag, channels, rate, byte_rate, bits = fmt
                if tag not in _WAV_FORMATS or not channels or not rate or not byte_rate:
                    raise NotAudioError("The WAV file uses an audio format Dialdeck cannot play")
                available = size - body_start
                if chunk_size > available and chunk_size != 0xFFFFFFFF:
                    raise NotAudioError(
                        f"The WAV file is truncated ({available} of {chunk_size} audio bytes)"
                    )
                return AudioInfo("wav", chunk_size / byte_rate, rate, channels, bits)
            pos = body_start + chunk_size + (chunk_size & 1)
    raise NotAudioError("The WAV file has no audio data")


def probe_audio(path: Path) -> AudioInfo:
    """Describe the audio in ``path`` or raise :class:`NotAudioError` saying what is wrong."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(16)
    except FileNotFoundError:
        raise NotAudioError("The file does not exist") from None
    except OSError as exc:
        raise NotAudioError(f"The file cannot be read ({exc.strerror})") from None
    if size == 0:
        raise NotAudioError("The file is empty")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _probe_wav(head, size, path)
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return AudioInfo("mp3", None)
    if head[:4] == b"OggS":
        return AudioInfo("ogg", None)
    if head[:4] == b"fLaC":
        return AudioInfo("flac", None)
    if head[4:8] == b"ftyp":
        return AudioInfo("m4a", None)
    if head.lstrip()[:1] in (b"<", b"{"):
        raise NotAudioError("The file is a web page or text, not audio")
    raise NotAudioError("The file is not in an audio format Dialdeck can play")
