"""The conductor: builds the controllers, wires their signals, runs start-up and shutdown.

Each job lives in its own controller (calls, settings, shell, library); this module only
connects them (like qutebrowser's ``MainWindow._connect_signals``) and owns the order of things:
the window is already on screen when :meth:`AppController.start` loads the heavy parts, and
shutdown closes pollers, connections, the sandbox and the database in that order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from dialdeck.core.paths import AppPaths
from dialdeck.core.retention import RetentionPolicy
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import Settings, read_settings
from dialdeck.core.startup import open_storage
from dialdeck.core.store import AsyncHistory
from dialdeck.session import (
    BadAccountAddress,
    BadAccountKey,
    Session,
    SessionError,
    open_session,
)
from dialdeck.ui import describe, wiring
from dialdeck.ui.app_options import AppOptions
from dialdeck.ui.call_controller import CallController, DialResult
from dialdeck.ui.contacts_controller import ContactsController
from dialdeck.ui.hotkey_controller import HotkeyController
from dialdeck.ui.main_window import MainWindow
from dialdeck.ui.recent_call import RecentCallLookup
from dialdeck.ui.settings_controller import SettingsController
from dialdeck.ui.shell_controller import ShellController
from dialdeck.ui.tasks import Tasks

if TYPE_CHECKING:
    from dialdeck.core.dial_options import DialOptions
    from dialdeck.core.numbers import DialNumber
    from dialdeck.ui.contacts_tab_controller import ContactsTab
    from dialdeck.ui.history_controller import HistoryController
    from dialdeck.ui.recordings_controller import RecordingsController

log = logging.getLogger("dialdeck.controller")

__all__ = ["AppController", "AppOptions", "DialResult"]


class AppController(QObject):
    ready = Signal()
    finished = Signal()

    def __init__(self, window: MainWindow, options: AppOptions, paths: AppPaths) -> None:
        super().__init__()
        self.window, self.options, self.paths = window, options, paths
        self.keystore = options.keystore or KeyStore()
        self.history = AsyncHistory(paths.history_db)
        self.settings = Settings()
        self.tasks = Tasks()
        self.calls = CallController(self.history, self.tasks, self)
        self.settings_ui = SettingsController(
            self.keystore,
            self.tasks,
            paths.settings_file,
            home=options.home,
            retry=options.retry,
            parent=self,
        )
        self.settings_ui.forced_sandbox = options.force_sandbox
        self.shell = ShellController(window, self)
        self.hotkeys = HotkeyController(self)
        self.contacts = ContactsController(self.history, self.tasks, window)
        self.recent_call = RecentCallLookup(self.history, self.tasks, self)
        self.history_tab: HistoryController | None = None
        self.recordings: RecordingsController | None = None
        self.contacts_tab: ContactsTab | None = None
        self.is_ready = False
        self._shutting_down = False
        self._pending_args: list[str] | None = None
        self._connect_signals()

    @property
    def session(self) -> Session | None:
        return self.calls.session

    def _connect_signals(self) -> None:
        window, calls, shell, status = self.window, self.calls, self.shell, self.window.statusBar()
        window.dialer.dial_requested.connect(self.dial)
        window.settings_requested.connect(lambda: self.settings_ui.open(self.settings, window))
        window.quit_requested.connect(self.request_quit)
        shell.dial_requested.connect(lambda n, o, confirmed: self.dial(n, o, confirmed=confirmed))
        shell.participant_chosen.connect(
            lambda call_id, number: calls.add_participant(
                call_id, number, window.dialer.options().max_ring_time
            )
        )
        shell.quit_confirmed.connect(self.quit)
        shell.notifications_toggled.connect(self._set_notifications)
        calls.number_kept.connect(shell.keep_number)
        calls.confirmation_needed.connect(shell.confirm_redial)
        calls.dialled.connect(self._dialled)
        calls.status.connect(status.showMessage)
        self.settings_ui.applied.connect(
            lambda s, key: self.tasks.spawn(self.apply_settings(s, key), "apply settings")
        )
        self.settings_ui.status.connect(status.showMessage)
        self.hotkeys.activated.connect(shell.selected_number)
        self.hotkeys.status.connect(status.showMessage)
        self.settings_ui.try_hotkey = self.hotkeys.try_use
        wiring.connect_call_panel(window, calls, shell, self.recent_call, self.tasks)
        wiring.connect_contacts(window, self.contacts, calls, shell)

    def dial(
        self, number: DialNumber, options: DialOptions, *, confirmed: bool = False
    ) -> DialResult:
        return self.calls.dial(number, options, confirmed=confirmed)

    # -- start-up ----------------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        return self.tasks.spawn(self._start(), "start")

    async def _start(self) -> None:
        storage = await open_storage(self.paths, self.history, self.options.log_problem)
        notices = storage.notices
        if storage.interrupted:
            self.window.statusBar().showMessage(describe.interrupted_calls(storage.interrupted))
        await self.calls.load_unknown_attempts()
        self.contacts.start()
        history, recordings, self.contacts_tab = wiring.build_tabs(
            self.window, self.history, self.paths, self.tasks, self.calls, self.contacts, self.shell
        )
        self.history_tab, self.recordings = history, recordings
        read = await asyncio.to_thread(read_settings, self.paths.settings_file)
        self.settings = read.settings
        notices += [read.problem] if read.problem else []
        if notices:
            self.shell.tell_problem(
                self.tr("Dialdeck started with a problem"), "\n\n".join(notices)
            )
        if self.settings.account is not None:  # sandbox mode never loads a keyring backend
            self.settings_ui.secure_keyring = await asyncio.to_thread(self.keystore.is_secure)
        self._use_settings()
        history.start()
        recordings.start()
        self.shell.start_tray(
            notifications=self.settings.notifications,
            recent=self.settings.recent_numbers,
            minimized=self.options.start_minimized,
        )
        connected = await self._connect()
        self.is_ready = True
        self.window.dialer.set_ready(connected)
        self.ready.emit()
        if self._pending_args is not None:
            args, self._pending_args = self._pending_args, None
            self.handle_args(args)

    def _use_settings(self) -> None:
        self.shell.use_settings(self.settings)
        self.hotkeys.use(self.settings.global_hotkey)
        self.window.call_panel.wrap_up.editor.set_dispositions(self.settings.dispositions)
        if self.history_tab is not None:
            self.history_tab.set_dispositions(self.settings.dispositions)
        if self.recordings is not None:
            gb = self.settings.retention_gb
            self.recordings.retention = RetentionPolicy(
                self.settings.retention_days, int(gb * 1e9) if gb else None
            )

    async def _connect(self) -> bool:
        """Open the session for the current settings; say why when that is impossible."""
        try:
            session = await open_session(
                self.settings,
                self.options.session_options(),
                keystore=self.keystore,
                history=self.history,
                recordings_dir=self.paths.recordings_dir,
                hooks=self.calls.hooks,
            )
        except SessionError as exc:
            self.shell.explain_unavailable(exc)
            if isinstance(exc, BadAccountAddress | BadAccountKey):
                self.settings_ui.open(self.settings, self.window)
            return False
        self.calls.session = session
        if self.recordings is not None:
            self.recordings.use_downloader(session.downloader)
        self.window.dialer.set_caller_ids(session.caller_ids, self.settings.caller_id)
        self.shell.show_session(session)
        await self.calls.resume_live_calls()
        return True

    async def _disconnect(self) -> None:
        session, self.calls.session = self.calls.session, None
        if session is None:
            return
        if self.recordings is not None:
            self.recordings.use_downloader(None)
        await session.close()

    # -- what the controllers report ---------------------------------------------------------------

    def _dialled(self, number: DialNumber, caller_id: str) -> None:
        self.settings.remember_number(number.national)
        self.settings.caller_id = caller_id
        self.shell.set_recent(self.settings.recent_numbers)
        self.window.dialer.clear_if_showing(number)
        self.tasks.spawn(self.save_settings_now(), "save settings")

    def _set_notifications(self, enabled: bool) -> None:
        self.settings.notifications = enabled
        self.tasks.spawn(self.save_settings_now(), "save settings")

    async def save_settings_now(self) -> bool:
        return await self.settings_ui.save(self.settings)

    def handle_args(self, args: list[str]) -> None:
        """Arguments from the command line or a second launch: a number or link to dial."""
        from dialdeck.core.tel_uri import number_from_args

        if not self.is_ready:
            self._pending_args = args
            return
        raw = number_from_args(args)
        if raw is None:
            self.shell.bring_to_front()
        else:
            self.shell.handle_link(raw)

    async def apply_settings(self, settings: Settings, api_key: str | None) -> None:
        # Only a new account, key or poll speed needs a new session: a restart of the embedded
        # simulator for, say, new call outcomes ended every simulated call, frozen on screen.
        reconnect = api_key is not None or (settings.account, settings.poll_speed) != (
            self.settings.account,
            self.settings.poll_speed,
        )
        if (
            reconnect
            and (live := self.calls.active_calls)
            and not await self.shell.ask_reconnect(live)
        ):
            settings.account, settings.poll_speed = self.settings.account, self.settings.poll_speed
            reconnect, api_key = False, None
        await self.settings_ui.store_key(settings, api_key)
        autostart_changed = (settings.start_at_login, settings.start_minimized) != (
            self.settings.start_at_login,
            self.settings.start_minimized,
        )
        self.settings = settings
        await self.save_settings_now()
        if autostart_changed:
            await self.settings_ui.apply_autostart(settings)
        self._use_settings()
        if self.recordings is not None:
            self.tasks.spawn(self.recordings.apply_retention(), "retention")
        if not reconnect:
            return
        self.window.dialer.set_ready(False)
        stopped = self.calls.active_calls
        await self._disconnect()  # pollers stopped first: a poll in flight cannot undo the next
        self.calls.say_not_followed(stopped, self.tr("the account settings changed"))
        self.window.dialer.set_ready(await self._connect())

    # -- shutdown ----------------------------------------------------------------------------------

    def request_quit(self) -> None:
        """The agent asked to quit: with a call still live, ask first (the call goes on)."""
        live = self.calls.active_calls
        if live and not self._shutting_down:
            self.shell.confirm_quit(live)
        else:
            self.quit()

    def quit(self) -> None:
        if self._shutting_down:
            return
        self._shutting_down = True
        self.calls.closing = True
        self.tasks.spawn(self._shutdown(), "shutdown")

    async def _shutdown(self) -> None:
        """Pollers cancelled, HTTP client closed, sandbox stopped, database closed: in that order."""
        self.window.dialer.set_ready(False)
        try:
            for uuid, (notes, disposition) in list(
                self.window.call_panel.wrap_up.editor.pending.items()
            ):
                await self.calls.save_wrap_up(uuid, notes, disposition)
            if self.history_tab is not None:
                await self.history_tab.flush_notes()
                self.history_tab.stop()
            if self.recordings is not None:
                self.recordings.stop()
            if self.contacts_tab is not None:
                self.contacts_tab.stop()
            self.contacts.stop()
            self.hotkeys.stop()
            # A call being placed may finish (bounded): cancelling mid-request would turn a
            # placed call into an unknown one. Everything else is cancelled.
            if dialling := self.tasks.named("dial"):
                await asyncio.wait(dialling, timeout=5)
            await self.tasks.cancel_all()
            await self._disconnect()
            await self.history.close()
            if self.settings.recent_numbers:
                await self.save_settings_now()
        finally:
            self.shell.close()
            self.window.save_layout()
            self.window.allow_close = True
            self.window.close()
            self.finished.emit()
