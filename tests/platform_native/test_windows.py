"""Windows: tel:/callto: registration and start at login in the real registry, and the installer
(install, check the Start menu, links and uninstall entry, uninstall)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dialdeck import __version__
from dialdeck.platform import autostart, links
from tests.platform_native.conftest import ROOT, on_ci_only

pytestmark = [pytest.mark.skipif(sys.platform != "win32", reason="Windows only"), on_ci_only]

EXE = r"C:\Program Files\Dialdeck Test\Dialdeck.exe"


def read_value(key: str, name: str = "") -> str | None:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
            return str(winreg.QueryValueEx(handle, name)[0])
    except FileNotFoundError:
        return None


def test_link_registration_round_trip() -> None:
    links.register([EXE], "win32")
    try:
        for entry in links.windows_entries([EXE]):
            assert read_value(entry.key, entry.name) == entry.value
        for scheme in links.SCHEMES:
            command = read_value(rf"Software\Classes\{scheme}\shell\open\command")
            assert command == f'"{EXE}" "%1"'
            assert read_value(rf"Software\Classes\{scheme}", "URL Protocol") == ""
    finally:
        links.unregister("win32")
    for scheme in links.SCHEMES:
        assert read_value(rf"Software\Classes\{scheme}") is None


def test_start_at_login_round_trip() -> None:
    entry = autostart.entry_for("win32", [EXE, "--minimized"])
    autostart.enable(entry)
    try:
        assert autostart.is_enabled(entry)
        assert read_value(autostart.RUN_KEY, "Dialdeck") == f'"{EXE}" --minimized'
    finally:
        autostart.disable(entry)
    assert not autostart.is_enabled(entry)


def installer() -> Path:
    found = sorted((ROOT / "dist").glob("Dialdeck-*-windows-x64-setup.exe"))
    if not found:
        pytest.skip("no installer in dist/ (./run package builds it)")
    return found[-1]


def test_installer_installs_registers_and_uninstalls(tmp_path: Path) -> None:
    setup = installer()
    target = tmp_path / "Dialdeck"
    uninstall_key = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\{6B1F1C62-3E0B-4B53-9B51-5D1A4C7E2D10}_is1"
    subprocess.run(
        [str(setup), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/CURRENTUSER",
         f"/DIR={target}", "/TASKS=startatlogin", f"/LOG={tmp_path / 'setup.log'}"],
        check=True, timeout=300,
    )  # fmt: skip
    exe = target / "Dialdeck.exe"
    assert exe.exists()
    assert read_value(uninstall_key, "DisplayVersion") == __version__
    assert read_value(uninstall_key, "DisplayName") == f"Dialdeck {__version__}"
    assert (read_value(uninstall_key, "DisplayIcon") or "").lower() == str(exe).lower()
    uninstaller = read_value(uninstall_key, "UninstallString")
    assert uninstaller is not None
    assert "unins000.exe" in uninstaller
    command = read_value(r"Software\Classes\tel\shell\open\command")
    assert (command or "").lower() == f'"{exe}" "%1"'.lower()
    assert (read_value(autostart.RUN_KEY, "Dialdeck") or "").lower().startswith(f'"{exe}"'.lower())
    start_menu = Path.home() / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Dialdeck.lnk"
    assert start_menu.exists()

    subprocess.run(
        [str(target / "unins000.exe"), "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"],
        check=True, timeout=300,
    )  # fmt: skip
    deadline = time.monotonic() + 120  # the uninstaller finishes from a copy of itself
    while read_value(uninstall_key, "DisplayVersion") is not None and time.monotonic() < deadline:
        time.sleep(1)
    assert read_value(uninstall_key, "DisplayVersion") is None
    assert read_value(r"Software\Classes\tel") is None
    assert read_value(autostart.RUN_KEY, "Dialdeck") is None
    assert not start_menu.exists()
