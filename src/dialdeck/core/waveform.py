"""Waveform overview: peak amplitude per bucket, computed off the GUI thread and cached on disk.

Reads WAV PCM (8/16/24/32-bit integer, 32-bit float) with the standard library only. Long files
are decimated (every n-th frame) so an hour of audio takes a fraction of a second.
"""

from __future__ import annotations

import json
import struct
from array import array
from pathlib import Path

from dialdeck.core.audio import NotAudioError

MAX_FRAMES = 2_000_000  # frames examined at most; more are decimated


def _wav_layout(path: Path) -> tuple[int, int, int, int, int]:
    """(format tag, channels, bits, data offset, data size)."""
    with path.open("rb") as fh:
        head = fh.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise NotAudioError("Waveform overview is only available for WAV recordings")
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
                return fmt[0], fmt[1], fmt[2], fh.tell(), size
            else:
                fh.seek(size + (size & 1), 1)


def _samples(raw: bytes, tag: int, bits: int) -> list[float] | array:  # type: ignore[type-arg]
    if tag == 3 and bits == 32:
        return array("f", raw)
    if bits == 8:
        return [b - 128 for b in raw]  # 8-bit WAV is unsigned
    if bits == 16:
        return array("h", raw)
    if bits == 32:
        return array("i", raw)
    if bits == 24:
        return [
            int.from_bytes(raw[i : i + 3], "little", signed=True) for i in range(0, len(raw) - 2, 3)
        ]
    raise NotAudioError(f"{bits}-bit audio is not supported for the overview")


def compute_peaks(path: Path, buckets: int = 800) -> list[float]:
    """Peak |amplitude| per bucket, normalised so the loudest bucket is 1.0."""
    tag, channels, bits, offset, size = _wav_layout(path)
    if tag not in (1, 3):
        raise NotAudioError("Waveform overview is only available for PCM recordings")
    frame = channels * bits // 8
    size = min(size, path.stat().st_size - offset)
    frames = size // frame if frame else 0
    if frames == 0:
        return [0.0] * buckets
    step = max(1, frames // MAX_FRAMES)
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(frames * frame)
    if step > 1:  # decimate: keep the first channel of every step-th frame
        width = bits // 8
        data = b"".join(data[i : i + width] for i in range(0, len(data) - width + 1, frame * step))
        channels = 1
    samples = _samples(data, tag, bits)
    per_bucket = max(1, len(samples) // buckets)
    peaks = []
    for start in range(0, per_bucket * buckets, per_bucket):
        chunk = samples[start : start + per_bucket]
        peaks.append(float(max(max(chunk), -min(chunk))) if len(chunk) else 0.0)
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
