"""Everything the bundles say about Dialdeck, generated from the app's own source.

One place for the version (``src/dialdeck/__init__.py``), the bundle identifier and the
``tel:``/``callto:`` schemes (``dialdeck.platform``): the macOS ``Info.plist``, the Windows
installer script and version resource, and the Linux desktop file are all written from here, so
what an installer registers is exactly what the app's own Settings would.

    python packaging/metadata.py OUT_DIR   # writes Info.plist, dialdeck.iss, version_info.txt,
                                           # dialdeck.desktop into OUT_DIR

Used by ``dialdeck.spec`` and ``finish.py`` at build time and by ``tests/packaging``. Runs on any
OS with only the standard library (no Qt, no PyInstaller).
"""

from __future__ import annotations

import ast
import plistlib
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dialdeck.platform import autostart, links  # noqa: E402  (plain stdlib modules)

NAME = "Dialdeck"
BUNDLE_ID = autostart.APP_ID  # in.dialdeck.Dialdeck: also the LaunchAgent's label
PUBLISHER = "Dialdeck"
DESCRIPTION = "Click-to-call for CloudDialer agents"
COPYRIGHT = "Copyright (c) Dialdeck"
# Inno Setup's AppId: never change it, or upgrades install beside the old version.
INNO_APP_ID = "{{6B1F1C62-3E0B-4B53-9B51-5D1A4C7E2D10}"
ICONS = ROOT / "packaging" / "icons"
MACOS_MINIMUM = "14.0"  # PySide6 6.12 wheels are built for macOS 14 and later


def version() -> str:
    """``__version__`` from ``src/dialdeck/__init__.py``, read without importing the package."""
    tree = ast.parse((ROOT / "src" / "dialdeck" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise LookupError("no __version__ in src/dialdeck/__init__.py")


def numeric_version(text: str | None = None) -> tuple[int, int, int, int]:
    """``0.1.0`` -> (0, 1, 0, 0): the four numbers Windows version resources want."""
    parts = []
    for piece in (text or version()).split(".")[:4]:
        digits = "".join(c for c in piece if c.isdigit()) or "0"
        parts.append(int(digits))
    return (*parts, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


# -- macOS ---------------------------------------------------------------------------------------


def info_plist() -> dict[str, Any]:
    """The keys ``BUNDLE(info_plist=...)`` adds to the .app's Info.plist."""
    return {
        "CFBundleName": NAME,
        "CFBundleDisplayName": NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version(),
        "CFBundleVersion": version(),
        "CFBundleIconFile": "dialdeck.icns",
        "CFBundlePackageType": "APPL",
        "CFBundleExecutable": NAME,
        "CFBundleURLTypes": links.macos_url_types(),
        "LSApplicationCategoryType": "public.app-category.business",
        "LSMinimumSystemVersion": MACOS_MINIMUM,
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow the system's dark mode
        "NSHumanReadableCopyright": COPYRIGHT,
    }


# -- Windows -------------------------------------------------------------------------------------

EXE = r"{app}\Dialdeck.exe"


def _inno_string(text: str) -> str:
    """A quoted Inno Setup parameter: inner double quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _registry_lines() -> list[str]:
    """[Registry] lines: the app's own per-user tel:/callto: registration, removed on uninstall."""
    lines = []
    # The app writes these itself when asked (links.register); the installer writes the same.
    for entry in links.windows_entries([f'"{EXE}"']):
        line = (
            f"Root: HKCU; Subkey: {_inno_string(entry.key)}; ValueType: string; "
            f"ValueName: {_inno_string(entry.name)}; ValueData: {_inno_string(entry.value)}"
        )
        if entry.key.count("\\") == 2:  # Software\Classes\tel: the whole key goes on uninstall
            line += "; Flags: uninsdeletekey"
        lines.append(line)
    run = autostart.entry_for("win32", [f'"{EXE}"', "--minimized"])
    lines.append(
        f"Root: HKCU; Subkey: {_inno_string(autostart.RUN_KEY)}; ValueType: string; "
        f"ValueName: {_inno_string(run.name)}; ValueData: {_inno_string(str(run.content))}; "
        "Flags: uninsdeletevalue; Tasks: startatlogin"
    )
    return lines


def inno_script() -> str:
    """The Inno Setup script, from ``windows/dialdeck.iss.in`` with the values filled in."""
    template = (ROOT / "packaging" / "windows" / "dialdeck.iss.in").read_text(encoding="utf-8")
    values = {
        "@APP_ID@": INNO_APP_ID,
        "@NAME@": NAME,
        "@VERSION@": version(),
        "@PUBLISHER@": PUBLISHER,
        "@DESCRIPTION@": DESCRIPTION,
        "@REGISTRY@": "\n".join(_registry_lines()),
    }
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def windows_version_info() -> str:
    """PyInstaller's ``EXE(version=...)`` file: the version shown in the .exe's Properties."""
    numbers = numeric_version()
    strings = {
        "CompanyName": PUBLISHER,
        "FileDescription": NAME,
        "FileVersion": version(),
        "InternalName": "dialdeck",
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": "Dialdeck.exe",
        "ProductName": NAME,
        "ProductVersion": version(),
    }
    string_structs = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
          {string_structs}])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])]),
  ]
)
"""


# -- Linux ---------------------------------------------------------------------------------------


def desktop_file(command: str = "dialdeck") -> str:
    """The bundle's desktop entry (``install.sh`` rewrites Exec with the installed path)."""
    text = links.linux_desktop_file([command])
    return text.replace("[Desktop Entry]\n", f"[Desktop Entry]\nX-AppVersion={version()}\n", 1)


def write_all(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "Info.plist": plistlib.dumps(info_plist()),
        "dialdeck.iss": inno_script().encode("utf-8"),
        "version_info.txt": windows_version_info().encode("utf-8"),
        "dialdeck.desktop": desktop_file().encode("utf-8"),
    }
    written = {}
    for name, data in files.items():
        (out / name).write_bytes(data)
        written[name] = out / name
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "packaging"
    for path in write_all(target).values():
        print(path)
