"""After PyInstaller: turn dist/ into what a user downloads, for the OS this runs on.

* Linux: the one-folder bundle gets its desktop file, icons and ``install.sh``; then
  ``dist/dialdeck-VERSION-linux-x86_64.tar.gz``.
* Windows: ``dist/Dialdeck-VERSION-windows-x64-setup.exe`` from the generated Inno Setup script
  (ISCC.exe from Inno Setup 6 must be installed; CI installs it).
* macOS: ``dist/Dialdeck-VERSION-macos.dmg`` (``macos/make_dmg.sh``), signed and notarised by
  ``macos/sign_and_notarize.sh`` when DIALDECK_NOTARY_PROFILE is set.

Prints each artifact with its size. Run by ``./run package``; standard library only.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DIST = ROOT / "dist"
sys.path.insert(0, str(HERE))

import metadata  # noqa: E402


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def report(path: Path) -> None:
    print(f"    {path.relative_to(ROOT)}: {size_of(path) / 1e6:.1f} MB")


def linux() -> list[Path]:
    bundle = DIST / "dialdeck"
    generated = metadata.write_all(ROOT / "build" / "packaging")
    shutil.copy(generated["dialdeck.desktop"], bundle / "dialdeck.desktop")
    icons = bundle / "icons"
    icons.mkdir(exist_ok=True)
    for png in sorted((HERE / "icons" / "png").glob("dialdeck-*.png")):
        shutil.copy(png, icons / png.name)
    shutil.copy(HERE / "linux" / "install.sh", bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)
    machine = platform.machine().lower() or "x86_64"
    archive = DIST / f"dialdeck-{metadata.version()}-linux-{machine}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=f"dialdeck-{metadata.version()}")
    return [bundle, archive]


def inno_compiler() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    for folder in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        candidate = Path(folder or "") / "Inno Setup 6" / "ISCC.exe"
        if not found and folder and candidate.exists():
            found = str(candidate)
    return found


def windows() -> list[Path]:
    script = metadata.write_all(ROOT / "build" / "packaging")["dialdeck.iss"]
    iscc = inno_compiler()
    if iscc is None:
        message = "Inno Setup 6 (ISCC.exe) not found: no installer built"
        if os.environ.get("CI"):
            raise SystemExit(message)
        print(f"    {message}")
        return [DIST / "Dialdeck"]
    subprocess.run([iscc, "/Q", str(script)], check=True)
    return [DIST / "Dialdeck", DIST / f"Dialdeck-{metadata.version()}-windows-x64-setup.exe"]


def macos() -> list[Path]:
    app = DIST / "Dialdeck.app"
    dmg = DIST / f"Dialdeck-{metadata.version()}-macos.dmg"
    subprocess.run(["bash", str(HERE / "macos" / "make_dmg.sh"), str(app), str(dmg)], check=True)
    if os.environ.get("DIALDECK_NOTARY_PROFILE"):
        subprocess.run(
            ["bash", str(HERE / "macos" / "sign_and_notarize.sh"), str(app), str(dmg)], check=True
        )
    return [app, dmg]


def main() -> None:
    if sys.platform == "win32":
        artifacts = windows()
    elif sys.platform == "darwin":
        artifacts = macos()
    else:
        artifacts = linux()
    print(f"==> Dialdeck {metadata.version()} packaged:")
    for path in artifacts:
        report(path)


if __name__ == "__main__":
    main()
