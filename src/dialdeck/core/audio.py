"""Is this file audio we can play? Checked before a recording is ever listed as good.

The answer comes from the decoder the player itself uses (QtMultimedia's FFmpeg backend), run on
the first second of the file in a child process by :mod:`dialdeck.core.decode_probe`. Signatures
and file names decide nothing; they only make the messages say what a rejected file looks like.

Cheap checks come first and settle the cases that need no decoder:

* a missing, unreadable or empty file, or one whose start is entirely text (an HTML error page,
  UTF-8 or UTF-16 text): rejected;
* a WAV file is parsed (RIFF chunks, format, data): a data chunk shorter than it claims is a
  download that was cut short and is rejected even though its first second would decode. A
  streaming WAV (data size 0 or 0xFFFFFFFF, written before the length was known) holds as much
  audio as there are bytes after its header;
* a WAV of plain PCM (8/16/24/32-bit), float (32/64-bit), A-law or mu-law, mono or stereo, with a
  consistent header (frame size and byte rate agree with channels, rate and sample width) is
  accepted by the parser alone: for those formats the bytes *are* the samples, so the parser is a
  complete decoder and a child process would tell us nothing new.

Everything else (GSM 6.10 and ADPCM in WAV, MP3, Ogg, FLAC, M4A, AIFF, AU, unrecognised
files) is accepted exactly when the decoder produces a second of audio, or reaches the end of a
shorter file having decoded at least half of what the file says it lasts.
"""

from __future__ import annotations

import codecs
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from dialdeck.core.decode_probe import PROBE_SECONDS, PROBE_TIMEOUT, Decoded, run_decoder

STREAMING_SIZES = (0, 0xFFFFFFFF)  # a data size written before the length was known
# WAVE format tags: the ones the parser plays itself, and names for messages.
_PARSER_WIDTHS = {1: (8, 16, 24, 32), 3: (32, 64), 6: (8,), 7: (8,)}
_WAV_CODECS = {
    1: "PCM",
    2: "MS ADPCM",
    3: "float",
    6: "A-law",
    7: "mu-law",
    0x11: "IMA ADPCM",
    0x31: "GSM 6.10",
    0x55: "MP3",
}
_EXTENSIBLE = 0xFFFE
_GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")  # KSDATAFORMAT_SUBTYPE_* after the tag
_HEAD = 512


class NotAudioError(ValueError):
    """The file is missing, empty, cut short or not audio we can play; message says which."""


class AudioCheckError(NotAudioError):
    """The file could not be checked: the decoder is unavailable, crashed or took too long.

    A :class:`NotAudioError`, so a download or import is still refused, but it says nothing
    certain about the file: do not mark a recording that was fine before as missing because of it.
    """


@dataclass(frozen=True, slots=True)
class AudioInfo:
    container: str  # "wav", "mp3", "ogg", "flac", "m4a", "aiff", "au", ... or "other"
    duration: float | None  # seconds, when the file or the decoder tells us
    sample_rate: int | None = None
    channels: int | None = None
    bits_per_sample: int | None = None  # from a WAV header; None when it does not apply


@dataclass(frozen=True, slots=True)
class _Wav:
    tag: int  # format tag, the sub-format's for WAVE_FORMAT_EXTENSIBLE
    channels: int
    rate: int
    byte_rate: int
    block_align: int
    bits: int
    data_bytes: int  # audio bytes really in the file (never more than the header claims)
    fact_frames: int | None

    def parser_decodes(self) -> bool:
        return (
            self.bits in _PARSER_WIDTHS.get(self.tag, ())
            and 1 <= self.channels <= 2
            and 8000 <= self.rate <= 192000
            and self.block_align == self.channels * self.bits // 8
            and self.byte_rate == self.rate * self.block_align
        )

    def duration(self, decoded: float | None = None) -> float | None:
        """The length the header gives; for compressed audio whose sample count (fact) and byte
        rate disagree, the one nearer what the decoder found (``decoded``), as some writers get
        the byte rate wrong (ffmpeg's ADPCM: half the length) and others the sample count."""
        if self.parser_decodes():
            return self.data_bytes // self.block_align / self.rate
        estimate = self.data_bytes / self.byte_rate if self.byte_rate else None
        exact = self.fact_frames / self.rate if self.fact_frames and self.rate else None
        if exact is None:
            return estimate if estimate is not None else decoded
        if estimate is None or abs(exact - estimate) <= 0.1 * estimate + 0.1:
            return exact
        if decoded:
            return min((exact, estimate), key=lambda d: abs(d - decoded))
        return estimate

    def codec(self) -> str:
        return _WAV_CODECS.get(self.tag, f"format 0x{self.tag:04X}")


