"""A real X server for the tests that need one (tray, global hotkey): Xvfb on a display of its
own, a private XDG runtime folder, and the environment for a nested pytest on the xcb platform."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

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
def xvfb(flag: str) -> Iterator[dict[str, str]]:
    """Start Xvfb on a display it picks itself (``-displayfd``: free, even with tests running in
    parallel); yield the environment (DISPLAY, xcb, ``flag``=1) for processes on it."""
    runtime = tempfile.mkdtemp(prefix="xdg-runtime-")
    os.chmod(runtime, 0o700)
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 10)
        assert ready, "Xvfb did not start within 10 s"
        with os.fdopen(read) as fh:
            number = fh.readline().strip()
        assert number, "Xvfb exited"
        yield {**os.environ, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb", flag: "1",
               "XDG_RUNTIME_DIR": runtime}  # fmt: skip
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(runtime, ignore_errors=True)
