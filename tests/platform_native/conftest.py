"""Tests of the per-OS integration on the OS itself (the CI workflow's Windows and macOS runners).

They change the real user's registry or LaunchAgents, so outside CI (CI=true) they are skipped:
a developer's own tel: handler and login items stay as they are.
"""

from __future__ import annotations

import os

import pytest

from tests.packaging.conftest import ROOT

__all__ = ["ROOT", "on_ci_only"]

on_ci_only = pytest.mark.skipif(
    not os.environ.get("CI"), reason="changes this user's OS settings: CI runners only"
)
