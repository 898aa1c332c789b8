"""``dialdeck --self-check``: prove that this installation works, end to end, in seconds.

Used on the frozen bundles (``./run package``, CI) and by anyone who wants to know whether an
install is sound. It starts the real app, with its real controller, in sandbox mode in a throwaway
home, shows the window, places one sandbox call, waits until the call's recording is downloaded,
verified (the decode probe: a child process of this very executable) and listed, plays two seconds
of it with the app's own Player, prints one line per step and exits 0. Any failed step exits 1
with the reason; a watchdog thread ends the process with 3 if the whole check takes longer than
:data:`OVERALL_TIMEOUT`, even if Qt itself is stuck.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dialdeck import __version__

if TYPE_CHECKING:
    from dialdeck.sandbox import SandboxConfig
    from dialdeck.ui.controller import AppController

OVERALL_TIMEOUT = 120.0  # seconds, from start to exit
SANDBOX_SPEED = 10.0  # rings pass in half a second; the talk below lasts 3 s of real time
TALK_TIME = 30.0  # sandbox seconds: the recording is 30 s long, enough to play 2 s of it
PLAY_MS = 2000
NUMBER = "9876543210"  # any number not ending in a scripted outcome is answered


def sandbox_config() -> SandboxConfig:
    from dialdeck.sandbox import SandboxConfig

    config = SandboxConfig()
    return replace(
        config, speed=SANDBOX_SPEED, timings=replace(config.timings, talk_time=TALK_TIME)
    )


def _report_stream() -> TextIO:
    """stdout, or a file in the working folder where there is none (a Windows GUI build)."""
    if sys.stdout is not None:
        return sys.stdout
    return open("dialdeck-self-check.txt", "w", encoding="utf-8")


class SelfCheck:
    """Create before the app starts (it picks the home); :meth:`attach` to the controller."""

    def __init__(self, timeout: float = OVERALL_TIMEOUT) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="dialdeck-self-check-"))
        self.exit_code = 1
        self.passed = 0
        self.started = time.monotonic()
        self.out = _report_stream()
        self._watchdog = threading.Timer(timeout, self._timed_out, args=(timeout,))
        self._watchdog.daemon = True
        self._watchdog.start()
        self.say(
            f"Dialdeck {__version__} self-check: Python {platform.python_version()}, "
            f"{'frozen' if getattr(sys, 'frozen', False) else 'from source'}, home {self.home}"
        )

    def say(self, line: str) -> None:
        self.out.write(f"[{time.monotonic() - self.started:6.2f}s] {line}\n")
        self.out.flush()

    def ok(self, step: str) -> None:
        self.passed += 1
        self.say(f"ok    {step}")

    def _timed_out(self, timeout: float) -> None:
        self.say(f"FAIL  no result after {timeout:g} s: giving up")
        self.out.write(f"self-check: {self.passed} passed, 1 failed\n")
        self.out.flush()
        os._exit(3)

    def attach(self, controller: AppController) -> None:
        controller.ready.connect(
            lambda: controller.tasks.spawn(self._run(controller), "self-check")
        )

    def finish(self) -> int:
        """After the app has shut down: the exit status, and the temporary home removed."""
        self._watchdog.cancel()
        shutil.rmtree(self.home, ignore_errors=True)
        failed = 0 if self.exit_code == 0 else 1
        self.out.write(f"self-check: {self.passed} passed, {failed} failed\n")
        self.out.flush()
        return self.exit_code

    async def _run(self, controller: AppController) -> None:
        try:
            await self._steps(controller)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.say(f"FAIL  {exc}")
        else:
            self.exit_code = 0
        controller.quit()

    async def _steps(self, controller: AppController) -> None:
        from PySide6.QtMultimedia import QMediaDevices

        from dialdeck.core.dial_options import DialOptions
        from dialdeck.core.library import RecState
        from dialdeck.core.numbers import parse_dial_number
        from dialdeck.ui.controller import DialResult

        window = controller.window
        await until(window.isVisible, 10, "the main window is not shown")
        self.ok(f"window shown ({window.width()}x{window.height()}, {window.windowTitle()})")
        connection = controller.session
        if connection is None or not connection.sandbox:
            raise CheckFailed("the embedded sandbox did not start")
        self.ok(f"sandbox running at {connection.client.base_url}")

        result = controller.dial(parse_dial_number(NUMBER), DialOptions())
        if result is not DialResult.STARTED:
            raise CheckFailed(f"the call was not placed: {result.value}")
        await until(lambda: bool(connection.tracker.active), 15, "no call is being followed")
        self.ok(f"call placed to {NUMBER}")

        library = controller.recordings
        assert library is not None
        model = library.library_view.model

        def listed() -> Any:
            rows = [model.row_at(r) for r in range(model.rowCount())]
            return next((r for r in rows if r.state == RecState.LOCAL), None)

        await until(lambda: not connection.tracker.active, 30, "the call did not end")
        self.ok("call ended")
        await until(listed, 30, "the recording was not downloaded, verified and listed")
        row = listed()
        self.ok(f"recording verified and listed ({row.duration or 0:.1f} s, {row.size} bytes)")

        await library.load(row)
        player = library.player
        await until(lambda: player.duration > 0, 15, "the player did not open the recording")
        devices = len(QMediaDevices.audioOutputs())
        player.play()
        await until(lambda: player.position >= PLAY_MS, 20, "the recording did not play 2 s")
        player.pause()
        where = f"{devices} audio output(s)" if devices else "no audio device: FFmpeg's clock"
        self.ok(f"played {player.position / 1000:.1f} s of {player.duration / 1000:.1f} ({where})")


class CheckFailed(Exception):
    pass


async def until(condition: Callable[[], Any], seconds: float, failure: str) -> None:
    """Poll ``condition`` on the event loop until it is true, or fail with ``failure``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise CheckFailed(f"{failure} (waited {seconds:g} s)")
        await asyncio.sleep(0.05)
