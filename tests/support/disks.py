"""A real, tiny disk for the full-disk tests: a tmpfs mounted as root (skipped where mounting is
not allowed). Writes past its size fail with ENOSPC, as on a full disk."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tiny_disk(path: Path, size: str) -> Iterator[Path]:
    """``path`` becomes a tmpfs of ``size`` (e.g. "64k") until the block ends."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], check=True)


def resize(path: Path, size: str) -> None:
    """Room again on the tiny disk at ``path`` (files on it are kept)."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)
