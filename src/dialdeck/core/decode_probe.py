"""Run QtMultimedia's decoder on a file in a child process and report what came out.

The child is :mod:`dialdeck.audio_probe` (``python -m``), the only place that touches Qt; this
module is plain ``subprocess`` so ``core`` stays Qt-free. A child costs a process start and the
QtMultimedia import (about 0.15 s with warm disk caches; the decoding itself takes milliseconds):
worth it for each download and import, and it keeps a decoder crash or hang on a hostile file out
of Dialdeck itself.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PROBE_SECONDS = 1.0  # audio the decoder must produce (or the whole file, when shorter)
PROBE_TIMEOUT = 15.0  # a child still busy after this long is killed
_SRC_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the dialdeck package


@dataclass(frozen=True, slots=True)
class Decoded:
    """What the decoder made of a file; see :mod:`dialdeck.audio_probe` for the fields.

    ``error`` adds two values the child cannot report itself: ``"crashed"`` (it died or printed
    no answer, twice) and ``"timeout"`` (it was killed after ``PROBE_TIMEOUT``).
    """

    decoded: float = 0.0
    finished: bool = False
    duration: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    sample_format: str | None = None
    error: str | None = None
    detail: str = ""


def probe_command(path: Path, seconds: float, timeout: float) -> list[str]:
    """The child's command line: this Python with ``-m``, or, in a frozen build (where
    ``sys.executable`` is Dialdeck itself), the app with ``--audio-probe`` (see app.main)."""
    if getattr(sys, "frozen", False):
        child = [sys.executable, "--audio-probe"]
    else:
        child = [sys.executable, "-m", "dialdeck.audio_probe"]
    return [
        *child,
        "--seconds",
        str(seconds),
        "--timeout",
        str(timeout),
        "--",
        str(path.absolute()),
    ]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QT_LOGGING_RULES"] = "qt.multimedia*=false"
    paths = [str(_SRC_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _parse(stdout: str) -> Decoded | None:
    lines = stdout.strip().splitlines()
    try:
        raw: Any = json.loads(lines[-1]) if lines else None
        return Decoded(**raw) if isinstance(raw, dict) else None
    except (ValueError, TypeError):
        return None


def _run_once(path: Path, seconds: float, timeout: float) -> Decoded:
    # The child gives up a little before we kill it, so a slow decoder is reported as such.
    command = probe_command(path, seconds, max(1.0, timeout - 2))
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=_child_env(),
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # Windows: no console
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Decoded(error="timeout", detail=f"killed after {timeout:g} s")
    except OSError as exc:
        return Decoded(error="crashed", detail=f"cannot start {command[0]}: {exc.strerror}")
    result = _parse(done.stdout)
    if result is None or done.returncode != 0:
        log.warning(
            "audio probe exited with %s and no answer: %s", done.returncode, done.stderr[-500:]
        )
        return Decoded(error="crashed", detail=f"exit status {done.returncode}")
    if result.error is not None:
        log.debug("audio probe: %s (%s); %s", result.error, result.detail, done.stderr[-500:])
    return result


def run_decoder(
    path: Path, *, seconds: float = PROBE_SECONDS, timeout: float = PROBE_TIMEOUT
) -> Decoded:
    """Decode up to ``seconds`` of ``path`` in a child process. Blocks; never raises.

    A child that crashed or found no QtMultimedia backend is tried once more: neither says
    anything about the file, and a second start usually works.
    """
    result = _run_once(path, seconds, timeout)
    if result.error in ("crashed", "unavailable"):
        result = _run_once(path, seconds, timeout)
    return result
