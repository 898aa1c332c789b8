"""Shared fixtures. Tests run headless: Qt on the offscreen platform, no sound card needed."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

from dialdeck.sandbox import DEMO_AGENT, DEMO_API_KEY, DEMO_CALLER_IDS, SandboxConfig, SandboxServer
from dialdeck.sandbox.config import Account

SPEED = 50.0  # sandbox seconds per real second: a 2 s ring takes 40 ms
RESTRICTED_KEY = "restricted-key"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sandbox_config(**changes: object) -> SandboxConfig:
    base = SandboxConfig()
    restricted = Account(
        "restricted",
        RESTRICTED_KEY,
        DEMO_CALLER_IDS,
        (DEMO_AGENT,),
        allowed_networks=(ipaddress.ip_network("10.0.0.0/8"),),
    )
    config = replace(base, accounts=(*base.accounts, restricted), speed=SPEED)
    return replace(config, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer(sandbox_config())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The shared sandbox, reset (no calls, no faults, empty logs) for this test."""
    httpx.post(f"{sandbox_server.url}/_sandbox/reset", timeout=5).raise_for_status()
    return sandbox_server


@pytest.fixture
def demo_key() -> str:
    return DEMO_API_KEY


# -- keyring: never the real one in tests ------------------------------------------------------

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import keyring.errors  # noqa: E402


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory secure backend (priority 1 makes ``keyring.core.recommended`` accept it)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.passwords:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.passwords[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# -- resources: a leak fails the test that leaked it --------------------------------------------

import gc  # noqa: E402


@pytest.fixture(autouse=True)
def collect_garbage_after_each_test() -> Iterator[None]:
    """Unclosed files, sockets and SQLite connections raise ResourceWarning when collected (on
    3.13 for SQLite too); collecting here pins the warning on the test that leaked, not on
    whichever later test happens to trigger the garbage collector."""
    yield
    gc.collect()
