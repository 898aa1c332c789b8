"""How the OS should start Dialdeck (autostart entries, link handlers)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def launch_command(home: Path | None = None, extra: tuple[str, ...] = ()) -> list[str]:
    """The command that starts this Dialdeck: the frozen executable, or this Python + module."""
    if getattr(sys, "frozen", False):
        base = [sys.executable]
    else:
        python = Path(sys.executable)
        windowed = python.with_name("pythonw.exe")  # no console window on Windows
        base = [str(windowed if windowed.exists() else python), "-m", "dialdeck"]
    if home is not None:
        base += ["--home", str(home)]
    return [*base, *extra]


def windows_command_line(args: list[str]) -> str:
    return " ".join(f'"{a}"' if (" " in a or not a) and not a.startswith('"') else a for a in args)


def posix_command_line(args: list[str]) -> str:
    return " ".join(a if a == "%u" else shlex.quote(a) for a in args)
