"""The CloudDialer simulator: a real local HTTP server, embedded in the app or standalone."""

from dialdeck.sandbox.config import DEMO_AGENT, DEMO_API_KEY, DEMO_CALLER_IDS, SandboxConfig
from dialdeck.sandbox.server import SandboxServer

__all__ = ["DEMO_AGENT", "DEMO_API_KEY", "DEMO_CALLER_IDS", "SandboxConfig", "SandboxServer"]
