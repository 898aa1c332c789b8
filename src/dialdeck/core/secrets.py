"""The API key lives in the OS keyring only (Credential Locker, Keychain, Secret Service).

When no secure keyring exists (``keyring``'s fail backend, or only a plaintext fallback such as
``keyrings.alt``), the key is kept in memory for this session and never written anywhere.
Every method blocks (keyring talks to OS services): call them off the GUI thread. ``keyring``
itself is imported by the first of them (on that thread), so sandbox mode never loads it (~3 MB,
50 modules, and a backend discovery that may load ``cryptography``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger("dialdeck.secrets")
SERVICE = "Dialdeck CloudDialer API key"


class KeyStore:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend
        self._session: dict[str, str] = {}

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        if self._backend is not None:
            return self._backend
        import keyring

        return keyring.get_keyring()

    def is_secure(self) -> bool:
        """True when a real OS keyring (not a fail or plaintext fallback) is available."""
        import keyring.core

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
        import keyring.errors

        try:
            return self.backend.get_password(SERVICE, account)
        except keyring.errors.KeyringError:
            log.warning("keyring read failed for this account")
            return None

    def set(self, account: str, key: str) -> bool:
        """Store the key. Returns True if it is in the OS keyring, False if kept for this session."""
        import keyring.errors

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
        import keyring.errors

        if self.is_secure():
            try:
                self.backend.delete_password(SERVICE, account)
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError:
                log.warning("keyring delete failed")
