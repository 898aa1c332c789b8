"""Start at login: Windows Run key, macOS LaunchAgent, Linux XDG autostart entry."""

from __future__ import annotations

import os
import plistlib
import sys
from dataclasses import dataclass
from pathlib import Path

from dialdeck.platform.launch import posix_command_line, windows_command_line

APP_ID = "in.dialdeck.Dialdeck"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


@dataclass(frozen=True)
class AutostartEntry:
    """Where the entry goes and exactly what it contains."""

    platform: str
    location: str  # a file path, or the registry key for Windows
    name: str  # the file name or registry value name
    content: str | bytes


def entry_for(platform: str, command: list[str], *, home_dir: Path | None = None) -> AutostartEntry:
    home_dir = home_dir or Path.home()
    if platform == "win32":
        return AutostartEntry(
            "win32", rf"HKEY_CURRENT_USER\{RUN_KEY}", "Dialdeck", windows_command_line(command)
        )
    if platform == "darwin":
        plist = {
            "Label": APP_ID,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
        }
        return AutostartEntry(
            "darwin",
            str(home_dir / "Library" / "LaunchAgents"),
            f"{APP_ID}.plist",
            plistlib.dumps(plist),
        )
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home_dir / ".config")
    desktop = "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Name=Dialdeck",
            "Comment=Click-to-call for CloudDialer agents",
            f"Exec={posix_command_line(command)}",
            "Icon=dialdeck",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
            "",
        ]
    )
    return AutostartEntry("linux", str(config / "autostart"), "dialdeck.desktop", desktop)


def enable(entry: AutostartEntry) -> None:
    if entry.platform == "win32":
        _write_registry(entry)
        return
    directory = Path(entry.location)
    directory.mkdir(parents=True, exist_ok=True)
    data = entry.content if isinstance(entry.content, bytes) else entry.content.encode()
    tmp = directory / f".{entry.name}.tmp"
    tmp.write_bytes(data)
    tmp.replace(directory / entry.name)


def disable(entry: AutostartEntry) -> None:
    if entry.platform == "win32":
        _delete_registry(entry)
        return
    (Path(entry.location) / entry.name).unlink(missing_ok=True)


def is_enabled(entry: AutostartEntry) -> bool:
    if entry.platform == "win32":
        return _read_registry(entry) is not None
    return (Path(entry.location) / entry.name).exists()


def _write_registry(entry: AutostartEntry) -> None:  # pragma: no cover - Windows only
    if sys.platform == "win32":
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.SetValueEx(key, entry.name, 0, winreg.REG_SZ, str(entry.content))


def _delete_registry(entry: AutostartEntry) -> None:  # pragma: no cover - Windows only
    if sys.platform == "win32":
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, entry.name)
        except FileNotFoundError:
            pass


def _read_registry(entry: AutostartEntry) -> str | None:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            return str(winreg.QueryValueEx(key, entry.name)[0])
    except FileNotFoundError:
        return None
