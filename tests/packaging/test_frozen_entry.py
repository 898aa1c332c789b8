"""What a frozen build relies on, tested from source: the audio probe through the app's own
executable, macOS link events, --version and the --self-check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QFileOpenEvent

import dialdeck
from dialdeck.core import decode_probe
from dialdeck.platform.open_events import LinkOpener
from tests.packaging.conftest import ROOT


def test_probe_command_uses_the_app_when_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path("call.wav")
    assert decode_probe.probe_command(path, 1.0, 5.0)[1:3] == ["-m", "dialdeck.audio_probe"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/dialdeck/dialdeck")
    command = decode_probe.probe_command(path, 1.0, 5.0)
    assert command[:2] == ["/opt/dialdeck/dialdeck", "--audio-probe"]
    assert command[-2:] == ["--", str(path.absolute())]


def test_app_main_runs_the_audio_probe(tmp_path: Path) -> None:
    """`dialdeck --audio-probe FILE` answers like `python -m dialdeck.audio_probe FILE`."""
    done = subprocess.run(
        [sys.executable, "-m", "dialdeck", "--audio-probe", "--timeout", "5", "--", str(tmp_path / "none.wav")],
        capture_output=True, text=True, timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"error": ' in done.stdout.splitlines()[-1]


def test_link_events_wait_for_the_handler() -> None:
    opener = LinkOpener()
    assert opener.handle(QFileOpenEvent(QUrl("tel:+919876543210")))
    assert opener.pending == ["tel:+919876543210"]
    received: list[list[str]] = []
    opener.connect_handler(received.append)
    assert received == [["tel:+919876543210"]]
    assert opener.handle(QFileOpenEvent(QUrl("callto:9876543210")))
    assert received[-1] == ["callto:9876543210"]
    assert opener.pending == []


def test_version_and_help_need_no_display() -> None:
    """--version and --help answer where no display is reachable (a server, an ssh session)."""
    bare = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    bare["QT_QPA_PLATFORM"] = "xcb"  # Qt would abort here: no X server to open
    done = subprocess.run(
        [sys.executable, "-m", "dialdeck", "--version"],
        capture_output=True, text=True, timeout=60, env=bare,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Dialdeck {dialdeck.__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "dialdeck", "--help"],
        capture_output=True, text=True, timeout=60, env=bare,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: dialdeck") and "--sandbox" in done.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (Linux)")
def test_self_check_from_source() -> None:
    """The same check `./run package` runs on the bundle, here on the source tree under Xvfb."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "dialdeck", "--self-check"],
        capture_output=True, text=True, timeout=150, env=env, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert sum(" ok " in f" {line} " for line in lines) == 6
    assert any("played 2." in line for line in lines)
    assert lines[-1] == "self-check: 6 passed, 0 failed"
