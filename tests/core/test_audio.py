"""probe_audio accepts a file exactly when Qt's decoder gets audio out of it.

Audio comes from other tools (sox, CPython's own test files), not only from files we write; the
negatives are files that merely *start* like audio, or that a signature check used to let through.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import sysconfig
import wave
from collections import OrderedDict
from pathlib import Path

import pytest

from dialdeck.core import audio, decode_probe
from dialdeck.core.audio import AudioCheckError, NotAudioError, probe_audio
from dialdeck.sandbox.wav import synthesize_call

SECONDS = 2.0
# name: (sox output options, container, sample rate, channels, decided by the WAV parser alone)
SOX_CASES: dict[str, tuple[list[str], str, int, int, bool]] = {
    "pcm8.wav": (["-b", "8"], "wav", 16000, 2, True),
    "pcm16.wav": (["-b", "16"], "wav", 16000, 2, True),
    "pcm24.wav": (["-b", "24"], "wav", 16000, 2, True),  # sox writes WAVE_FORMAT_EXTENSIBLE
    "pcm32.wav": (["-b", "32"], "wav", 16000, 2, True),
    "float32.wav": (["-e", "float", "-b", "32"], "wav", 8000, 1, True),
    "float64.wav": (["-e", "float", "-b", "64"], "wav", 8000, 1, True),
    "alaw.wav": (["-e", "a-law"], "wav", 8000, 1, True),
    "ulaw.wav": (["-e", "u-law"], "wav", 8000, 1, True),
    "gsm.wav": (["-e", "gsm-full-rate"], "wav", 8000, 1, False),
    "ima-adpcm.wav": (["-e", "ima-adpcm"], "wav", 8000, 1, False),
    "ms-adpcm.wav": (["-e", "ms-adpcm"], "wav", 8000, 1, False),
    "pcm16.aiff": (["-b", "16"], "aiff", 8000, 1, False),
    "ulaw.aifc": (["-e", "u-law"], "aiff", 8000, 1, False),
    "pcm16.au": (["-b", "16"], "au", 8000, 1, False),
    "ulaw.au": (["-e", "u-law"], "au", 8000, 1, False),
    "mono.flac": ([], "flac", 8000, 1, False),
    "vorbis.ogg": ([], "ogg", 8000, 1, False),
    "stereo.mp3": ([], "mp3", 44100, 2, False),
}


@pytest.fixture(scope="session")
def sox() -> str:
    found = shutil.which("sox")
    if found is None:
        if sys.platform.startswith("linux"):  # CI installs it (./run): a skip would hide the tests
            pytest.fail("sox is not installed (apt-get install sox libsox-fmt-mp3)")
        pytest.skip("sox is not installed")
    return found


@pytest.fixture(scope="session")
def sox_files(sox: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sox")
    files = {}
    for name, (options, _container, rate, channels, _parser) in SOX_CASES.items():
        out = folder / name
        command = [sox, "-n", "-r", str(rate), "-c", str(channels), *options, str(out)]
        done = subprocess.run(
            [*command, "synth", str(SECONDS), "sine", "440"], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.fail(f"sox could not write {name}: {done.stderr}")
        files[name] = out
    return files


@pytest.fixture
def decoder_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Files handed to the decoder (it still runs): shows which files the parser settled alone."""
    calls: list[Path] = []
    real = audio.run_decoder

    def counting(path: Path, **kwargs: float) -> decode_probe.Decoded:
        calls.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(audio, "run_decoder", counting)
    return calls


