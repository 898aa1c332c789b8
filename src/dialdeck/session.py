"""One working mode, built and torn down as a unit: sandbox or a real CloudDialer account.

A :class:`Session` owns what talking to CloudDialer needs: the HTTP client, the call tracker, the
dialer and the recording downloader, plus, in sandbox mode, the embedded simulator and its
controls. Switching modes (Settings) closes one session and opens another. No Qt here: the UI
layer decides what to show when a session cannot be opened (:class:`SessionError`).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dialdeck.core.api import ApiError, CloudDialerClient, RetryPolicy
from dialdeck.core.api.errors import KeyFormatError
from dialdeck.core.api.urls import check_base_url, loopback_only_tls
from dialdeck.core.calls import CallTracker, PollPolicy, TrackedCall
from dialdeck.core.dialing import AgentIdentity, Dialer
from dialdeck.core.downloads import RecordingDownloader
from dialdeck.core.logs import add_secret
from dialdeck.core.secrets import KeyStore
from dialdeck.core.settings import Settings
from dialdeck.core.store import AsyncHistory

if TYPE_CHECKING:
    from dialdeck.core.api import CallInfo
    from dialdeck.sandbox import SandboxConfig, SandboxServer
    from dialdeck.sandbox.control import SandboxControls

log = logging.getLogger("dialdeck.session")


class SessionError(Exception):
    """The mode cannot be used now; ``str()`` says why, for the agent."""


class SandboxUnavailable(SessionError):
    def __init__(self, port: int, reason: str) -> None:
        super().__init__(reason)
        self.port = port
        self.reason = reason


class BadAccountAddress(SessionError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason


class BadAccountKey(SessionError):
    """The saved API key cannot be sent: Settings asks for it again."""


@dataclass(frozen=True)
class SessionOptions:
    """What the command line and tests decide about sessions (not the agent's settings)."""

    force_sandbox: bool = False
    sandbox_port: int = 0
    sandbox_config: SandboxConfig | None = None
    poll_policy: PollPolicy | None = None
    retry: RetryPolicy | None = None


@dataclass(frozen=True)
class TrackerHooks:
    """How the session's call tracker reports back (the call controller's methods)."""

    on_update: Callable[[TrackedCall], None]
    save: Callable[[CallInfo], Awaitable[None]]
    on_lost: Callable[[TrackedCall], Awaitable[None]]


@dataclass
class Session:
    client: CloudDialerClient
    tracker: CallTracker
    dialer: Dialer
    downloader: RecordingDownloader
    caller_ids: list[str]
    agent: AgentIdentity
    sandbox: bool
    has_key: bool = True  # False: an account without its key yet (nothing can be polled)
    base_url: str = ""
    controls: SandboxControls | None = None
    server: SandboxServer | None = None

    async def close(self) -> None:
        """Stop downloads and pollers, close connections, stop the embedded sandbox."""
        await self.downloader.stop()
        await self.tracker.stop()
        await self.client.aclose()
        if self.controls is not None:
            await self.controls.aclose()
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)


def preload_http_stack() -> None:
    """httpcore imports anyio's asyncio backend at the first request, on the calling thread: the
    GUI thread, for ~25 ms (measured by bench/live.py). Importing it here, on a worker thread
    before any request, keeps that stall off the GUI."""
    import contextlib
    import importlib

    for name in ("anyio._backends._asyncio", "anyio.streams.tls", "httpcore._async"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def wants_sandbox(settings: Settings, options: SessionOptions) -> bool:
    return options.force_sandbox or settings.account is None


async def open_session(
    settings: Settings,
    options: SessionOptions,
    *,
    keystore: KeyStore,
    history: AsyncHistory,
    recordings_dir: Path,
    hooks: TrackerHooks,
) -> Session:
    """Build the session for the current settings; :class:`SessionError` if that is impossible."""
    await asyncio.to_thread(preload_http_stack)
    policy = options.poll_policy or PollPolicy()
    policy = replace(policy, factor=policy.factor * settings.poll_speed.factor)
    if wants_sandbox(settings, options):
        session = await _sandbox_parts(options)
    else:
        session = await _account_parts(settings, options, keystore)
    client = session.client
    tracker = CallTracker(
        client,
        on_update=hooks.on_update,
        save=hooks.save,
        on_lost=hooks.on_lost,
        policy=policy,
        simulated=session.sandbox,
    )
    return Session(
        client=client,
        tracker=tracker,
        dialer=Dialer(client, history, sandbox=session.sandbox),
        downloader=RecordingDownloader(client, history, recordings_dir),
        caller_ids=session.caller_ids,
        agent=session.agent,
        sandbox=session.sandbox,
        has_key=session.has_key,
        base_url=session.base_url,
        controls=session.controls,
        server=session.server,
    )


@dataclass
class _Parts:
    client: CloudDialerClient
    caller_ids: list[str]
    agent: AgentIdentity
    sandbox: bool
    has_key: bool
    base_url: str
    controls: SandboxControls | None = None
    server: SandboxServer | None = None


async def _sandbox_parts(options: SessionOptions) -> _Parts:
    # uvicorn and Starlette take ~70 ms to import: on a worker thread, not the caller's (the GUI).
    await asyncio.to_thread(importlib.import_module, "dialdeck.sandbox.server")
    from dialdeck.sandbox import (
        DEMO_AGENT,
        DEMO_API_KEY,
        DEMO_CALLER_IDS,
        SandboxConfig,
        SandboxServer,
    )
    from dialdeck.sandbox.control import SandboxControls

    server = SandboxServer(options.sandbox_config or SandboxConfig(), port=options.sandbox_port)
    try:
        url = await asyncio.to_thread(server.start)
    except (OSError, RuntimeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SandboxUnavailable(options.sandbox_port, reason) from None
    return _Parts(
        # The embedded sandbox serves the API and its recordings on loopback: no CA store needed.
        client=CloudDialerClient(url, DEMO_API_KEY, retry=options.retry, tls=loopback_only_tls()),
        caller_ids=list(DEMO_CALLER_IDS),
        agent=AgentIdentity(crm_username=DEMO_AGENT),
        sandbox=True,
        has_key=True,
        base_url=url,
        controls=SandboxControls(url),
        server=server,
    )


async def _account_parts(settings: Settings, options: SessionOptions, keystore: KeyStore) -> _Parts:
    account = settings.account
    assert account is not None
    try:
        base_url = check_base_url(account.base_url)
    except ApiError as exc:
        raise BadAccountAddress(account.base_url, str(exc)) from None
    key = await asyncio.to_thread(keystore.get, account.base_url)
    add_secret(key)
    try:
        client = CloudDialerClient(base_url, key, retry=options.retry)
    except KeyFormatError as exc:  # saved before keys were checked, or edited in the keyring
        raise BadAccountKey(str(exc)) from None
    return _Parts(
        client=client,
        caller_ids=list(account.caller_ids),
        agent=AgentIdentity(
            crm_username=account.crm_username or None,
            agent_number=None if account.crm_username else account.agent_number or None,
        ),
        sandbox=False,
        has_key=bool(key),
        base_url=base_url,
    )
