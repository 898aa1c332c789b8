"""Waveform overview: peak amplitude per bucket, computed off the GUI thread and cached on disk.

Reads WAV PCM (8/16/24/32-bit integer, 32-bit float) with the standard library only, a block at a
time. Long files are decimated (every n-th frame) so an hour of audio takes a fraction of a second.
"""

from __future__ import annotations

import json
import struct
from array import array
from collections.abc import Sequence
from pathlib import Path

from dialdeck.core.audio import STREAMING_SIZES, NotAudioError

MAX_FRAMES = 2_000_000  # frames examined at most; more are decimated


def _wav_layout(path: Path) -> tuple[int, int, int, int, int]:
    """(format tag, channels, bits, data offset, data size)."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise NotAudioError("Overview available for WAV recordings")
        fmt = None
        while True:
            chunk = fh.read(8)
            if len(chunk) < 8:
                raise NotAudioError("The WAV file has no audio data")
            cid, size = struct.unpack("<4sI", chunk)
            if cid == b"fmt ":
                body = fh.read(size + (size & 1))
                tag, channels, _rate, _br, _align, bits = struct.unpack("<HHIIHH", body[:16])
                if tag == 0xFFFE and len(body) >= 26:
                    tag = struct.unpack("<H", body[24:26])[0]  # the sub-format GUID starts with it
                fmt = (tag, channels, bits)
            elif cid == b"data":
                if fmt is None:
                    raise NotAudioError("The WAV file has no format header")
                if size in STREAMING_SIZES:  # written while recording: the rest of the file
                    size = path.stat().st_size - fh.tell()
                return fmt[0], fmt[1], fmt[2], fh.tell(), size
            else:
                fh.seek(size + (size & 1), 1)


NO_OVERVIEW = "No overview for this recording's audio format (it plays as usual)"
BLOCK_BYTES = 1 << 20  # read and examined a block at a time: memory stays flat for any length
_ARRAY_CODES = {(1, 16): "h", (1, 32): "i", (3, 32): "f"}  # (format tag, bits): array type


def _channel(
    raw: bytes, tag: int, bits: int, channel: int, channels: int, step: int
) -> Sequence[float]:
    """Channel ``channel`` of every ``step``-th frame in ``raw`` (whole frames), as numbers."""
    code = _ARRAY_CODES.get((tag, bits))
    if code is not None:
        return array(code, raw)[channel :: channels * step]
    frame = channels * bits // 8
    if bits == 8:  # 8-bit WAV is unsigned
        return [b - 128 for b in raw[channel :: frame * step]]
    if bits == 24:
        return [
            int.from_bytes(raw[i : i + 3], "little", signed=True)
            for i in range(channel * 3, len(raw), frame * step)
        ]
    raise NotAudioError(NO_OVERVIEW)


def compute_peaks(path: Path, buckets: int = 800) -> list[float]:
    """Peak |amplitude| per bucket (over all channels), normalised so the loudest is 1.0.

    Reads the audio a block at a time (a two-hour recording needs no more memory than a short
    one, and the file reads let the GUI thread run in between); past ``MAX_FRAMES`` frames,
    every n-th frame is examined."""
    tag, channels, bits, offset, size = _wav_layout(path)
    if tag not in (1, 3) or ((tag, bits) not in _ARRAY_CODES and bits not in (8, 24)):
        raise NotAudioError(NO_OVERVIEW)
    frame = channels * bits // 8
    size = min(size, path.stat().st_size - offset)
    frames = size // frame if frame else 0
    peaks = [0.0] * buckets
    if frames == 0:
        return peaks
    step = max(1, frames // MAX_FRAMES)
    per_block = max(1, BLOCK_BYTES // (frame * step)) * step  # frames, a multiple of step
    bounds = [b * frames // buckets for b in range(buckets)] + [frames]
    with path.open("rb") as fh:
        fh.seek(offset)
        for first in range(0, frames, per_block):
            raw = fh.read(min(per_block, frames - first) * frame)
            values = [_channel(raw, tag, bits, c, channels, step) for c in range(channels)]
            count = len(values[0])  # examined frames: first, first + step, ...
            last = first + (count - 1) * step
            for b in range(first * buckets // frames, last * buckets // frames + 1):
                lo = max(0, -(-(bounds[b] - first) // step))  # ceil division
                hi = min(count, -(-(bounds[b + 1] - first) // step))
                for part in values:
                    chunk = part[lo:hi]
                    if len(chunk):
                        peaks[b] = max(peaks[b], float(max(chunk)), -float(min(chunk)))
    loudest = max(peaks) or 1.0
    return [p / loudest for p in peaks]


def cached_peaks(path: Path, cache_dir: Path, buckets: int = 800) -> list[float]:
    """Peaks from the cache when the file is unchanged; computed and cached otherwise."""
    stat = path.stat()
    key = f"{path.name}.{stat.st_size}.{int(stat.st_mtime)}.{buckets}.json"
    cache = cache_dir / key
    try:
        peaks = json.loads(cache.read_text())
        if isinstance(peaks, list) and len(peaks) == buckets:
            return [float(p) for p in peaks]
    except (OSError, ValueError):
        pass
    peaks = compute_peaks(path, buckets)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(json.dumps([round(p, 4) for p in peaks]))
    tmp.replace(cache)
    return peaks