@pytest.fixture(autouse=True)
def forget_accepted_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test asks afresh: the session-wide sox files must not be answered from memory."""
    monkeypatch.setattr(audio, "_accepted", OrderedDict())


@pytest.mark.parametrize("name", SOX_CASES)
def test_audio_written_by_sox_is_accepted(
    sox_files: dict[str, Path], decoder_calls: list[Path], name: str
) -> None:
    _options, container, rate, channels, by_parser = SOX_CASES[name]
    info = probe_audio(sox_files[name])
    assert (info.container, info.sample_rate, info.channels) == (container, rate, channels)
    assert info.duration == pytest.approx(SECONDS, abs=0.1)  # MP3 pads a frame or two
    assert decoder_calls == ([] if by_parser else [sox_files[name]])


@pytest.mark.parametrize("name", [n for n, case in SOX_CASES.items() if case[4]])
def test_what_the_parser_accepts_the_decoder_plays_too(
    sox_files: dict[str, Path], name: str
) -> None:
    decoded = decode_probe.run_decoder(sox_files[name])
    assert decoded.error is None
    assert decoded.decoded >= decode_probe.PROBE_SECONDS


def with_data_size(source: Path, dest: Path, size: int) -> Path:
    """A copy whose RIFF and data sizes say ``size``, as a recorder streaming to disk writes."""
    raw = bytearray(source.read_bytes())
    raw[4:8] = struct.pack("<I", size)
    data = raw.index(b"data")
    raw[data + 4 : data + 8] = struct.pack("<I", size)
    dest.write_bytes(raw)
    return dest


@pytest.mark.parametrize("size", [0xFFFFFFFF, 0])
@pytest.mark.parametrize("name", ["pcm16.wav", "gsm.wav", "ima-adpcm.wav"])
def test_streaming_wav_lasts_as_long_as_its_bytes(
    sox_files: dict[str, Path], tmp_path: Path, name: str, size: int
) -> None:
    info = probe_audio(with_data_size(sox_files[name], tmp_path / name, size))
    assert info.duration == pytest.approx(SECONDS, abs=0.05)  # not 74 hours


def cpython_audiodata() -> list[Path]:
    folder = Path(sysconfig.get_paths()["stdlib"]) / "test" / "audiodata"
    return sorted(
        p for p in folder.glob("pluck-*") if p.suffix in (".wav", ".aiff", ".aifc", ".au")
    )


@pytest.mark.skipif(not cpython_audiodata(), reason="CPython's test/audiodata is not installed")
@pytest.mark.parametrize("path", cpython_audiodata(), ids=lambda p: p.name)
def test_cpython_test_files(path: Path) -> None:
    info = probe_audio(path)  # 0.3 s each: shorter than the probe, decoded to the end
    assert (info.sample_rate, info.channels) == (11025, 2)
    assert info.duration == pytest.approx(0.3, abs=0.01)


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
def test_pcm_wavs_written_by_the_wave_module(tmp_path: Path, bits: int) -> None:
    info = probe_audio(write_wav(tmp_path / f"{bits}.wav", bits=bits, rate=16000, channels=2))
    assert (info.container, info.bits_per_sample, info.sample_rate, info.channels) == (
        "wav",
        bits,
        16000,
        2,
    )
    assert info.duration == pytest.approx(0.5)


def test_synthesized_call_recording(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(synthesize_call(12.5, 16000))
    info = probe_audio(path)
    assert info.duration == pytest.approx(12.5)
    assert (info.sample_rate, info.channels, info.bits_per_sample) == (16000, 1, 16)
    with wave.open(str(path)) as w:  # the standard library agrees
        assert w.getnframes() == 12.5 * 16000


JUNK = bytes(range(256)) * 16
HTML = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" + "x" * 600
TEXT = "Call notes: the customer asked about the price and will call back.\n" * 20
NOT_AUDIO: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty"),
    "html": (HTML.encode(), r"not audio \(it looks like a web page\)"),
    "html-utf16": (HTML.encode("utf-16"), r"not audio \(it looks like a web page\)"),
    "text-utf16": (TEXT.encode("utf-16"), r"not audio \(it looks like text\)"),  # FF FE: MPEG sync
    "text-utf16-be": (b"\xfe\xff" + TEXT.encode("utf-16-be"), "looks like text"),
    "text-utf8-bom": (b"\xef\xbb\xbf" + TEXT.encode(), "looks like text"),
    "id3-then-junk": (b"ID3\x03\x00\x00\x00\x00\x00\x10" + JUNK, "looks like MP3 audio, but"),
    "mpeg-sync-then-junk": (b"\xff\xfb\x90\x00" + bytes(4000), "looks like MP3 audio, but"),
    "oggs-then-junk": (b"OggS" + JUNK, "looks like Ogg audio, but"),
    "flac-then-junk": (b"fLaC" + JUNK, "looks like FLAC audio, but"),
    "ftyp-m4a-then-junk": (b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00" + JUNK, "MP4/M4A"),
    "heic-photo": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + JUNK, "picture"),
    "png": (b"\x89PNG\r\n\x1a\n" + JUNK, "picture"),
    "zeros": (bytes(4096), "no audio|not in an audio format"),
    "binary": (b"\x00\x01\x02\x03" * 20, "not in an audio format"),
    "riff-only": (b"RIFF\x00\x00\x00\x00WAVE", "cut short"),
}


@pytest.mark.parametrize("name", NOT_AUDIO)
def test_files_that_are_not_audio(tmp_path: Path, name: str) -> None:
    content, message = NOT_AUDIO[name]
    path = tmp_path / f"{name}.mp3"  # the name promises audio: it must not matter
    path.write_bytes(content)
    with pytest.raises(NotAudioError, match=message) as excinfo:
        probe_audio(path)
    assert not isinstance(excinfo.value, AudioCheckError)  # a verdict, not a failed check


@pytest.mark.parametrize("name", ["pcm16.wav", "gsm.wav", "ms-adpcm.wav"])
def test_a_download_cut_short_is_rejected(
    sox_files: dict[str, Path], tmp_path: Path, name: str
) -> None:
    whole = sox_files[name].read_bytes()
    cut = tmp_path / name
    cut.write_bytes(whole[: len(whole) * 4 // 5])  # its first second would still decode
    with pytest.raises(NotAudioError, match=r"cut short: only 1\.[5-7] of its 2\.0 seconds"):
        probe_audio(cut)
    cut.write_bytes(whole[:-10])  # too little missing to say in seconds
    with pytest.raises(NotAudioError, match=r"cut short: only \d+ of its \d+ bytes of audio"):
        probe_audio(cut)


def test_a_header_cut_short_is_rejected(sox_files: dict[str, Path], tmp_path: Path) -> None:
    cut = tmp_path / "header.wav"
    cut.write_bytes(sox_files["gsm.wav"].read_bytes()[:50])
    with pytest.raises(NotAudioError, match=r"cut short \(its header"):
        probe_audio(cut)


def test_a_wav_codec_nobody_decodes_is_refused(tmp_path: Path) -> None:
    good = write_wav(tmp_path / "good.wav", bits=16).read_bytes()
    path = tmp_path / "fmt.wav"
    path.write_bytes(good[:20] + struct.pack("<H", 0x1234) + good[22:])  # no such format tag
    with pytest.raises(NotAudioError, match=r"audio format Dialdeck cannot play \(format 0x1234\)"):
        probe_audio(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotAudioError, match="does not exist"):
        probe_audio(tmp_path / "nope.wav")


# -- when the decoder itself fails -------------------------------------------------------------


def fake_child(monkeypatch: pytest.MonkeyPatch, code: str) -> list[int]:
    """Replace the decoder child by ``python -c code``; the list counts the starts."""
    starts: list[int] = []

    def command(path: Path, seconds: float, timeout: float) -> list[str]:
        starts.append(1)
        return [sys.executable, "-c", code]

    monkeypatch.setattr(decode_probe, "probe_command", command)
    return starts


def test_a_hung_decoder_is_killed(
    monkeypatch: pytest.MonkeyPatch, sox_files: dict[str, Path]
) -> None:
    starts = fake_child(monkeypatch, "import time; time.sleep(60)")
    with pytest.raises(AudioCheckError, match="took too long"):
        probe_audio(sox_files["gsm.wav"], timeout=1)
    assert len(starts) == 1


@pytest.mark.parametrize(
    "code",
    [
        "import os; os.abort()",
        "print('not json')",
        'print(\'{"error": "unavailable", "detail": "no QtMultimedia backend"}\')',
    ],
    ids=["crash", "garbage", "no-backend"],
)
def test_a_broken_decoder_is_tried_twice_then_reported(
    monkeypatch: pytest.MonkeyPatch, sox_files: dict[str, Path], code: str
) -> None:
    starts = fake_child(monkeypatch, code)
    with pytest.raises(AudioCheckError, match="audio decoder is not working"):
        probe_audio(sox_files["ima-adpcm.wav"])
    assert len(starts) == 2


def test_an_accepted_file_is_not_decoded_again_until_it_changes(
    sox_files: dict[str, Path], tmp_path: Path, decoder_calls: list[Path]
) -> None:
    path = tmp_path / "x.ogg"
    shutil.copy(sox_files["vorbis.ogg"], path)
    first = probe_audio(path)
    assert probe_audio(path) == first
    assert len(decoder_calls) == 1
    path.write_bytes(path.read_bytes()[:200])  # replaced behind our back
    with pytest.raises(NotAudioError):
        probe_audio(path)
    assert len(decoder_calls) == 2


@pytest.mark.parametrize(
    ("decoded", "expected", "plays"),
    [
        (decode_probe.Decoded(decoded=1.0), None, True),  # a second of audio came out
        (decode_probe.Decoded(decoded=0.3, finished=True, duration=0.3), None, True),
        (decode_probe.Decoded(decoded=0.3, finished=True), None, True),  # length unknown
        (decode_probe.Decoded(decoded=0.05, finished=True, duration=3.0), None, False),
        (decode_probe.Decoded(decoded=0.05, finished=True), 3.0, False),  # the WAV says 3 s
        (decode_probe.Decoded(decoded=0.0, finished=True), None, False),
        (decode_probe.Decoded(decoded=0.5), None, False),  # stopped, neither enough nor the end
        (decode_probe.Decoded(decoded=2.0, error="timeout"), None, False),
    ],
)
def test_how_much_decoded_audio_is_enough(
    decoded: decode_probe.Decoded, expected: float | None, plays: bool
) -> None:
    # Stray frames found in junk end early and far short of what the header promised.
    assert audio._plays(decoded, expected) is plays


def with_byte_rate(source: Path, dest: Path, factor: float) -> Path:
    """A copy whose fmt chunk states a byte rate ``factor`` times the true one (ffmpeg's IMA and
    MS ADPCM WAVs state twice the true rate: players that trust it show half the length)."""
    raw = bytearray(source.read_bytes())
    at = raw.index(b"fmt ") + 16  # chunk id, size, format tag, channels, sample rate
    (rate,) = struct.unpack("<I", raw[at : at + 4])
    raw[at : at + 4] = struct.pack("<I", int(rate * factor))
    dest.write_bytes(raw)
    return dest


@pytest.mark.parametrize("factor", [2.0, 0.5])
def test_a_compressed_wav_stating_a_wrong_byte_rate_lasts_as_long_as_it_plays(
    sox_files: dict[str, Path], tmp_path: Path, factor: float
) -> None:
    info = probe_audio(with_byte_rate(sox_files["ima-adpcm.wav"], tmp_path / "ima.wav", factor))
    assert info.duration == pytest.approx(SECONDS, abs=0.05)


def test_a_wav_holding_no_audio_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAudioError, match="contains no audio"):
        probe_audio(write_wav(tmp_path / "empty.wav", bits=16, seconds=0))
