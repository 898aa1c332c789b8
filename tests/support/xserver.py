"""A real X server for the tests that need one (tray, global hotkey): Xvfb on a display of its
own, a private XDG runtime folder, and the environment for a nested pytest on the xcb platform."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def require_tools(tools: tuple[str, ...]) -> None:
    """Skip when a tool is missing, but fail on CI: there a missing tool is a broken install."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        message = f"needs {', '.join(missing)} (./run installs them on Debian)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def xvfb(first_display: int, flag: str) -> Iterator[dict[str, str]]:
    """Start Xvfb; yield the environment (DISPLAY, xcb, ``flag``=1) for processes on it."""
    display = f":{first_display + os.getpid() % 40}"
    runtime = tempfile.mkdtemp(prefix="xdg-runtime-")
    os.chmod(runtime, 0o700)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", flag: "1",
           "XDG_RUNTIME_DIR": runtime}  # fmt: skip
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        socket = Path(f"/tmp/.X11-unix/X{display[1:]}")
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert server.poll() is None, "Xvfb exited"
            assert time.monotonic() < deadline, "Xvfb did not start"
            time.sleep(0.05)
        yield env
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(runtime, ignore_errors=True)
