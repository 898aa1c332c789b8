from __future__ import annotations

import struct
import sys
import wave
from pathlib import Path

import pytest

from dialdeck.core.audio import NotAudioError, probe_audio
from dialdeck.sandbox.wav import synthesize_call


def write_wav(
    path: Path, *, bits: int, rate: int = 8000, channels: int = 1, seconds: float = 0.5
) -> Path:
    frames = int(rate * seconds)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(bits // 8)
        w.setframerate(rate)
        w.writeframes(bytes(frames * channels * bits // 8))
    return path


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
def test_pcm_wavs_of_every_width(tmp_path: Path, bits: int) -> None:
    info = probe_audio(write_wav(tmp_path / f"{bits}.wav", bits=bits, rate=16000, channels=2))
    assert (info.container, info.bits_per_sample, info.sample_rate, info.channels) == (
        "wav",
        bits,
        16000,
        2,
    )
    assert info.duration == pytest.approx(0.5)


def cpython_audiodata() -> list[Path]:
    root = (
        Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    )
    return sorted((root / "test" / "audiodata").glob("*.wav"))


@pytest.mark.skipif(
    not cpython_audiodata(), reason="CPython's test/audiodata is not installed here"
)
@pytest.mark.parametrize("path", cpython_audiodata(), ids=lambda p: p.name)
def test_real_wav_files_written_by_others(path: Path) -> None:
    info = probe_audio(path)
    assert info.container == "wav"
    assert info.duration and info.duration > 0


def test_synthesized_call_recording(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(synthesize_call(12.5, 16000))
    info = probe_audio(path)
    assert info.duration == pytest.approx(12.5)
    assert (info.sample_rate, info.channels, info.bits_per_sample) == (16000, 1, 16)
    with wave.open(str(path)) as w:  # the standard library agrees
        assert w.getnframes() == 12.5 * 16000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html>", "web page"),
        (b"\x00\x01\x02\x03" * 20, "not in an audio format"),
        (b"RIFF\x00\x00\x00\x00WAVE", "truncated"),
    ],
)
def test_damaged_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(NotAudioError, match=message):
        probe_audio(path)


def test_truncated_wav_is_rejected(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "good.wav", bits=16, seconds=1)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(NotAudioError, match="truncated"):
        probe_audio(cut)


def test_wrong_header_is_rejected(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "good.wav", bits=16).read_bytes()
    bad_format = good[:20] + struct.pack("<H", 0x55) + good[22:]  # format tag: MP3-in-WAV
    path = tmp_path / "fmt.wav"
    path.write_bytes(bad_format)
    with pytest.raises(NotAudioError, match="cannot play"):
        probe_audio(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotAudioError, match="does not exist"):
        probe_audio(tmp_path / "nope.wav")
