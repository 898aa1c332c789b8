"""The API key lives in the OS keyring only (Credential Locker, Keychain, Secret Service).

When no secure keyring exists (``keyring``'s fail backend, or only a plaintext fallback such as
``keyrings.alt``), the key is kept in memory for this session and never written anywhere.
Every method blocks (keyring talks to OS services): call them off the GUI thread.
"""

from __future__ import annotations

import logging

import keyring
import keyring.backend
import keyring.core
import keyring.errors

log = logging.getLogger("dialdeck.secrets")
SERVICE = "Dialdeck CloudDialer API key"


class KeyStore:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend
        self._session: dict[str, str] = {}

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        return self._backend or keyring.get_keyring()

    def is_secure(self) -> bool:
        """True when a real OS keyring (not a fail or plaintext fallback) is available."""
        try:
            return bool(keyring.core.recommended(self.backend))
        except Exception:  # a broken backend is not secure
            log.exception("keyring backend check failed")
            return False

    def backend_name(self) -> str:
        return type(self.backend).__name__

    def get(self, account: str) -> str | None:
        if account in self._session:
            return self._session[account]
        if not self.is_secure():
            return None
        try:
            return self.backend.get_password(SERVICE, account)
        except keyring.errors.KeyringError:
            log.warning("keyring read failed for this account")
            return None

    def set(self, account: str, key: str) -> bool:
        """Store the key. Returns True if it is in the OS keyring, False if kept for this session."""
        if self.is_secure():
            try:
                self.backend.set_password(SERVICE, account, key)
                self._session.pop(account, None)
                return True
            except keyring.errors.KeyringError:
                log.warning("keyring write failed; keeping the key for this session only")
        self._session[account] = key
        return False

    def delete(self, account: str) -> None:
        self._session.pop(account, None)
        if self.is_secure():
            try:
                self.backend.delete_password(SERVICE, account)
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError:
                log.warning("keyring delete failed")
