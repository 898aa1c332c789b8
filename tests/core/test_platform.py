"""Start at login and tel: link registration: what would be written on each OS, and removal."""

from __future__ import annotations

import configparser
import plistlib
from pathlib import Path

import pytest

from dialdeck.platform import autostart, links
from dialdeck.platform.launch import launch_command, posix_command_line, windows_command_line

COMMAND = ["/opt/dialdeck/dialdeck", "--home", "/home/a b/dd", "--minimized"]


def test_launch_command_runs_this_dialdeck(tmp_path: Path) -> None:
    command = launch_command(tmp_path, ("--minimized",))
    assert command[1:3] == ["-m", "dialdeck"]
    assert command[-3:] == ["--home", str(tmp_path), "--minimized"]
    assert posix_command_line(["/a b/py", "%u"]) == "'/a b/py' %u"
    assert (
        windows_command_line([r"C:\Program Files\D\d.exe", "-x"])
        == r'"C:\Program Files\D\d.exe" -x'
    )


def test_windows_run_key() -> None:
    entry = autostart.entry_for("win32", [r"C:\Program Files\Dialdeck\Dialdeck.exe", "--minimized"])
    assert entry.location == r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run"
    assert entry.name == "Dialdeck"
    assert entry.content == r'"C:\Program Files\Dialdeck\Dialdeck.exe" --minimized'


def test_macos_launch_agent(tmp_path: Path) -> None:
    entry = autostart.entry_for("darwin", COMMAND, home_dir=tmp_path)
    assert entry.location == str(tmp_path / "Library" / "LaunchAgents")
    assert entry.name == "in.dialdeck.Dialdeck.plist"
    assert isinstance(entry.content, bytes)
    plist = plistlib.loads(entry.content)
    assert plist == {"Label": "in.dialdeck.Dialdeck", "ProgramArguments": COMMAND, "RunAtLoad": True,
                     "ProcessType": "Interactive"}  # fmt: skip


def read_desktop(text: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser["Desktop Entry"]


def test_linux_autostart_written_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = autostart.entry_for("linux", COMMAND)
    assert entry.location == str(tmp_path / "config" / "autostart")
    desktop = read_desktop(str(entry.content))
    assert desktop["Exec"] == "/opt/dialdeck/dialdeck --home '/home/a b/dd' --minimized"
    assert desktop["Type"] == "Application"
    assert not autostart.is_enabled(entry)
    autostart.enable(entry)
    written = tmp_path / "config" / "autostart" / "dialdeck.desktop"
    assert written.read_text() == entry.content
    assert autostart.is_enabled(entry)
    autostart.disable(entry)
    assert not written.exists()
    autostart.disable(entry)  # idempotent


def test_windows_link_registry_entries() -> None:
    entries = links.windows_entries([r"C:\Program Files\Dialdeck\Dialdeck.exe"])
    by_key = {(e.key, e.name): e.value for e in entries}
    for scheme in ("tel", "callto"):
        base = rf"Software\Classes\{scheme}"
        assert by_key[(base, "URL Protocol")] == ""
        assert by_key[(base, "")].startswith("URL:")
        assert (
            by_key[(rf"{base}\shell\open\command", "")]
            == r'"C:\Program Files\Dialdeck\Dialdeck.exe" "%1"'
        )


def test_macos_url_types() -> None:
    (entry,) = links.macos_url_types()
    assert entry["CFBundleURLSchemes"] == ["tel", "callto"]
    assert "LSHandlerRank" in entry
    assert "bundle registers itself" in links.register(["x"], platform="darwin")


def test_linux_link_registration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv(
        "XDG_CONFIG_HOME", str(tmp_path / "config")
    )  # xdg-mime writes mimeapps.list here
    desktop = read_desktop(links.linux_desktop_file(["/opt/dialdeck/dialdeck"]))
    assert desktop["MimeType"] == "x-scheme-handler/tel;x-scheme-handler/callto;"
    assert desktop["Exec"] == "/opt/dialdeck/dialdeck %u"
    message = links.register(["/opt/dialdeck/dialdeck"], platform="linux")
    written = tmp_path / "data" / "applications" / "dialdeck.desktop"
    assert written.exists()
    assert "tel:" in message
    links.unregister(platform="linux")
    assert not written.exists()
