"""macOS: the LaunchAgent written, linted and loaded by launchd; the built app's URL types."""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path

import pytest

from dialdeck import __version__
from dialdeck.platform import autostart
from tests.platform_native.conftest import ROOT, on_ci_only

pytestmark = pytest.mark.skipif(sys.platform != "darwin", reason="macOS only")
LSREGISTER = (
    "/System/Library/Frameworks/CoreServices.framework/Frameworks/LaunchServices.framework"
    "/Support/lsregister"
)


def test_launch_agent_is_valid(tmp_path: Path) -> None:
    entry = autostart.entry_for("darwin", ["/usr/bin/true", "--minimized"], home_dir=tmp_path)
    autostart.enable(entry)
    path = Path(entry.location) / entry.name
    assert path == tmp_path / "Library" / "LaunchAgents" / f"{autostart.APP_ID}.plist"
    subprocess.run(["plutil", "-lint", str(path)], check=True)
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == autostart.APP_ID
    assert agent["ProgramArguments"] == ["/usr/bin/true", "--minimized"]
    assert agent["RunAtLoad"] is True
    autostart.disable(entry)
    assert not autostart.is_enabled(entry)


@on_ci_only
def test_launch_agent_loads_into_launchd(tmp_path: Path) -> None:
    entry = autostart.entry_for("darwin", ["/usr/bin/true"], home_dir=tmp_path)
    autostart.enable(entry)
    path = Path(entry.location) / entry.name
    domain = f"gui/{os.getuid()}"
    loaded = subprocess.run(["launchctl", "bootstrap", domain, str(path)], capture_output=True)
    if loaded.returncode != 0:  # a runner without a GUI session: the per-user domain
        domain = f"user/{os.getuid()}"
        subprocess.run(["launchctl", "bootstrap", domain, str(path)], check=True)
    try:
        shown = subprocess.run(
            ["launchctl", "print", f"{domain}/{autostart.APP_ID}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert "/usr/bin/true" in shown.stdout
    finally:
        subprocess.run(["launchctl", "bootout", f"{domain}/{autostart.APP_ID}"], check=False)


def test_built_app_declares_tel_links() -> None:
    app = ROOT / "dist" / "Dialdeck.app"
    if not app.exists():
        pytest.skip("no dist/Dialdeck.app (./run package builds it)")
    plist = app / "Contents" / "Info.plist"
    subprocess.run(["plutil", "-lint", str(plist)], check=True)
    info = plistlib.loads(plist.read_bytes())
    schemes = [s for t in info["CFBundleURLTypes"] for s in t["CFBundleURLSchemes"]]
    assert schemes == ["tel", "callto"]
    assert info["CFBundleShortVersionString"] == __version__
    assert (app / "Contents" / "Resources" / info["CFBundleIconFile"]).exists()
    subprocess.run(["codesign", "--verify", "--deep", str(app)], check=True)
    # Launch Services learns the URL types from the bundle.
    subprocess.run([LSREGISTER, "-f", str(app)], check=True)
    dump = subprocess.run([LSREGISTER, "-dump"], capture_output=True, text=True, check=True)
    assert autostart.APP_ID in dump.stdout