def _cut_short(present: int, claimed: int, byte_rate: int) -> NotAudioError:
    have, want = (present / byte_rate, claimed / byte_rate) if byte_rate else (0.0, 0.0)
    if f"{have:.1f}" != f"{want:.1f}":
        return NotAudioError(
            f"The recording is cut short: only {have:.1f} of its {want:.1f} seconds are in the file"
        )
    return NotAudioError(
        f"The recording is cut short: only {present} of its {claimed} bytes of audio are in the file"
    )


def _parse_wav(path: Path, size: int) -> _Wav:
    if size < 44:
        raise NotAudioError("The WAV file is cut short (its header is incomplete)")
    fmt: tuple[int, int, int, int, int, int] | None = None
    fact: int | None = None
    pos = 12
    with path.open("rb") as fh:
        while pos + 8 <= size:
            fh.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", fh.read(8))
            body = pos + 8
            if chunk_id == b"data":
                if fmt is None:
                    raise NotAudioError(
                        "The WAV file is damaged (no format header before its audio)"
                    )
                present = size - body
                if chunk_size in STREAMING_SIZES:
                    chunk_size = present  # written while recording: the bytes are the length
                elif chunk_size > present:
                    raise _cut_short(present, chunk_size, fmt[3])
                return _Wav(*fmt, chunk_size, fact)
            if body + chunk_size > size:
                raise NotAudioError("The WAV file is cut short (its header is incomplete)")
            if chunk_id == b"fmt ":
                if chunk_size < 16:
                    raise NotAudioError("The WAV file is damaged (its format header is too short)")
                raw = fh.read(min(chunk_size, 40))
                tag, channels, rate, byte_rate, align, bits = struct.unpack("<HHIIHH", raw[:16])
                if tag == _EXTENSIBLE and len(raw) >= 40 and raw[26:40] == _GUID_TAIL:
                    tag = struct.unpack("<H", raw[24:26])[0]
                fmt = (tag, channels, rate, byte_rate, align, bits)
            elif chunk_id == b"fact" and chunk_size >= 4:
                fact = struct.unpack("<I", fh.read(4))[0]
            pos = body + chunk_size + (chunk_size & 1)
    if pos < size:
        raise NotAudioError("The WAV file is cut short (its header is incomplete)")
    raise NotAudioError("The WAV file holds no audio data")


def _text_kind(head: bytes) -> str | None:
    """What the file looks like ("a web page", "text") when its start is nothing but text."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 byte order mark (FF FE is also MPEG sync)
        encoding, raw = ("utf-16-le" if head[0] == 0xFF else "utf-16-be"), head[2:]
    else:
        encoding, raw = "utf-8", head.removeprefix(b"\xef\xbb\xbf")
    try:  # not final: a character cut in two at the end of the sample is no evidence
        text = codecs.getincrementaldecoder(encoding)().decode(raw, final=False)
    except UnicodeDecodeError:
        return None
    if not text or not all(c.isprintable() or c in "\t\n\r\f\v" for c in text):
        return None
    start = text.lstrip().lower()
    markers = ("<!doctype", "<html", "<head", "<body", "<?xml", "<title", "<script")
    return "a web page" if start.startswith("<") or any(m in start for m in markers) else "text"


_CONTAINER_LABELS = {
    "wav": "WAV",
    "aiff": "AIFF",
    "au": "AU",
    "ogg": "Ogg",
    "flac": "FLAC",
    "m4a": "MP4/M4A",
    "caf": "CAF",
    "amr": "AMR",
    "webm": "WebM",
    "mp3": "MP3",
    "aac": "AAC",
}
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


def _container(head: bytes) -> str:
    """What the file says it is. Decides nothing: names the container and explains refusals."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    signatures = {b".snd": "au", b"OggS": "ogg", b"fLaC": "flac", b"caff": "caf"}
    if head[:4] in signatures:
        return signatures[head[:4]]
    if head[4:8] == b"ftyp":
        return "image" if head[8:12] in _IMAGE_BRANDS else "m4a"
    if head[:5] == b"#!AMR":
        return "amr"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # MPEG audio frame sync
        return "aac" if head[1] & 0x06 == 0 else "mp3"  # layer bits 00: an ADTS (AAC) header
    if head[:4] == b"\x89PNG" or head[:3] in (b"\xff\xd8\xff", b"GIF"):
        return "image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[:5] == b"%PDF-":
        return "pdf"
    if head[:4] == b"PK\x03\x04":
        return "zip"
    return "other"


