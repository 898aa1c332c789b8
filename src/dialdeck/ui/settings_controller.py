"""Settings: the dialog, Test connection, tel: link registration, start at login.

Emits :attr:`SettingsController.applied` with what the agent saved; the conductor stores it and
reconnects. Test connection runs in a "latest wins" slot: testing again cancels the earlier
attempt, so an older answer can never overwrite a newer one.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from dialdeck.core.api import ApiError, CloudDialerClient, RetryPolicy
from dialdeck.core.logs import add_secret
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import Settings, save_settings
from dialdeck.ui.settings_dialog import SettingsDialog
from dialdeck.ui.tasks import Tasks

log = logging.getLogger("dialdeck.settings.ui")


class ConnectionTester(Protocol):
    async def test_connection(self) -> None: ...
    async def aclose(self) -> None: ...


ClientFactory = Callable[..., ConnectionTester]


class SettingsController(QObject):
    applied = Signal(object, object)  # Settings, the new API key or None (unchanged)
    status = Signal(str, int)  # a status-bar message, ms

    def __init__(
        self,
        keystore: KeyStore,
        tasks: Tasks,
        settings_file: Path,
        *,
        home: Path | None = None,
        retry: RetryPolicy | None = None,
        client_factory: ClientFactory = CloudDialerClient,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.keystore = keystore
        self.tasks = tasks
        self.settings_file = settings_file
        self.home = home
        self.retry = retry
        self.client_factory = client_factory
        self.secure_keyring: bool | None = None  # None: not asked yet (it loads a backend)
        self.forced_sandbox = False  # started with --sandbox: the dialog says so
        self.dialog: SettingsDialog | None = None
        # Registers a changed global hotkey on Save: "" or why not (set by the conductor).
        self.try_hotkey: Callable[[str], str] | None = None

    def open(self, settings: Settings, parent: QWidget) -> None:
        self.tasks.latest("open settings", self._open(settings, parent))

    async def _open(self, settings: Settings, parent: QWidget) -> None:
        if self.secure_keyring is None:  # first time in sandbox mode: ask the keyring now
            self.secure_keyring = await asyncio.to_thread(self.keystore.is_secure)
        key_stored = False
        if settings.account is not None:
            key_stored = bool(await asyncio.to_thread(self.keystore.get, settings.account.base_url))
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()  # one settings dialog at a time
            return
        dialog = SettingsDialog(
            settings,
            key_stored=key_stored,
            secure_keyring=self.secure_keyring,
            try_hotkey=self.try_hotkey,
            parent=parent,
        )
        dialog.test_requested.connect(
            lambda url, key: self.tasks.latest(
                "test connection", self._test_connection(dialog, settings, url, key)
            )
        )
        dialog.accepted.connect(lambda: self._chosen(dialog))
        dialog.register_links_requested.connect(
            lambda: self.tasks.latest("register links", self._register_links(dialog))
        )
        dialog.forced_note.setVisible(self.forced_sandbox)
        self.dialog = dialog
        dialog.open()

    def _chosen(self, dialog: SettingsDialog) -> None:
        if dialog.chosen is not None:
            self.applied.emit(dialog.chosen.settings, dialog.chosen.api_key)

    async def _test_connection(
        self, dialog: SettingsDialog, settings: Settings, base_url: str, key: str
    ) -> None:
        if not key and settings.account is not None:
            stored = await asyncio.to_thread(self.keystore.get, base_url)
            key = stored or ""
        add_secret(key)
        try:
            client = self.client_factory(base_url, key or None, retry=self.retry)
        except ApiError as exc:
            dialog.show_test_result(False, str(exc))
            return
        try:
            await client.test_connection()
        except ApiError as exc:
            dialog.show_test_result(False, str(exc))
        except Exception:  # a bug: said and logged, the dialog never stays on "Testing…"
            log.exception("connection test failed unexpectedly")
            dialog.show_test_result(False, self.tr("The test could not run (see the log)."))
        else:
            dialog.show_test_result(True, self.tr("Connected: the key was accepted."))
        finally:
            await client.aclose()

    async def _register_links(self, dialog: SettingsDialog) -> None:
        from dialdeck.platform import links
        from dialdeck.platform.launch import launch_command

        try:
            message = await asyncio.to_thread(links.register, launch_command(self.home))
        except OSError as exc:
            message = self.tr("Could not register: {reason}").format(reason=exc)
        dialog.show_register_result(message)

    async def save(self, settings: Settings) -> bool:
        """Write the settings file (atomically); a refusal is said, never raised."""
        try:
            await asyncio.to_thread(save_settings, self.settings_file, settings)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)
            self.status.emit(
                self.tr("Could not save settings to {folder}: {reason}").format(
                    folder=self.settings_file.parent, reason=exc.strerror or exc
                ),
                15_000,
            )
            return False
        return True

    async def store_key(self, settings: Settings, api_key: str | None) -> None:
        """The key goes to the keyring only (for this session when no secure keyring exists)."""
        if not api_key or settings.account is None:
            return
        add_secret(api_key)
        secure = await asyncio.to_thread(self.keystore.set, settings.account.base_url, api_key)
        if not secure:
            self.status.emit(
                self.tr("No secure keyring: the API key is kept for this session only."), 15_000
            )

    async def apply_autostart(self, settings: Settings) -> None:
        from dialdeck.platform import autostart
        from dialdeck.platform.launch import launch_command

        extra = ("--minimized",) if settings.start_minimized else ()
        entry = autostart.entry_for(sys.platform, launch_command(self.home, extra))
        try:
            await asyncio.to_thread(
                autostart.enable if settings.start_at_login else autostart.disable, entry
            )
        except OSError as exc:
            self.status.emit(
                self.tr("Could not change start at login: {reason}").format(reason=exc), 15_000
            )
