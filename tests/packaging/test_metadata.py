"""What the bundles declare: the generated macOS Info.plist, Windows installer script and version
resource, the Linux desktop file, and the entitlements, read back and checked."""

from __future__ import annotations

import plistlib
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import dialdeck
from dialdeck.platform import autostart, links
from tests.packaging.conftest import ROOT, load_metadata


@pytest.fixture(scope="module")
def metadata() -> ModuleType:
    return load_metadata()


@pytest.fixture(scope="module")
def generated(metadata: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    written: dict[str, Path] = metadata.write_all(tmp_path_factory.mktemp("packaging"))
    return written


def test_one_version_everywhere(metadata: ModuleType) -> None:
    assert metadata.version() == dialdeck.__version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/dialdeck/__init__.py"
    assert metadata.numeric_version("1.2.3") == (1, 2, 3, 0)
    assert metadata.numeric_version("2.0rc1") == (2, 1, 0, 0)


def test_macos_info_plist(generated: dict[str, Path]) -> None:
    info = plistlib.loads(generated["Info.plist"].read_bytes())
    (url_type,) = info["CFBundleURLTypes"]
    assert url_type["CFBundleURLSchemes"] == ["tel", "callto"]
    assert url_type["CFBundleURLName"]
    assert info["CFBundleShortVersionString"] == dialdeck.__version__
    assert info["CFBundleVersion"] == dialdeck.__version__
    assert info["CFBundleIdentifier"] == autostart.APP_ID
    assert info["CFBundleExecutable"] == "Dialdeck"
    icon = ROOT / "packaging" / "icons" / info["CFBundleIconFile"]
    assert icon.read_bytes()[:4] == b"icns"
    assert info["NSHighResolutionCapable"] is True


def test_macos_entitlements_are_the_hardened_runtime_minimum() -> None:
    entitlements = plistlib.loads((ROOT / "packaging/macos/entitlements.plist").read_bytes())
    assert entitlements == {
        "com.apple.security.cs.allow-unsigned-executable-memory": True,
        "com.apple.security.cs.disable-library-validation": True,
    }
    spec = (ROOT / "packaging" / "dialdeck.spec").read_text()
    assert spec.count("entitlements_file=") == 2  # the executable and the bundle
    assert "info_plist=metadata.info_plist()" in spec


def iss_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def iss_params(line: str) -> dict[str, str]:
    """Parameters of one Inno Setup line; quoted values have their doubled quotes undone."""
    params = {}
    for match in re.finditer(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)(?:;|$)', line):
        value = match.group(2).strip()
        if value.startswith('"'):
            value = value[1:-1].replace('""', '"')
        params[match.group(1)] = value
    return params


def test_windows_installer_script(generated: dict[str, Path], metadata: ModuleType) -> None:
    text = generated["dialdeck.iss"].read_text()
    assert "@" not in re.sub(r";.*", "", text)  # every placeholder filled
    sections = iss_sections(text)
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["AppVersion"] == dialdeck.__version__
    assert setup["AppId"] == metadata.INNO_APP_ID
    assert setup["PrivilegesRequired"] == "lowest"  # per user, no administrator
    assert setup["DefaultDirName"] == r"{autopf}\Dialdeck"
    # Icon: the installer's and the uninstall entry's.
    icon = generated["dialdeck.iss"].parent / setup["SetupIconFile"].replace("\\", "/")
    assert setup["SetupIconFile"].endswith(r"packaging\icons\dialdeck.ico")
    assert (ROOT / "packaging" / "icons" / "dialdeck.ico").read_bytes()[:4] == b"\0\0\1\0"
    assert icon.name == "dialdeck.ico"
    # The uninstall entry (Apps & features): name with version, icon, the uninstaller itself.
    assert setup["UninstallDisplayName"] == f"Dialdeck {dialdeck.__version__}"
    assert setup["UninstallDisplayIcon"] == r"{app}\Dialdeck.exe"
    assert setup.get("Uninstallable", "yes") == "yes"
    assert setup["OutputBaseFilename"] == f"Dialdeck-{dialdeck.__version__}-windows-x64-setup"

    # Start menu entry.
    icons = [iss_params(line) for line in sections["Icons"]]
    assert {"Name": r"{autoprograms}\Dialdeck", "Filename": r"{app}\Dialdeck.exe"}.items() <= icons[
        0
    ].items()

    # tel:/callto: per user, exactly what the app itself registers, removed on uninstall.
    registry = [iss_params(line) for line in sections["Registry"]]
    assert all(entry["Root"] == "HKCU" for entry in registry)
    written = {(e["Subkey"], e["ValueName"]): e["ValueData"] for e in registry}
    for entry in links.windows_entries(['"{app}\\Dialdeck.exe"']):
        assert written[(entry.key, entry.name)] == entry.value
    for scheme in ("tel", "callto"):
        command = written[(rf"Software\Classes\{scheme}\shell\open\command", "")]
        assert command == r'"{app}\Dialdeck.exe" "%1"'
        assert written[(rf"Software\Classes\{scheme}", "URL Protocol")] == ""
        top = [e for e in registry if e["Subkey"] == rf"Software\Classes\{scheme}"]
        assert all(e.get("Flags") == "uninsdeletekey" for e in top)
    # Optional start at login: an unchecked task, removed on uninstall.
    run = next(e for e in registry if e["Subkey"] == autostart.RUN_KEY)
    assert run["ValueData"] == r'"{app}\Dialdeck.exe" --minimized'
    assert run["Tasks"] == "startatlogin"
    assert run["Flags"] == "uninsdeletevalue"
    tasks = [iss_params(line) for line in sections["Tasks"]]
    assert any(t["Name"] == "startatlogin" and t["Flags"] == "unchecked" for t in tasks)


def test_windows_version_resource(generated: dict[str, Path]) -> None:
    text = generated["version_info.txt"].read_text()
    assert f"StringStruct('ProductVersion', '{dialdeck.__version__}')" in text
    assert "filevers=(0, 1, 0, 0)" in text or dialdeck.__version__ != "0.1.0"
    compile(text, "version_info.txt", "eval")  # PyInstaller evaluates it


def test_linux_desktop_file(generated: dict[str, Path]) -> None:
    lines = generated["dialdeck.desktop"].read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    entries = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert entries["MimeType"] == "x-scheme-handler/tel;x-scheme-handler/callto;"
    assert entries["Exec"] == "dialdeck %u"
    assert entries["Icon"] == "dialdeck"
    assert entries["X-AppVersion"] == dialdeck.__version__
    install = (ROOT / "packaging" / "linux" / "install.sh").read_text()
    assert "xdg-mime default dialdeck.desktop x-scheme-handler/tel" in install
