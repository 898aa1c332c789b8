"""Help → About: version, Qt and Python, and a licence for everything the bundles ship."""

from __future__ import annotations

import re

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from pytestqt.qtbot import QtBot

import dialdeck
from dialdeck.ui.about import BUNDLED_LICENCES, AboutDialog
from dialdeck.ui.main_window import MainWindow
from tests.packaging.conftest import ROOT

# Build tools in requirements/package.txt, never bundled (PyInstaller and what it needs).
BUILD_ONLY = {
    "pyinstaller",
    "pyinstaller-hooks-contrib",
    "altgraph",
    "macholib",
    "pefile",
    "setuptools",
    "packaging",
}


def test_help_menu_opens_about(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    menus = [action.text() for action in window.menuBar().actions()]
    assert "&Help" in menus
    window.about_action.trigger()
    dialog = window.about_dialog
    assert isinstance(dialog, AboutDialog)
    qtbot.waitUntil(dialog.isVisible)
    text = dialog.text.toPlainText()
    assert f"Dialdeck {dialdeck.__version__}" in text
    assert f"Qt {qVersion()}" in text
    assert f"PySide6 {pyside_version}" in text
    assert "LGPL-3.0-only" in text
    assert "replace them with your own build" in text
    dialog.reject()


def test_every_bundled_package_has_its_licence() -> None:
    """A new runtime dependency must be named in the About box with its licence."""
    lock = (ROOT / "requirements" / "package.txt").read_text()
    bundled = set(re.findall(r"^([a-z0-9-]+)==", lock, re.M)) - BUILD_ONLY
    named = " ".join(name for name, _licence in BUNDLED_LICENCES).lower().replace(".", "-")
    missing = sorted(p for p in bundled if not re.search(rf"(?<![\w-]){p}(?![\w-])", named))
    assert not missing, f"add these to dialdeck/ui/about.py BUNDLED_LICENCES: {missing}"
