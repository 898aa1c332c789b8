"""App fixtures: a real window and controller on a per-test qasync loop, real sandbox, real SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from dialdeck.core.api import RetryPolicy
from dialdeck.core.calls import PollPolicy
from dialdeck.core.paths import AppPaths
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import AccountSettings, Settings, save_settings
from dialdeck.sandbox import DEMO_AGENT, DEMO_CALLER_IDS, SandboxServer
from dialdeck.sandbox.faults import FaultsAndLog
from dialdeck.ui.controller import AppController, AppOptions
from dialdeck.ui.event_loop import DialdeckEventLoop
from dialdeck.ui.main_window import MainWindow
from tests.conftest import sandbox_config

FAST_POLL = PollPolicy(ringing=0.03, connected=0.06, backoff_start=0.05, backoff_max=0.3)
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
APP_SANDBOX_SPEED = 10.0  # ring 2 s -> 0.2 s real: slow enough to see each state, fast enough


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """asyncio on the Qt loop that pytest-qt drives (never stopped: see engineering.md)."""
    loop = DialdeckEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    loop.qt_timers.stop()  # nothing of this test fires into the next one
    # qasync marked this loop as running (the Qt loop runs): undo, or a later test's own
    # asyncio/anyio loop is refused ("another loop is running"), whatever order tests run in.
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    # close() shuts the worker pool down; an already-running loop is never closed.
    loop.worker_pool.shutdown(wait=True)


@dataclass
class AppHarness:
    window: MainWindow
    controller: AppController
    paths: AppPaths
    qtbot: QtBot

    @property
    def embedded_sandbox(self) -> SandboxServer:
        connection = self.controller.session
        assert connection is not None
        assert connection.server is not None
        server: SandboxServer = connection.server
        return server

    def posts(self, server: SandboxServer | None = None) -> list[dict[str, Any]]:
        middleware: FaultsAndLog = (server or self.embedded_sandbox).app
        return [vars(r) for r in middleware.requests if r.method == "POST" and r.path == "/calls"]

    def question(self, name: str) -> QMessageBox:
        """The open question box with this object name (see ``ui/questions.py``)."""
        found: list[QMessageBox] = []

        def visible() -> bool:
            box = self.window.findChild(QMessageBox, name)
            found[:] = [box] if box is not None and box.isVisible() else []
            return bool(found)

        self.qtbot.waitUntil(visible)
        return found[0]

    def answer(self, name: str, button: str) -> None:
        """Click ``button`` ("Delete", "Cancel"…) in the open question; wait until it is gone."""
        box = self.question(name)
        clicked = next(b for b in box.buttons() if b.text() == button)
        self.qtbot.mouseClick(clicked, Qt.MouseButton.LeftButton)
        self.qtbot.waitUntil(lambda: self.window.findChild(QMessageBox, name) is not box)

    def state(self) -> str:
        return self.window.call_panel.state_label.text()

    def wait_state(self, text: str, timeout: int = 10_000) -> None:
        self.qtbot.waitUntil(lambda: text in self.state(), timeout=timeout)

    closed: bool = False

    def shutdown(self) -> None:
        if self.closed:
            return
        self.closed = True
        with self.qtbot.waitSignal(self.controller.finished, timeout=10_000):
            self.controller.quit()
        # Deleted now (with every timer in it), while this test's loop still runs: a dialer
        # debounce firing later would reach a controller whose loop is gone.
        shiboken6.delete(self.window)


AppFactory = Callable[..., AppHarness]


@pytest.fixture
def make_app(
    qtbot: QtBot, aloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> Iterator[AppFactory]:
    apps: list[AppHarness] = []

    def factory(home: Path | None = None, *, wait: bool = True, **changes: Any) -> AppHarness:
        home = home or tmp_path / "home"
        options = AppOptions(
            home=home,
            sandbox_config=sandbox_config(
                speed=APP_SANDBOX_SPEED, timings=replace(sandbox_config().timings, talk_time=600)
            ),
            keystore=KeyStore(),
            poll_policy=FAST_POLL,
            retry=FAST_RETRY,
        )
        options = replace(options, **changes)
        window = MainWindow()  # not qtbot.addWidget: pytest-qt would delete it before our teardown
        paths = AppPaths.resolve(home)
        window.restore_layout(paths.window_layout_file)  # as app.main does, before showing
        controller = AppController(window, options, paths)
        harness = AppHarness(window, controller, paths, qtbot)
        apps.append(harness)
        window.show()
        controller.start()
        if wait:
            qtbot.waitUntil(lambda: controller.is_ready, timeout=10_000)
        return harness

    yield factory
    for harness in apps:
        harness.shutdown()


def write_account(home: Path, base_url: str, key: str, **changes: Any) -> None:
    """Set up a "real account" pointing at a sandbox server (plain http is fine on loopback),
    with its key in the (in-memory) keyring."""
    account = AccountSettings(
        base_url=base_url, caller_ids=list(DEMO_CALLER_IDS), crm_username=DEMO_AGENT
    )
    for name, value in changes.items():
        setattr(account, name, value)
    save_settings(AppPaths.resolve(home).settings_file, Settings(account=account))
    KeyStore().set(base_url, key)
