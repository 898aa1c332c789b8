"""Real WAV recordings for simulated calls: mono 16-bit PCM, length equal to the talk time.

The audio alternates two "speakers" (tone bursts with a syllable-like envelope and pauses) so a
waveform view shows something that looks like a conversation. Built from one-second blocks computed
once per sample rate, so an hour-long recording is assembled in milliseconds, and served in
pieces (:class:`SynthesizedRecording`) without ever being held in memory whole.
"""

from __future__ import annotations

import math
import random
import struct
from array import array
from collections.abc import Iterator
from functools import lru_cache

SILENCE, AGENT, CUSTOMER = 0, 1, 2


def wav_header(data_bytes: int, sample_rate: int, channels: int = 1, bits: int = 16) -> bytes:
    byte_rate = sample_rate * channels * bits // 8
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,
        channels,
        sample_rate,
        byte_rate,
        channels * bits // 8,
        bits,
        b"data",
        data_bytes,
    )


@lru_cache(maxsize=8)
def _block(kind: int, sample_rate: int) -> bytes:
    """One second of a speaker: a voiced tone with 4 syllables' worth of envelope."""
    samples = array("h", bytes(2 * sample_rate))
    if kind != SILENCE:
        pitch = 180.0 if kind == AGENT else 260.0
        loudness = 9000 if kind == AGENT else 7000
        for i in range(sample_rate):
            t = i / sample_rate
            envelope = max(0.0, math.sin(math.pi * 4 * t)) ** 0.6
            wave = math.sin(2 * math.pi * pitch * t) + 0.4 * math.sin(
                2 * math.pi * pitch * 2.01 * t
            )
            samples[i] = int(loudness * envelope * wave / 1.4)
    return samples.tobytes()


class SynthesizedRecording:
    """A recording's WAV bytes, produced on demand: nothing but a one-byte-per-second plan is kept.

    ``chunks(start, end)`` yields any byte range from the cached one-second blocks, so serving a
    one-hour recording (or a Range of it) never holds the whole file in memory.
    """

    def __init__(self, seconds: float, sample_rate: int = 8000, seed: int = 0) -> None:
        if sample_rate not in (8000, 16000):
            raise ValueError("sample_rate must be 8000 or 16000")
        self.sample_rate = sample_rate
        total = round(seconds * sample_rate)
        rng = random.Random(seed)
        plan = bytearray()
        speaker = AGENT
        for _ in range(math.ceil(total / sample_rate)):
            roll = rng.random()
            if roll < 0.2:
                plan.append(SILENCE)
            else:
                if roll > 0.75:
                    speaker = CUSTOMER if speaker == AGENT else AGENT
                plan.append(speaker)
        self._plan = bytes(plan)
        self._header = wav_header(total * 2, sample_rate)
        self.size = len(self._header) + total * 2

    def chunks(
        self, start: int = 0, end: int | None = None, chunk_size: int = 256 * 1024
    ) -> Iterator[bytes]:
        """Bytes ``start`` to ``end`` (inclusive; default: to the end), about ``chunk_size`` at
        a time."""
        end = self.size - 1 if end is None else min(end, self.size - 1)
        pending: list[bytes] = []
        pending_size = 0
        for piece in self._pieces(start, end):
            pending.append(piece)
            pending_size += len(piece)
            if pending_size >= chunk_size:
                yield b"".join(pending)
                pending, pending_size = [], 0
        if pending:
            yield b"".join(pending)

    def _pieces(self, start: int, end: int) -> Iterator[bytes]:
        header = len(self._header)
        pos = start
        if pos < header and pos <= end:
            yield self._header[pos : min(header, end + 1)]
            pos = header
        block_size = 2 * self.sample_rate
        while pos <= end:
            index, within = divmod(pos - header, block_size)
            take = min(block_size - within, end + 1 - pos)
            yield _block(self._plan[index], self.sample_rate)[within : within + take]
            pos += take


def synthesize_call(seconds: float, sample_rate: int = 8000, seed: int = 0) -> bytes:
    """A complete WAV file of ``seconds`` of simulated conversation."""
    return b"".join(SynthesizedRecording(seconds, sample_rate, seed).chunks())
