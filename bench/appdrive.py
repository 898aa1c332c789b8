"""Dialdeck driven in-process, as a user would, in a child process (``python -m bench.appdrive``).

The app is put together as ``dialdeck.app.main`` does (QApplication, main window shown, qasync
loop, controller, the 250 ms wake timer) with an account whose CloudDialer is a sandbox in another
process: the CPU, memory and GUI-thread stalls measured are Dialdeck's, not the simulator's.
Prints one JSON object of results.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import keyring.backend
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from bench.common import rss_mb
from dialdeck.core.calls import PollPolicy
from dialdeck.core.dial_options import DialOptions
from dialdeck.core.numbers import DialNumber, check_dial_number
from dialdeck.core.paths import AppPaths
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import AccountSettings, Settings, save_settings
from dialdeck.sandbox import DEMO_AGENT, DEMO_API_KEY, DEMO_CALLER_IDS
from dialdeck.ui.controller import AppController, AppOptions
from dialdeck.ui.main_window import MainWindow

FAST_POLL = PollPolicy(ringing=0.03, connected=0.06, backoff_start=0.05, backoff_max=0.3)


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


class Heartbeat:
    """A 1 ms timer on the GUI thread; the longest gap between its ticks is the worst stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0
        self.stalls = 0  # gaps of a frame (16 ms) or more

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        self.longest = max(self.longest, gap)
        self.stalls += gap >= 0.016
        self.last = now

    def start(self) -> None:
        self.last, self.longest, self.stalls = time.perf_counter(), 0.0, 0
        self.timer.start(1)
        if os.environ.get("DIALDECK_BENCH_STALLS"):  # diagnostics: who holds the GUI thread
            threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        """Print the GUI thread's stack whenever the heartbeat is 12 ms late (profiling aid)."""
        gui = threading.main_thread().ident
        reported = 0.0
        while self.timer.isActive():
            time.sleep(0.002)
            late = time.perf_counter() - self.last
            if late > 0.012 and self.last != reported and gui is not None:
                reported = self.last
                frame = sys._current_frames().get(gui)
                stack = "".join(traceback.format_stack(frame)) if frame else "?"
                print(f"--- GUI thread {late * 1000:.0f} ms late:\n{stack}", file=sys.stderr)

    def stop(self) -> float:
        self.timer.stop()
        return self.longest * 1000


async def until(check: Callable[[], bool], limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


def number(n: int) -> DialNumber:
    parsed = check_dial_number(f"97{n % 10_000:04d}5678")  # 5678: not a scripted outcome
    assert isinstance(parsed, DialNumber)
    return parsed


class Driver:
    def __init__(self, controller: AppController) -> None:
        self.controller = controller
        self.dialled = 0

    async def dial(self) -> None:
        connection = self.controller.session
        assert connection is not None
        await until(lambda: not connection.dialer.busy, 30, "dialer free")
        self.controller.dial(number(self.dialled), DialOptions())
        self.dialled += 1
        await until(lambda: not connection.dialer.busy, 30, "call placed")

    def live(self) -> int:
        connection = self.controller.session
        assert connection is not None
        return sum(1 for call in connection.tracker.calls.values() if not call.is_over)

    async def saved(self) -> int:
        history = self.controller.history
        row = await history.run(
            lambda s: s.db.execute(
                "SELECT COUNT(*) FROM recordings WHERE state = 'local'"
            ).fetchone()
        )
        return int(row[0])

    async def wait_saved(self, count: int, limit: float) -> None:
        deadline = time.monotonic() + limit
        while await self.saved() < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} recordings saved")
            await asyncio.sleep(0.1)


async def gaps(driver: Driver, calls: int, rounds: int, idle: float) -> dict[str, Any]:
    beat = Heartbeat()
    idle_gaps, busy_gaps, stalls = [], [], []
    for n in range(rounds):
        beat.start()
        await asyncio.sleep(idle)
        idle_gaps.append(beat.stop())
        beat.start()
        for _ in range(calls):
            await driver.dial()
        await until(lambda: driver.live() == 0, 600, "calls over")
        await driver.wait_saved(calls * (n + 1), 600)
        busy_gaps.append(beat.stop())
        stalls.append(beat.stalls)
    return {"idle": idle_gaps, "busy": busy_gaps, "stalls": stalls}


async def memory(driver: Driver, calls: int) -> dict[str, Any]:
    await driver.dial()
    await until(lambda: driver.live() == 0, 60, "first call over")
    await driver.wait_saved(1, 60)
    await asyncio.sleep(1.0)
    first = rss_mb()
    for _ in range(calls - 1):
        await driver.dial()
        await until(lambda: driver.live() < 4, 60, "calls ending")
    await until(lambda: driver.live() == 0, 120, "calls over")
    await driver.wait_saved(calls, 300)
    await asyncio.sleep(1.0)
    return {"first": first, "last": rss_mb(), "calls": calls}


async def cpu(driver: Driver, idle: float, live: float) -> dict[str, Any]:
    await asyncio.sleep(2.0)  # start-up work settles
    started = time.process_time()
    await asyncio.sleep(idle)
    idle_share = (time.process_time() - started) / idle * 100
    await driver.dial()
    await until(lambda: driver.live() == 1, 30, "call live")
    await asyncio.sleep(8.0)  # ringing, then connected: the steady poll of a conversation
    started = time.process_time()
    await asyncio.sleep(live)
    live_share = (time.process_time() - started) / live * 100
    return {"idle": idle_share, "live": live_share}


def main() -> None:
    mode, base_url, home, *extra = sys.argv[1:]
    args = [float(a) for a in extra]
    keys = KeyStore(MemoryKeyring())
    keys.set(base_url, DEMO_API_KEY)
    account = AccountSettings(
        base_url=base_url, caller_ids=list(DEMO_CALLER_IDS), crm_username=DEMO_AGENT
    )
    paths = AppPaths.resolve(Path(home))
    save_settings(paths.settings_file, Settings(account=account))

    from dialdeck.ui.event_loop import DialdeckEventLoop

    app = QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)
    window = MainWindow()
    window.show()
    loop = DialdeckEventLoop(app)
    asyncio.set_event_loop(loop)
    options = AppOptions(home=Path(home), keystore=keys)
    if mode == "memory":
        options = replace(options, poll_policy=FAST_POLL)
    controller = AppController(window, options, paths)
    wake = QTimer()  # as dialdeck.app.main: lets Python see Ctrl+C
    wake.start(250)
    wake.timeout.connect(lambda: None)

    async def scenario() -> dict[str, Any]:
        controller.start()
        await until(lambda: controller.is_ready, 60, "ready")
        driver = Driver(controller)
        if mode == "gaps":
            result = await gaps(driver, int(args[0]), int(args[1]), args[2])
        elif mode == "memory":
            result = await memory(driver, int(args[0]))
        else:
            result = await cpu(driver, args[0], args[1])
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def finished() -> None:
            if not done.done():
                done.set_result(None)

        controller.finished.connect(finished)
        controller.quit()
        await done
        return result

    with loop:
        result = loop.run_until_complete(scenario())
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
