"""A real X server for the tests that need one (tray, global hotkey): Xvfb on a display of its
own, a private XDG runtime folder, and the environment for a nested pytest on the xcb platform."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bench.xserver import xvfb as bench_xvfb


def require_tools(tools: tuple[str, ...]) -> None:
    """Skip when a tool is missing, but fail on CI: there a missing tool is a broken install."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        message = f"needs {', '.join(missing)} (./run installs them on Debian)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def xvfb(flag: str) -> Iterator[dict[str, str]]:
    """Xvfb on a free display (``bench.xserver``); yield the environment for processes on it:
    DISPLAY, xcb, ``flag``=1 and a private XDG runtime folder."""
    runtime = tempfile.mkdtemp(prefix="xdg-runtime-")
    os.chmod(runtime, 0o700)
    try:
        with bench_xvfb("1280x800x24") as display:
            yield {**os.environ, **display, flag: "1", "XDG_RUNTIME_DIR": runtime}
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def run_inner_tests(test_file: str, env: dict[str, str], tmp_path: Path, passed: int) -> None:
    """Run ``test_file`` again in the X session of ``env``, where its inner tests run; all
    ``passed`` of them must pass."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test_file, "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", "--basetemp", str(tmp_path / "inner")],
        env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert f"{passed} passed" in result.stdout, result.stdout[-2000:]
