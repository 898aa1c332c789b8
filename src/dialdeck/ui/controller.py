"""The app controller: owns the services and their asyncio tasks; widgets stay passive.

Everything slow (keyring, SQLite, HTTP, starting the embedded sandbox) is awaited here on the
qasync loop or a worker thread, never on the GUI thread.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal

from dialdeck.core.api import (
    ApiError,
    CallInfo,
    CloudDialerClient,
    OutcomeUnknownError,
    RetryPolicy,
)
from dialdeck.core.calls import CallTracker, PollPolicy, TrackedCall
from dialdeck.core.dialing import AgentIdentity, AlreadyDialingError, Dialer, DialRequest
from dialdeck.core.downloads import RecordingDownloader
from dialdeck.core.logs import add_secret
from dialdeck.core.numbers import DialNumber, InvalidNumber, check_dial_number, parse_dial_number
from dialdeck.core.paths import AppPaths
from dialdeck.core.retention import RetentionPolicy
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import Settings, load_settings, save_settings
from dialdeck.core.store import AsyncHistory, HistoryStore
from dialdeck.ui import describe
from dialdeck.ui.main_window import MainWindow
from dialdeck.ui.participant_dialog import AddParticipantDialog
from dialdeck.ui.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from dialdeck.ui.library_controller import LibraryController
    from dialdeck.ui.quick_dial import QuickDial
    from dialdeck.ui.tray import TrayController

log = logging.getLogger("dialdeck.controller")


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
        window.quit_requested.connect(self.quit)
        window.quick_dial_requested.connect(lambda: self.open_quick_dial(""))
        self.tray: TrayController | None = None
        self.quick_dial: QuickDial | None = None
        self._pending_args: list[str] | None = None
        self._told_about_tray = False
        self._headlines: dict[str, str] = {}

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

    # -- start-up ----------------------------------------------------------------------------------

    def start(self) -> asyncio.Task[Any]:
        return self.spawn(self._start(), "start")

    async def _start(self) -> None:
        await asyncio.to_thread(self.paths.ensure)
        await self.history.open()
        interrupted = await self.history.run(HistoryStore.recover_interrupted)
        from dialdeck.ui.library_controller import LibraryController  # QtMultimedia: after show

        self.library = LibraryController(
            self.window.tabs, self.history, self.paths, self.spawn, self.window
        )
        self.library.notify.connect(lambda text: self.window.statusBar().showMessage(text, 10_000))
        self.settings = await asyncio.to_thread(load_settings, self.paths.settings_file)
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
            controls, sandbox = SandboxControls(url), True
            self.window.set_mode(
                "sandbox",
                self.tr("Sandbox: calls are simulated"),
                self.tr("No real calls are placed. Open Settings to use your CloudDialer account."),
            )
        else:
            account = self.settings.account
            assert account is not None
            key = await asyncio.to_thread(self.keystore.get, account.base_url)
            add_secret(key)
            client = CloudDialerClient(account.base_url, key, retry=self.options.retry)
            caller_ids = list(account.caller_ids)
            agent = AgentIdentity(
                crm_username=account.crm_username or None,
                agent_number=None if account.crm_username else account.agent_number or None,
            )
            controls, server, sandbox = None, None, False
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
        for record in await self.history.run(HistoryStore.live_calls):
            assert record.call_id is not None
            if record.sandbox and connection.sandbox:
                # The embedded simulator starts empty: its earlier calls ended with it.
                await self.history.run(
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

    def dial(self, number: DialNumber, caller_id: str | None = None) -> bool:
        """One intent, one call: refuses synchronously while a dial is in flight."""
        connection = self.connection
        if connection is None or self._shutting_down:
            return False
        try:
            connection.dialer.begin()
        except AlreadyDialingError:
            log.info("ignored a second dial while one is in flight")
            return False
        self.window.dialer.set_busy(True)
        request = DialRequest(
            number=number,
            caller_id=caller_id
            or self.window.dialer.caller_id()
            or (connection.caller_ids[0] if connection.caller_ids else ""),
            agent=connection.agent,
            recording=self.window.dialer.recording_check.isChecked(),
            max_ring_time=self.window.dialer.ring_time_spin.value(),
        )
        self.spawn(self._dial(connection, request), "dial")
        return True

    async def _dial(self, connection: Connection, request: DialRequest) -> None:
        try:
            placed = await connection.dialer.place(request)
        except OutcomeUnknownError as exc:
            self.window.dialer.show_problem(str(exc))
            self.window.statusBar().showMessage(
                self.tr("Outcome unknown: not following any call."), 10000
            )
            return
        except ApiError as exc:  # each message already says what to do next
            self.window.dialer.show_problem(str(exc))
            return
        finally:
            self.window.dialer.set_busy(False)
        self.settings.remember_number(request.number.national)
        self.settings.caller_id = request.caller_id
        self.window.dialer.set_recent(self.settings.recent_numbers)
        if self.tray is not None:
            self.tray.recent = list(self.settings.recent_numbers)
        self.window.dialer.clear()
        call = connection.tracker.track(placed.call_id, placed.uuid, placed.number.display)
        self.window.call_panel.update_call(call, focus=True)
        await asyncio.to_thread(save_settings, self.paths.settings_file, self.settings)

    # -- following calls ---------------------------------------------------------------------------

    async def _save_info(self, info: CallInfo) -> None:
        await self.history.run(HistoryStore.update_from_info, info)

    async def _on_lost(self, call: TrackedCall) -> None:
        await self.history.run(HistoryStore.mark_lost, call.call_id, call.error or "")

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
        tray.quit_requested.connect(self.quit)
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
        self.spawn(
            asyncio.to_thread(save_settings, self.paths.settings_file, self.settings),
            "save settings",
        )

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
            self.quit()

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
        await asyncio.to_thread(save_settings, self.paths.settings_file, settings)
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
                await asyncio.to_thread(save_settings, self.paths.settings_file, self.settings)
        finally:
            if self.tray is not None:
                self.tray.hide()
            if self.quick_dial is not None:
                self.quick_dial.close()
                self.quick_dial.deleteLater()
            self.window.allow_close = True
            self.window.close()
            self.finished.emit()
