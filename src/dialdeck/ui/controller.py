"""The app controller: owns the services and their asyncio tasks; widgets stay passive.

Everything slow (keyring, SQLite, HTTP, starting the embedded sandbox) is awaited here on the
qasync loop or a worker thread, never on the GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from dialdeck.core.api import (
    ApiError,
    CallInfo,
    CloudDialerClient,
    OutcomeUnknownError,
    RetryPolicy,
)
from dialdeck.core.api.client import check_base_url
from dialdeck.core.calls import CallTracker, PollPolicy, TrackedCall
from dialdeck.core.dialing import AgentIdentity, AlreadyDialingError, Dialer, DialRequest
from dialdeck.core.downloads import RecordingDownloader
from dialdeck.core.logs import add_secret
from dialdeck.core.numbers import DialNumber, InvalidNumber, check_dial_number, parse_dial_number
from dialdeck.core.paths import AppPaths
from dialdeck.core.recent_attempts import CONFIRM_WINDOW, Attempt, RecentAttempts
from dialdeck.core.retention import RetentionPolicy
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import Settings, read_settings, save_settings
from dialdeck.core.store import AsyncHistory, HistoryStore
from dialdeck.ui import describe
from dialdeck.ui.main_window import MainWindow
from dialdeck.ui.participant_dialog import AddParticipantDialog
from dialdeck.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from dialdeck.ui.library_controller import LibraryController
    from dialdeck.ui.quick_dial import QuickDial
    from dialdeck.ui.tray import TrayController

log = logging.getLogger("dialdeck.controller")
T = TypeVar("T")


class DialResult(Enum):
    STARTED = "started"
    BUSY = "busy"  # another call is being placed: the number waits in the dialer
    NEEDS_CONFIRMATION = "confirm"  # dialled moments ago with no known outcome: asked first
    UNAVAILABLE = "unavailable"  # not connected, or quitting


@dataclass
class AppOptions:
    home: Path | None = None
    force_sandbox: bool = False
    sandbox_port: int = 0
    sandbox_config: Any = None  # SandboxConfig; Any keeps the sandbox import lazy
    keystore: KeyStore | None = None
    poll_policy: PollPolicy | None = None
    retry: RetryPolicy | None = None
    start_minimized: bool = False  # --minimized: into the tray when there is one
    log_problem: str | None = None  # why the log file cannot be written, from setup_logging


@dataclass
class Connection:
    """What one mode (sandbox or account) needs; rebuilt when the user switches."""

    client: CloudDialerClient
    tracker: CallTracker
    dialer: Dialer
    caller_ids: list[str]
    agent: AgentIdentity
    sandbox: bool
    controls: Any = None  # SandboxControls in sandbox mode
    server: Any = None  # the embedded SandboxServer
    has_key: bool = True  # False: an account without its key yet (nothing can be polled)


class AppController(QObject):
    ready = Signal()
    finished = Signal()

    def __init__(self, window: MainWindow, options: AppOptions, paths: AppPaths) -> None:
        super().__init__()
        self.window = window
        self.options = options
        self.paths = paths
        self.keystore = options.keystore or KeyStore()
        self.history = AsyncHistory(paths.history_db)
        self.settings = Settings()
        self.connection: Connection | None = None
        self.secure_keyring = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._shutting_down = False
        self.is_ready = False
        self.library: LibraryController | None = None
        self._recordings_queued: set[str] = set()
        window.dialer.dial_requested.connect(self.dial)
        window.call_panel.add_participant_requested.connect(self.ask_participant)
        window.call_panel.hang_up_requested.connect(self._sandbox_hang_up)
        window.settings_requested.connect(self.open_settings)
        window.close_requested.connect(self.close_window)
        window.quit_requested.connect(self.request_quit)
        window.quick_dial_requested.connect(lambda: self.open_quick_dial(""))
        self.tray: TrayController | None = None
        self.quick_dial: QuickDial | None = None
        self._pending_args: list[str] | None = None
        self._told_about_tray = False
        self._headlines: dict[str, str] = {}
        self.problem_boxes: list[QMessageBox] = []
        self._unsaved: dict[str, CallInfo] = {}  # call states whose save failed, newest each
        self.attempts = RecentAttempts()
        self._unknown_serial = 0

    # -- task plumbing ---------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str = "") -> asyncio.Task[Any]:
        """Start a background task, keep a strong reference, report unexpected errors."""
        task = asyncio.get_running_loop().create_task(coro, name=name or None)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    async def _store(self, fn: Callable[..., T], *args: Any) -> T | None:
        """Run a history write; a storage error (disk full, read-only, I/O) is shown, not raised."""
        try:
            return await self.history.run(fn, *args)
        except (sqlite3.Error, OSError) as exc:
            log.warning("history write failed: %s", exc)
            self.window.statusBar().showMessage(
                self.tr("Could not save to the call history: {reason}").format(reason=exc), 15_000
            )
            return None

    async def save_settings_now(self) -> bool:
        try:
            await asyncio.to_thread(save_settings, self.paths.settings_file, self.settings)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)
            self.window.statusBar().showMessage(
                self.tr("Could not save settings to {folder}: {reason}").format(
                    folder=self.paths.config_dir, reason=exc.strerror or exc
                ),
                15_000,
            )
            return False
        return True

    def tell_problem(self, title: str, text: str) -> None:
        """A problem the agent must know about but that does not stop work: a non-modal box."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self.window)
        box.setObjectName("problemBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_boxes.append(box)
        box.finished.connect(lambda _r, b=box: self.problem_boxes.remove(b))
        box.open()

    # -- start-up ----------------------------------------------------------------------------------

    def start(self) -> asyncio.Task[Any]:
        return self.spawn(self._start(), "start")

    async def _start(self) -> None:
        notices: list[str] = []
        unwritable = await asyncio.to_thread(self.paths.ensure)
        if unwritable:
            notices.append(
                self.tr("Dialdeck cannot write to these folders:")
                + "\n"
                + "\n".join(f"• {line}" for line in unwritable)
            )
        if self.options.log_problem:
            notices.append(
                self.tr("The log cannot be written ({reason}).").format(
                    reason=self.options.log_problem
                )
            )
        history_notice = await self.history.open()
        if history_notice:
            notices.append(history_notice)
        interrupted = await self._store(HistoryStore.recover_interrupted) or 0
        since = datetime.now(UTC) - CONFIRM_WINDOW
        for national, placed_at in await self._store(HistoryStore.unknown_since, since) or []:
            self.attempts.record(national, outcome_unknown=True, at=placed_at)
        from dialdeck.ui.library_controller import LibraryController  # QtMultimedia: after show

        self.library = LibraryController(
            self.window.tabs, self.history, self.paths, self.spawn, self.window
        )
        self.library.notify.connect(lambda text: self.window.statusBar().showMessage(text, 10_000))
        read = await asyncio.to_thread(read_settings, self.paths.settings_file)
        self.settings = read.settings
        if read.problem:
            notices.append(read.problem)
        if notices:
            self.tell_problem(self.tr("Dialdeck started with a problem"), "\n\n".join(notices))
        self.secure_keyring = await asyncio.to_thread(self.keystore.is_secure)
        self.window.dialer.set_recent(self.settings.recent_numbers)
        self.window.dialer.recording_check.setChecked(self.settings.recording)
        self.window.dialer.ring_time_spin.setValue(self.settings.max_ring_time)
        self.library.retention = self._retention_policy()
        self.library.start()
        self._start_tray()
        connected = await self._connect()
        if connected:
            await self._resume_live_calls()
        if interrupted:
            self.window.statusBar().showMessage(
                self.tr(
                    "{n} call(s) from last time may or may not have been placed: check History."
                ).format(n=interrupted)
            )
        self.is_ready = True
        self.window.dialer.set_ready(connected)
        self.ready.emit()
        if self._pending_args is not None:
            args, self._pending_args = self._pending_args, None
            self.handle_args(args)

    @property
    def sandbox_mode(self) -> bool:
        return self.options.force_sandbox or self.settings.account is None

    async def _connect(self) -> bool:
        """Build the client, tracker and dialer for the current mode; False if that is impossible."""
        policy = self.options.poll_policy or PollPolicy()
        policy = replace(policy, factor=policy.factor * self.settings.poll_speed.factor)
        if self.sandbox_mode:
            from dialdeck.sandbox import (
                DEMO_AGENT,
                DEMO_API_KEY,
                DEMO_CALLER_IDS,
                SandboxConfig,
                SandboxServer,
            )
            from dialdeck.sandbox.control import SandboxControls

            config = self.options.sandbox_config or SandboxConfig()
            server = SandboxServer(config, port=self.options.sandbox_port)
            try:
                url = await asyncio.to_thread(server.start)
            except OSError as exc:
                self.window.set_mode("offline", self.tr("Sandbox unavailable"))
                self.window.dialer.set_unavailable(
                    self.tr("The sandbox could not start on port {port}: {reason}").format(
                        port=self.options.sandbox_port, reason=exc.strerror or exc
                    )
                    + " "
                    + self.tr(
                        "Choose another --sandbox-port, or close what uses it. History and Recordings still work."
                    )
                )
                return False
            client = CloudDialerClient(url, DEMO_API_KEY, retry=self.options.retry)
            caller_ids, agent = list(DEMO_CALLER_IDS), AgentIdentity(crm_username=DEMO_AGENT)
            controls, sandbox, has_key = SandboxControls(url), True, True
            self.window.set_mode(
                "sandbox",
                self.tr("Sandbox: calls are simulated"),
                self.tr("No real calls are placed. Open Settings to use your CloudDialer account."),
            )
        else:
            account = self.settings.account
            assert account is not None
            try:
                check_base_url(account.base_url)
            except ApiError as exc:
                # A bad stored address must never stop the app: say so and let the agent fix it.
                self.window.set_mode("offline", self.tr("Account not set up"))
                self.window.dialer.set_unavailable(
                    self.tr("The saved API address “{url}” is not usable: {reason}").format(
                        url=account.base_url, reason=exc
                    )
                    + " "
                    + self.tr("Open Settings (Ctrl+,) to correct it.")
                )
                self.open_settings()
                return False
            key = await asyncio.to_thread(self.keystore.get, account.base_url)
            add_secret(key)
            client = CloudDialerClient(account.base_url, key, retry=self.options.retry)
            caller_ids = list(account.caller_ids)
            agent = AgentIdentity(
                crm_username=account.crm_username or None,
                agent_number=None if account.crm_username else account.agent_number or None,
            )
            controls, server, sandbox = None, None, False
            has_key = bool(key)
            self.window.set_mode("live", self.tr("CloudDialer account"), account.base_url)
            if not key:
                self.window.dialer.show_problem(
                    self.tr("No API key yet: open Settings (Ctrl+,) to enter it.")
                )
        tracker = CallTracker(
            client,
            on_update=self._on_call_update,
            save=self._save_info,
            on_lost=self._on_lost,
            policy=policy,
        )
        dialer = Dialer(client, self.history, sandbox=sandbox)
        if self.library is not None:
            self.library.use_downloader(
                RecordingDownloader(client, self.history, self.paths.recordings_dir)
            )
        self.connection = Connection(
            client,
            tracker,
            dialer,
            caller_ids,
            agent,
            sandbox,
            controls,
            server if sandbox else None,
            has_key,
        )
        self.window.dialer.set_caller_ids(caller_ids, self.settings.caller_id)
        self.window.call_panel.set_sandbox_mode(sandbox)
        self._update_tray_state()
        return True

    async def _disconnect(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        if self.library is not None and self.library.downloader is not None:
            downloader = self.library.downloader
            self.library.use_downloader(None)
            await downloader.stop()
        await connection.tracker.stop()
        await connection.client.aclose()
        if connection.controls is not None:
            await connection.controls.aclose()
        if connection.server is not None:
            await asyncio.to_thread(connection.server.stop)

    async def _resume_live_calls(self) -> None:
        connection = self.connection
        assert connection is not None
        records = await self._store(HistoryStore.live_calls) or []
        if not connection.has_key:
            # Polling without a key would be refused (401): wait until the key is entered.
            waiting = sum(1 for r in records if r.sandbox == connection.sandbox)
            if waiting:
                self.window.statusBar().showMessage(
                    self.tr(
                        "Enter your API key in Settings to follow the call(s) still live "
                        "from last time ({n})."
                    ).format(n=waiting)
                )
            return
        for record in records:
            assert record.call_id is not None
            if record.sandbox and connection.sandbox:
                # The embedded simulator starts empty: its earlier calls ended with it.
                await self._store(
                    HistoryStore.mark_lost,
                    record.call_id,
                    "Simulated call ended when Dialdeck closed.",
                )
                continue
            if record.sandbox != connection.sandbox:
                continue  # belongs to the other mode; resumed when that mode is active
            number = check_dial_number(record.to_number)
            shown = number.display if isinstance(number, DialNumber) else record.to_number
            call = connection.tracker.track(record.call_id, record.uuid, shown)
            self.window.call_panel.update_call(call)
            log.info("resumed following a call from the last session")

    # -- dialling ----------------------------------------------------------------------------------

    def dial(
        self, number: DialNumber, caller_id: str | None = None, *, confirmed: bool = False
    ) -> DialResult:
        """Every entry point dials through here. One intent, one call: refuses synchronously
        while a dial is in flight, and asks first when this number was dialled moments ago
        with no known outcome. A number that is not dialled stays in the dialer, with why."""
        connection = self.connection
        if self._shutting_down:
            return DialResult.UNAVAILABLE
        if connection is None:
            self._keep_number(
                number, self.tr("Not connected to CloudDialer yet: {number} was not dialled.")
            )
            return DialResult.UNAVAILABLE
        if not confirmed and (attempt := self.attempts.needs_confirmation(number.national)):
            self._confirm_redial(number, caller_id, attempt)
            return DialResult.NEEDS_CONFIRMATION
        try:
            connection.dialer.begin()
        except AlreadyDialingError:
            log.info("a second dial while one is in flight: kept in the dialer")
            self._keep_number(
                number,
                self.tr(
                    "A call is being placed right now, so {number} was not dialled. "
                    "Press Enter to dial it next."
                ),
            )
            return DialResult.BUSY
        self.window.dialer.set_busy(True)
        options = self.window.dialer.options()
        request = DialRequest(
            number=number,
            caller_id=caller_id
            or options.caller_id
            or (connection.caller_ids[0] if connection.caller_ids else ""),
            agent=connection.agent,
            recording=options.recording,
            max_ring_time=options.max_ring_time,
        )
        self.spawn(self._dial(connection, request), "dial")
        return DialResult.STARTED

    def _keep_number(self, number: DialNumber, message: str) -> None:
        """A number that could not be dialled now goes to the dialer, ready for Enter."""
        dialer = self.window.dialer
        dialer.set_number(number.display)
        dialer.show_note(message.format(number=number.display))
        self.window.tabs.setCurrentIndex(0)
        self.bring_to_front()

    def _confirm_redial(self, number: DialNumber, caller_id: str | None, attempt: Attempt) -> None:
        from PySide6.QtWidgets import QMessageBox

        self._keep_number(number, self.tr("{number} was not dialled yet: see the question."))
        minutes = max(1, round((datetime.now(UTC) - attempt.at).total_seconds() / 60))
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Dial {number} again?").format(number=number.display),
            self.tr(
                "You dialled {number} {minutes} min ago and CloudDialer never confirmed it: "
                "that call may have been placed and may be ringing now. Check your phone.\n\n"
                "Dial {number} again?"
            ).format(number=number.display, minutes=minutes),
            parent=self.window,
        )
        box.setObjectName("confirmRedialBox")
        again = box.addButton(self.tr("Dial again"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # a tired Enter must not ring the customer twice
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(
            lambda _r: (
                self.dial(number, caller_id, confirmed=True)
                if box.clickedButton() is again
                else None
            )
        )
        self.confirm_box = box
        box.open()

    async def _dial(self, connection: Connection, request: DialRequest) -> None:
        number = request.number
        try:
            placed = await connection.dialer.place(request)
        except OutcomeUnknownError as exc:
            self.attempts.record(number.national, outcome_unknown=True)
            self.window.dialer.show_problem(str(exc))
            self._show_unknown_call(number, str(exc))
            return
        except ApiError as exc:  # each message already says what to do next
            self.window.dialer.show_problem(str(exc))
            return
        finally:
            self.window.dialer.set_busy(False)
        self.attempts.record(number.national, outcome_unknown=False)
        if placed.history_error:
            self.window.statusBar().showMessage(
                self.tr(
                    "The call was placed but could not be saved to the history: {reason}"
                ).format(reason=placed.history_error),
                30_000,
            )
        self.settings.remember_number(number.national)
        self.settings.caller_id = request.caller_id
        self.window.dialer.set_recent(self.settings.recent_numbers)
        if self.tray is not None:
            self.tray.recent = list(self.settings.recent_numbers)
        # Clear only the number just dialled: one that arrived meanwhile (a link, the tray)
        # stays for the agent to dial next.
        shown = check_dial_number(self.window.dialer.number_edit.text())
        if isinstance(shown, DialNumber) and shown.national == number.national:
            self.window.dialer.clear()
        call = connection.tracker.track(placed.call_id, placed.uuid, placed.number.display)
        self.window.call_panel.update_call(call, focus=True)
        await self.save_settings_now()

    def _show_unknown_call(self, number: DialNumber, message: str) -> None:
        """An entry in the call list for a call that may be ringing but cannot be followed."""
        self._unknown_serial += 1
        call = TrackedCall(
            call_id=f"unknown-{self._unknown_serial}",
            uuid="",
            number=number.display,
            error=message,
            outcome_unknown=True,
        )
        self.window.call_panel.update_call(call, focus=True)
        self.window.call_panel.show_notice(message, error=True)
        self.window.statusBar().showMessage(
            self.tr("Outcome unknown: not following any call."), 10_000
        )

    # -- following calls ---------------------------------------------------------------------------

    async def _save_info(self, info: CallInfo) -> None:
        """Save a call's latest state. If storage fails (disk full, I/O error), the call is still
        followed and the agent told; the newest state is saved again until it succeeds."""
        try:
            await self.history.run(HistoryStore.update_from_info, info)
        except (sqlite3.Error, OSError) as exc:
            log.warning("could not save call state: %s", exc)
            first = not self._unsaved
            self._unsaved[info.call_id] = info
            self.window.statusBar().showMessage(
                self.tr(
                    "Could not save this call to the history ({reason}). Dialdeck keeps "
                    "following it and will save it as soon as it can."
                ).format(reason=exc),
                30_000,
            )
            if first:
                self.spawn(self._retry_unsaved(), "retry saves")
        else:
            self._unsaved.pop(info.call_id, None)

    async def _retry_unsaved(self) -> None:
        delay = 1.0
        while self._unsaved:
            await asyncio.sleep(delay)
            for call_id, info in list(self._unsaved.items()):
                try:
                    await self.history.run(HistoryStore.update_from_info, info)
                except (sqlite3.Error, OSError) as exc:
                    log.info("save still failing: %s", exc)
                    break
                if self._unsaved.get(call_id) is info:
                    del self._unsaved[call_id]
            else:
                if not self._unsaved:
                    self.window.statusBar().showMessage(
                        self.tr("The call history is saved again."), 10_000
                    )
            delay = min(delay * 2, 30.0)

    async def _on_lost(self, call: TrackedCall) -> None:
        if call.resumable:
            # Key or network refused: the call may still be live. It stays live in the history,
            # so a corrected key (Settings) or the next start follows it again.
            self.window.statusBar().showMessage(
                self.tr(
                    "Paused following a call: {reason} It is followed again once that is fixed."
                ).format(reason=call.error or ""),
                30_000,
            )
            return
        await self._store(HistoryStore.mark_lost, call.call_id, call.error or "")

    def _on_call_update(self, call: TrackedCall) -> None:
        panel = self.window.call_panel
        panel.update_call(call)
        info = call.info
        self._notify_call(call)
        self._update_tray_state()
        for event in call.events:
            if event.startswith("participant-failed:") and info is not None:
                index = int(event.split(":")[1])
                who = describe.number(info.legs[index].number)
                if panel.focused is call:
                    panel.show_notice(
                        self.tr(
                            "Your colleague at {number} could not be reached. The call goes on."
                        ).format(number=who),
                        error=True,
                    )
            elif event.startswith("leg-added:") and panel.focused is call:
                panel.show_notice(self.tr("Ringing your colleague…"))
            elif event.startswith("participant-joined:") and panel.focused is call:
                panel.show_notice(
                    self.tr(
                        "Your colleague joined. To transfer the call, hang up: they stay with the customer."
                    )
                )
        if call.is_over and info is not None and "status" in call.events:
            self.window.statusBar().showMessage(f"{call.number}: {describe.outcome(info)}", 15000)
        if self.library is not None:
            self.library.changed()
            if (
                info is not None
                and info.is_over
                and info.recording_url
                and call.call_id not in self._recordings_queued
            ):
                self._recordings_queued.add(call.call_id)
                title = self.tr("Call with {number}").format(number=call.number)
                self.spawn(
                    self.library.queue_recording(call.uuid, info.recording_url, title),
                    "queue recording",
                )

    def _notify_call(self, call: TrackedCall) -> None:
        """Tray notifications for the moments an agent cares about (never twice for one state)."""
        if self.tray is None:
            return
        headline = describe.call_state(call)
        if self._headlines.get(call.call_id) == headline:
            return
        self._headlines[call.call_id] = headline
        info = call.info
        if info is None or call.reconnecting:
            return
        if describe.worth_notifying(call):
            self.tray.notify(call.number, headline)
        for event in call.events:
            if event.startswith("participant-failed:"):
                self.tray.notify(
                    call.number, self.tr("Your colleague could not be reached. The call goes on.")
                )

    # -- tray, quick dial, links ------------------------------------------------------------------

    def _start_tray(self) -> None:
        from dialdeck.ui.quick_dial import QuickDial
        from dialdeck.ui.tray import TrayController

        tray = TrayController(self.window, self)
        tray.notifications = self.settings.notifications
        tray.recent = list(self.settings.recent_numbers)
        tray.quick_dial_requested.connect(self.open_quick_dial)
        tray.dial_requested.connect(lambda number: self.dial(number))
        tray.toggle_window_requested.connect(self.toggle_window)
        tray.quit_requested.connect(self.request_quit)
        tray.notifications_toggled.connect(self._set_notifications)
        self.tray = tray
        self.quick_dial = QuickDial()
        self.quick_dial.dial_requested.connect(
            lambda number, caller_id: self.dial(number, caller_id or None)
        )
        if tray.available:
            tray.show()
            if self.options.start_minimized:
                self.window.hide()
        else:
            self.window.statusBar().showMessage(
                self.tr("No system tray on this desktop: everything works from this window."),
                15_000,
            )
        if self.library is not None:
            self.library.recording_saved.connect(
                lambda title: (
                    self.tray.notify(self.tr("Recording saved"), title) if self.tray else None
                )
            )

    def _set_notifications(self, enabled: bool) -> None:
        self.settings.notifications = enabled
        self.spawn(self.save_settings_now(), "save settings")

    def _update_tray_state(self) -> None:
        if self.tray is None or self.connection is None:
            return
        calls = self.connection.tracker.active
        if any(c.reconnecting for c in calls):
            state = "offline"
        elif calls:
            state = "live"
        else:
            state = "sandbox" if self.connection.sandbox else "idle"
        if state != self.tray.state:
            self.tray.set_state(state)

    def open_quick_dial(self, number: str = "") -> None:
        if self.quick_dial is None or self.connection is None:
            return
        combo = self.window.dialer.caller_id_combo
        choices = [(combo.itemText(i), str(combo.itemData(i))) for i in range(combo.count())]
        shown = check_dial_number(number) if number else None
        prefill = shown.display if isinstance(shown, DialNumber) else number
        self.quick_dial.open_with(prefill, choices, self.window.dialer.caller_id())

    def toggle_window(self) -> None:
        if (
            self.window.isVisible()
            and not self.window.isMinimized()
            and self.window.isActiveWindow()
        ):
            self.window.hide()
        else:
            self.bring_to_front()

    def bring_to_front(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def close_window(self) -> None:
        """The window's close button: stay in the tray if that is the setting and a tray exists."""
        if self.settings.close_to_tray and self.tray is not None and self.tray.available:
            self.window.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray.notify(
                    "Dialdeck", self.tr("Dialdeck keeps running here. Quit from this menu.")
                )
        else:
            self.request_quit()

    def handle_args(self, args: list[str]) -> None:
        """Arguments from the command line or a second launch: a number or link to dial."""
        from dialdeck.core.tel_uri import InvalidLink, is_link, number_from_args, parse_link

        if not self.is_ready:
            self._pending_args = args
            return
        self.bring_to_front()
        raw = number_from_args(args)
        if raw is None:
            return
        try:
            number = parse_link(raw).number if is_link(raw) else parse_dial_number(raw)
        except (InvalidLink, InvalidNumber) as exc:
            self.window.tabs.setCurrentIndex(0)
            self.window.dialer.set_number(raw)
            self.window.dialer.show_problem(str(exc))
            return
        self.window.tabs.setCurrentIndex(0)
        self.window.dialer.set_number(number.display)
        if self.settings.dial_links_at_once:
            self.dial(number)

    # -- add participant ---------------------------------------------------------------------------

    def ask_participant(self, call_id: str) -> None:
        dialog = AddParticipantDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._participant_chosen(call_id, dialog.number))
        dialog.open()
        self._participant_dialog = dialog

    def _participant_chosen(self, call_id: str, number: DialNumber | None) -> None:
        if number is not None:
            self.add_participant(call_id, number)

    def add_participant(self, call_id: str, number: DialNumber) -> None:
        connection = self.connection
        if connection is None:
            return
        self.window.call_panel.add_participant_button.setEnabled(False)
        self.spawn(self._add_participant(connection, call_id, number), "add participant")

    async def _add_participant(
        self, connection: Connection, call_id: str, number: DialNumber
    ) -> None:
        panel = self.window.call_panel
        try:
            await connection.client.add_participant(
                call_id, number.national, self.window.dialer.ring_time_spin.value()
            )
        except ApiError as exc:
            panel.show_notice(
                self.tr("Could not add {number}: {reason} Your call goes on.").format(
                    number=number.display, reason=exc
                ),
                error=True,
            )
        else:
            panel.show_notice(self.tr("Ringing {number}…").format(number=number.display))
        finally:
            call = connection.tracker.calls.get(call_id)
            if call is not None:
                panel.update_call(call)

    def _sandbox_hang_up(self, call_id: str, role: str, position: int) -> None:
        connection = self.connection
        if connection is None or connection.controls is None:
            return
        if role == "participant":
            coro = connection.controls.hang_up(
                call_id, leg_id=position + 1
            )  # sandbox leg ids are 1-based
        else:
            coro = connection.controls.hang_up(call_id, role=role)
        self.spawn(coro, "sandbox hang-up")

    # -- settings ----------------------------------------------------------------------------------

    def open_settings(self) -> None:
        self.spawn(self._open_settings(), "settings")

    async def _open_settings(self) -> None:
        key_stored = False
        if self.settings.account is not None:
            key_stored = bool(
                await asyncio.to_thread(self.keystore.get, self.settings.account.base_url)
            )
        dialog = SettingsDialog(
            self.settings,
            key_stored=key_stored,
            secure_keyring=self.secure_keyring,
            parent=self.window,
        )
        dialog.test_requested.connect(
            lambda url, key: self.spawn(self._test_connection(dialog, url, key))
        )
        dialog.accepted.connect(lambda: self._settings_chosen(dialog))
        dialog.register_links_requested.connect(lambda: self.spawn(self._register_links(dialog)))
        self.settings_dialog = dialog
        dialog.open()

    def _settings_chosen(self, dialog: SettingsDialog) -> None:
        if dialog.chosen is not None:
            self.spawn(
                self.apply_settings(dialog.chosen.settings, dialog.chosen.api_key), "apply settings"
            )

    async def _test_connection(self, dialog: SettingsDialog, base_url: str, key: str) -> None:
        if not key and self.settings.account is not None:
            stored = await asyncio.to_thread(self.keystore.get, base_url)
            key = stored or ""
        add_secret(key)
        try:
            client = CloudDialerClient(base_url, key or None, retry=self.options.retry)
        except ApiError as exc:
            dialog.show_test_result(False, str(exc))
            return
        try:
            await client.test_connection()
        except ApiError as exc:
            dialog.show_test_result(False, str(exc))
        else:
            dialog.show_test_result(True, self.tr("Connected: the key was accepted."))
        finally:
            await client.aclose()

    async def _register_links(self, dialog: SettingsDialog) -> None:
        from dialdeck.platform import links
        from dialdeck.platform.launch import launch_command

        try:
            message = await asyncio.to_thread(links.register, launch_command(self.options.home))
        except OSError as exc:
            message = self.tr("Could not register: {reason}").format(reason=exc)
        dialog.show_register_result(message)

    async def _apply_autostart(self, settings: Settings) -> None:
        from dialdeck.platform import autostart
        from dialdeck.platform.launch import launch_command

        extra = ("--minimized",) if settings.start_minimized else ()
        entry = autostart.entry_for(sys.platform, launch_command(self.options.home, extra))
        try:
            await asyncio.to_thread(
                autostart.enable if settings.start_at_login else autostart.disable, entry
            )
        except OSError as exc:
            self.window.statusBar().showMessage(
                self.tr("Could not change start at login: {reason}").format(reason=exc), 15_000
            )

    async def apply_settings(self, settings: Settings, api_key: str | None) -> None:
        if api_key and settings.account is not None:
            add_secret(api_key)
            secure = await asyncio.to_thread(self.keystore.set, settings.account.base_url, api_key)
            if not secure:
                self.window.statusBar().showMessage(
                    self.tr("No secure keyring: the API key is kept for this session only."), 15000
                )
        autostart_changed = (settings.start_at_login, settings.start_minimized) != (
            self.settings.start_at_login,
            self.settings.start_minimized,
        )
        self.settings = settings
        await self.save_settings_now()
        if autostart_changed:
            await self._apply_autostart(settings)
        if self.tray is not None:
            self.tray.notifications = settings.notifications
        if self.library is not None:
            self.library.retention = self._retention_policy()
            self.spawn(self.library.apply_retention(), "retention")
        self.window.dialer.set_ready(False)
        await self._disconnect()
        connected = await self._connect()
        if connected:
            await self._resume_live_calls()
        self.window.dialer.set_ready(connected)

    def _retention_policy(self) -> RetentionPolicy:
        gb = self.settings.retention_gb
        return RetentionPolicy(self.settings.retention_days, int(gb * 1e9) if gb else None)

    # -- shutdown ----------------------------------------------------------------------------------

    def request_quit(self) -> None:
        """The agent asked to quit (Ctrl+Q, the tray, closing without a tray): with a call still
        live, ask first: Dialdeck stops following it, the call itself goes on."""
        live = list(self.connection.tracker.active) if self.connection else []
        if not live or self._shutting_down:
            self.quit()
            return
        from PySide6.QtWidgets import QMessageBox

        self.bring_to_front()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Quit during a call?"),
            self.tr(
                "A call is still live ({number}). If you quit, the call goes on, but Dialdeck "
                "stops showing it; its history and recording are completed the next time "
                "Dialdeck starts.\n\nQuit anyway?"
            ).format(number=", ".join(c.number for c in live)),
            parent=self.window,
        )
        box.setObjectName("confirmQuitBox")
        quit_button = box.addButton(self.tr("Quit"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self.quit() if box.clickedButton() is quit_button else None)
        self.confirm_box = box
        box.open()

    def quit(self) -> None:
        if self._shutting_down:
            return
        self._shutting_down = True
        self.spawn(self._shutdown(), "shutdown")

    async def _shutdown(self) -> None:
        """Pollers cancelled, HTTP client closed, sandbox stopped, database closed: in that order."""
        self.window.dialer.set_ready(False)
        try:
            if self.library is not None:
                await self.library.flush_notes()
                self.library.stop()
            # A call being placed is allowed to finish (bounded): cancelling mid-request would
            # turn a placed call into an unknown one. Everything else is cancelled.
            log.debug("shutdown: waiting for calls being placed")
            dialling = [t for t in self._tasks if t.get_name() == "dial"]
            if dialling:
                await asyncio.wait(dialling, timeout=5)
            others = [t for t in self._tasks if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            log.debug("shutdown: cancelling %d tasks", len(others))
            await asyncio.gather(*others, return_exceptions=True)
            log.debug("shutdown: disconnecting")
            await self._disconnect()
            log.debug("shutdown: closing history")
            await self.history.close()
            if self.settings.recent_numbers:
                await self.save_settings_now()
        finally:
            if self.tray is not None:
                self.tray.hide()
            if self.quick_dial is not None:
                self.quick_dial.close()
                self.quick_dial.deleteLater()
            self.window.allow_close = True
            self.window.close()
            self.finished.emit()