def _refusal(container: str, decoded: Decoded, wav: _Wav | None) -> NotAudioError:
    """Why the decoder's answer means "not playable", in words for the user."""
    if decoded.error == "timeout":
        return AudioCheckError("Checking the audio took too long; the file may be damaged")
    if decoded.error in ("unavailable", "crashed"):
        return AudioCheckError(
            "Dialdeck could not check the audio: its audio decoder is not working"
            f" ({decoded.detail})"
        )
    if decoded.error == "access":
        return NotAudioError("The file cannot be read (access denied)")
    others = {
        "image": "This file is not audio (it is a picture)",
        "pdf": "This file is not audio (it is a PDF document)",
        "zip": "This file is not audio (it is a compressed archive or office document)",
    }
    if container in others:
        return NotAudioError(others[container])
    if wav is not None:
        if wav.tag in _WAV_CODECS:
            return NotAudioError(
                f"The WAV file's {wav.codec()} audio cannot be decoded (the file may be damaged)"
            )
        return NotAudioError(
            f"The WAV file uses an audio format Dialdeck cannot play ({wav.codec()})"
        )
    if decoded.error == "no-audio":
        return NotAudioError("This file contains no audio")
    if container in _CONTAINER_LABELS:
        return NotAudioError(
            f"The file looks like {_CONTAINER_LABELS[container]} audio, but no sound could be"
            " decoded from it (it may be damaged)"
        )
    return NotAudioError("The file is not in an audio format Dialdeck can play")


def _plays(decoded: Decoded, expected: float | None) -> bool:
    if decoded.error is not None:
        return False
    if decoded.decoded >= PROBE_SECONDS - 1e-6:
        return True
    # A file shorter than the probe: the decoder got to its end; half of the promised length
    # must have come out, or it was a few stray frames found in something that is not audio.
    expected = expected or decoded.duration
    return decoded.finished and decoded.decoded > 0 and decoded.decoded >= 0.5 * (expected or 0)


def _check(path: Path, size: int, head: bytes, timeout: float) -> AudioInfo:
    text = _text_kind(head)
    if text is not None:
        raise NotAudioError(f"This file is not audio (it looks like {text})")
    container = _container(head)
    wav = _parse_wav(path, size) if head[:4] == b"RIFF" and head[8:12] == b"WAVE" else None
    if wav is not None and wav.parser_decodes():
        if wav.data_bytes < wav.block_align:  # a header and nothing after it
            raise NotAudioError("This file contains no audio (the WAV file is empty)")
        return AudioInfo("wav", wav.duration(), wav.rate, wav.channels, wav.bits)
    expected = wav.duration() if wav is not None else None
    decoded = run_decoder(path, timeout=timeout)
    if not _plays(decoded, expected):
        raise _refusal(container, decoded, wav)
    if wav is not None:
        duration = wav.duration(decoded.duration)
        return AudioInfo("wav", duration, wav.rate, wav.channels, wav.bits or None)
    return AudioInfo(container, decoded.duration, decoded.sample_rate, decoded.channels)


# Accepted files, by (path, size, modification time): selecting a recording again in the library
# does not start another decoder.
_accepted: OrderedDict[tuple[str, int, int], AudioInfo] = OrderedDict()
_accepted_lock = threading.Lock()


def probe_audio(path: Path, *, timeout: float = PROBE_TIMEOUT) -> AudioInfo:
    """Describe the audio in ``path`` or raise :class:`NotAudioError` saying what is wrong.

    Blocks for as long as the decoder needs (a fraction of a second; ``timeout`` at most): call it
    off the GUI thread, e.g. ``await asyncio.to_thread(probe_audio, path)``.
    """
    try:
        stat = path.stat()
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
    except FileNotFoundError:
        raise NotAudioError("The file does not exist") from None
    except OSError as exc:
        raise NotAudioError(f"The file cannot be read ({exc.strerror})") from None
    if stat.st_size == 0:
        raise NotAudioError("The file is empty")
    key = (str(path.absolute()), stat.st_size, stat.st_mtime_ns)
    with _accepted_lock:
        if key in _accepted:
            _accepted.move_to_end(key)
            return _accepted[key]
    info = _check(path, stat.st_size, head, timeout)
    with _accepted_lock:
        _accepted[key] = info
        while len(_accepted) > 256:
            _accepted.popitem(last=False)
    return info
