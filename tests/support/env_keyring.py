"""A keyring backend for the real app run as a subprocess in tests.

Selected with ``PYTHON_KEYRING_BACKEND=tests.support.env_keyring.EnvKeyring``; it answers every
lookup with ``DIALDECK_TEST_KEY`` and keeps what is stored in memory only. It exists so the
crash test can run the unmodified app against an account without touching a real keyring.
"""

from __future__ import annotations

import os

import keyring.backend


class EnvKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._stored: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._stored.get((service, username)) or os.environ.get("DIALDECK_TEST_KEY")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._stored.pop((service, username), None)
