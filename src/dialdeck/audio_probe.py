"""Decode the start of one file with Qt's own audio decoder and print what came out, as JSON.

Run by :mod:`dialdeck.core.audio` in a child process (``python -m dialdeck.audio_probe FILE``):
QtMultimedia's FFmpeg backend is exactly what the player will use, a crash or hang inside it on a
hostile file cannot take Dialdeck down, and ``core`` stays free of Qt.

Prints exactly one line of JSON on stdout and exits 0. Facts only; the parent decides:

* ``decoded``: seconds of audio that came out of the decoder (it stops after ``--seconds``)
* ``finished``: the decoder reached the end of the file
* ``duration``: seconds the decoder says the whole file lasts, or null when it cannot tell
* ``sample_rate``, ``channels``, ``sample_format``: of the decoded audio, null if none came out
* ``error``: null, ``"decoder"`` (the decoder refused the file; ``detail`` says why, in Qt's
  words), ``"no-audio"`` (a readable file without an audio stream), ``"access"``,
  ``"unavailable"`` (no QtMultimedia backend), or ``"timeout"``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer, QUrl
from PySide6.QtMultimedia import QAudioDecoder

NO_AUDIO_STREAM = "doesn't contain an audio stream"  # Qt's wording, qffmpegaudiodecoder.cpp


def probe(path: str, seconds: float, timeout: float) -> dict[str, Any]:
    app = QCoreApplication.instance() or QCoreApplication([])
    result: dict[str, Any] = {
        "decoded": 0.0,
        "finished": False,
        "duration": None,
        "sample_rate": None,
        "channels": None,
        "sample_format": None,
        "error": None,
        "detail": "",
    }
    decoder = QAudioDecoder()
    if not decoder.isSupported():
        result.update(error="unavailable", detail="no QtMultimedia backend")
        return result

    def note_duration() -> None:
        if result["duration"] is None and decoder.duration() > 0:
            result["duration"] = decoder.duration() / 1000

    def on_buffer() -> None:
        note_duration()  # the decoder forgets the duration when it finishes: keep it now
        # read() asks for the next buffer: once we have enough, stop reading and leave.
        while result["decoded"] < seconds and decoder.bufferAvailable():
            buffer = decoder.read()
            if not buffer.isValid():
                continue
            fmt = buffer.format()
            result["decoded"] += buffer.duration() / 1_000_000
            result["sample_rate"] = fmt.sampleRate()
            result["channels"] = fmt.channelCount()
            result["sample_format"] = fmt.sampleFormat().name
        if result["decoded"] >= seconds:
            app.quit()

    def on_finished() -> None:
        result["finished"] = True
        app.quit()

    def on_error(error: QAudioDecoder.Error) -> None:
        detail = decoder.errorString()
        if error == QAudioDecoder.Error.AccessDeniedError:
            kind = "access"
        elif NO_AUDIO_STREAM in detail:
            kind = "no-audio"
        else:
            kind = "decoder"
        result.update(error=kind, detail=detail)
        app.quit()

    def on_timeout() -> None:
        result.update(error="timeout", detail=f"no answer from the decoder in {timeout:g} s")
        app.quit()

    decoder.bufferReady.connect(on_buffer)
    decoder.finished.connect(on_finished)
    decoder.error.connect(on_error)
    decoder.durationChanged.connect(lambda _ms: note_duration())
    decoder.setSource(QUrl.fromLocalFile(path))
    # start() reports an unopenable file synchronously: start inside the loop so quit() works.
    QTimer.singleShot(0, decoder.start)
    QTimer.singleShot(round(timeout * 1000), on_timeout)
    app.exec()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--seconds", type=float, default=1.0, help="decode this much, at most")
    parser.add_argument("--timeout", type=float, default=10.0, help="give up after this long")
    args = parser.parse_args(argv)
    result = probe(os.path.abspath(args.path), args.seconds, args.timeout)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    # Leave without tearing the decoder's threads down: the answer is out, and a decoder that is
    # still busy with a hostile file must not turn a finished probe into a hang or a crash.
    os._exit(0)


if __name__ == "__main__":
    main()
