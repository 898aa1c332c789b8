"""What the command line (and tests) decide about one run of the app, as opposed to the agent's
settings: where things live, sandbox flags, and test hooks (keystore, poll and retry policies)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dialdeck.core.api import RetryPolicy
from dialdeck.core.calls import PollPolicy
from dialdeck.core.secrets import KeyStore
from dialdeck.session import SessionOptions

if TYPE_CHECKING:
    from dialdeck.sandbox import SandboxConfig


@dataclass
class AppOptions:
    home: Path | None = None
    force_sandbox: bool = False
    sandbox_port: int = 0
    sandbox_config: SandboxConfig | None = None
    keystore: KeyStore | None = None
    poll_policy: PollPolicy | None = None
    retry: RetryPolicy | None = None
    start_minimized: bool = False  # --minimized: into the tray when there is one
    log_problem: str | None = None  # why the log file cannot be written, from setup_logging

    def session_options(self) -> SessionOptions:
        return SessionOptions(
            self.force_sandbox, self.sandbox_port, self.sandbox_config, self.poll_policy, self.retry
        )
