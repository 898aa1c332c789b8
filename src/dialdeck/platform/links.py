"""Registering Dialdeck as the handler of tel: and callto: links.

* Windows: per-user ``HKCU\\Software\\Classes\\tel`` (and ``callto``) with a shell open command.
* macOS: ``CFBundleURLTypes`` in the app bundle's Info.plist; the OS registers the bundle when it
  is installed (nothing to write at run time).
* Linux: a desktop file declaring ``x-scheme-handler/tel`` and ``x-scheme-handler/callto``, made
  the default with ``xdg-mime`` when available.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dialdeck.platform.launch import posix_command_line, windows_command_line

SCHEMES = ("tel", "callto")
DESKTOP_FILE = "dialdeck.desktop"


@dataclass(frozen=True)
class RegistryValue:
    key: str  # under HKEY_CURRENT_USER
    name: str  # "" is the key's default value
    value: str


def windows_entries(command: list[str]) -> list[RegistryValue]:
    open_command = (
        windows_command_line([*command, "%1"]).replace('%1"', '%1"').replace(" %1", ' "%1"')
    )
    entries = []
    for scheme in SCHEMES:
        base = rf"Software\Classes\{scheme}"
        entries += [
            RegistryValue(base, "", f"URL:{scheme.capitalize()} Protocol"),
            RegistryValue(base, "URL Protocol", ""),
            RegistryValue(rf"{base}\DefaultIcon", "", f"{command[0]},0"),
            RegistryValue(rf"{base}\shell\open\command", "", open_command),
        ]
    return entries


def macos_url_types() -> list[dict[str, Any]]:
    """The Info.plist fragment the macOS bundle declares (see packaging/)."""
    return [
        {
            "CFBundleURLName": "Telephone link",
            "CFBundleURLSchemes": list(SCHEMES),
            "LSHandlerRank": "Alternate",
        }
    ]


def linux_desktop_file(command: list[str]) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Name=Dialdeck",
            "GenericName=Click-to-call",
            "Comment=Place calls through CloudDialer",
            f"Exec={posix_command_line([*command, '%u'])}",
            "Icon=dialdeck",
            "Terminal=false",
            "Categories=Office;Telephony;",
            "MimeType=" + "".join(f"x-scheme-handler/{s};" for s in SCHEMES),
            "StartupWMClass=dialdeck",
            "",
        ]
    )


def linux_applications_dir() -> Path:
    return (
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "applications"
    )


def register(command: list[str], platform: str = sys.platform) -> str:
    """(Re)register as the link handler where the OS allows it; returns what was done, in words."""
    if platform == "win32":  # pragma: no cover - Windows only
        if sys.platform == "win32":
            import winreg

            for entry in windows_entries(command):
                with winreg.CreateKey(winreg.HKEY_CURRENT_USER, entry.key) as key:
                    winreg.SetValueEx(key, entry.name or None, 0, winreg.REG_SZ, entry.value)
        return "Dialdeck now opens tel: and callto: links (you may need to confirm it in Windows Settings)."
    if platform == "darwin":
        return "On macOS the Dialdeck app bundle registers itself for tel: links when installed."
    directory = linux_applications_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DESKTOP_FILE).write_text(linux_desktop_file(command))
    xdg_mime = shutil.which("xdg-mime")
    if xdg_mime is None:
        return f"Wrote {directory / DESKTOP_FILE}; install xdg-utils to make it the default for tel: links."
    for scheme in SCHEMES:
        subprocess.run(
            [xdg_mime, "default", DESKTOP_FILE, f"x-scheme-handler/{scheme}"],
            check=False,
            timeout=10,
        )
    return "Dialdeck now opens tel: and callto: links."


def unregister(platform: str = sys.platform) -> None:
    if platform == "win32":  # pragma: no cover - Windows only
        if sys.platform != "win32":
            return
        import winreg

        for scheme in SCHEMES:
            for sub in (r"\shell\open\command", r"\shell\open", r"\shell", r"\DefaultIcon", ""):
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteKey(winreg.HKEY_CURRENT_USER, rf"Software\Classes\{scheme}{sub}")
        return
    if platform != "darwin":
        (linux_applications_dir() / DESKTOP_FILE).unlink(missing_ok=True)
