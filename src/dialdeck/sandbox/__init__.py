"""The CloudDialer simulator: a real local HTTP server, embedded in the app or standalone.

The server (Starlette, uvicorn) is imported lazily (PEP 562): ``dialdeck-sandbox`` installs its
Ctrl+C handler before anything heavy is loaded, and the config is usable without a web stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dialdeck.sandbox.config import DEMO_AGENT, DEMO_API_KEY, DEMO_CALLER_IDS, SandboxConfig

if TYPE_CHECKING:
    from dialdeck.sandbox.server import SandboxServer

__all__ = ["DEMO_AGENT", "DEMO_API_KEY", "DEMO_CALLER_IDS", "SandboxConfig", "SandboxServer"]


def __getattr__(name: str) -> Any:
    if name != "SandboxServer":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = importlib.import_module(f"{__name__}.server").SandboxServer
    globals()[name] = value
    return value
