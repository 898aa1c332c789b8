"""Real WAV recordings for simulated calls: mono 16-bit PCM, length equal to the talk time.

The audio alternates two "speakers" (tone bursts with a syllable-like envelope and pauses) so a
waveform view shows something that looks like a conversation. Built from one-second blocks computed
once per sample rate, so an hour-long recording is assembled in milliseconds.
"""

from __future__ import annotations

import math
import random
import struct
from array import array
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


def synthesize_call(seconds: float, sample_rate: int = 8000, seed: int = 0) -> bytes:
    """A complete WAV file of ``seconds`` of simulated conversation."""
    if sample_rate not in (8000, 16000):
        raise ValueError("sample_rate must be 8000 or 16000")
    total = round(seconds * sample_rate)
    rng = random.Random(seed)
    parts: list[bytes] = []
    speaker = AGENT
    for _ in range(math.ceil(total / sample_rate)):
        roll = rng.random()
        if roll < 0.2:
            parts.append(_block(SILENCE, sample_rate))
        else:
            if roll > 0.75:
                speaker = CUSTOMER if speaker == AGENT else AGENT
            parts.append(_block(speaker, sample_rate))
    data = b"".join(parts)[: total * 2]
    return wav_header(len(data), sample_rate) + data
