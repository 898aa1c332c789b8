"""The tray on a real X server: Xvfb, a real tray host (trayer) and real clicks (xdotool).

The outer test starts Xvfb and trayer, then runs the inner test in a nested pytest on the xcb
platform (the session's QApplication here is offscreen, which has no tray at all).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.support.xserver import require_tools, run_inner_tests, xvfb
from tests.ui.conftest import AppFactory
from tests.ui.test_tray_and_links import tray

INNER = os.environ.get("DIALDECK_REAL_X") == "1"
TOOLS = ("Xvfb", "trayer", "xdotool")


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


@pytest.mark.skipif(INNER, reason="this is the outer driver")
def test_tray_under_a_real_x_server(tmp_path: Path) -> None:
    require_tools(TOOLS)
    with xvfb("DIALDECK_REAL_X") as env:
        trayer = subprocess.Popen(
            ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "24"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            time.sleep(1.0)  # trayer claims the tray selection
            run_inner_tests(__file__, env, tmp_path, passed=1)
        finally:
            trayer.terminate()
            trayer.wait(10)


@pytest.mark.skipif(not INNER, reason="runs inside the Xvfb session started by the outer test")
def test_real_tray_icon_menu_and_quick_dial(make_app: AppFactory) -> None:
    app = make_app()
    t = tray(app)
    assert t.available
    app.qtbot.waitUntil(
        lambda: t.icon.isVisible() and not t.icon.geometry().isEmpty(), timeout=10_000
    )
    assert t.state == "sandbox"

    QApplication.clipboard().setText("+91 98765 43210")
    app.qtbot.waitUntil(lambda: QApplication.clipboard().text() == "+91 98765 43210")
    centre = t.icon.geometry().center()
    xdotool("mousemove", str(centre.x()), str(centre.y()), "click", "3")  # right click: the menu
    app.qtbot.waitUntil(t.menu.isVisible, timeout=10_000)
    texts = [a.text() for a in t.menu.actions()]
    assert "Call +91 98765 43210 (from clipboard)" in texts

    quick = next(a for a in t.menu.actions() if a.objectName() == "trayQuickDial")
    target = t.menu.mapToGlobal(t.menu.actionGeometry(quick).center())
    xdotool("mousemove", str(target.x()), str(target.y()), "click", "1")
    box = app.controller.shell.quick_dial
    assert box is not None
    app.qtbot.waitUntil(box.isVisible, timeout=10_000)
    app.qtbot.keyClicks(box.number_edit, "98765 43210")
    app.qtbot.keyClick(box.number_edit, Qt.Key.Key_Return)
    app.qtbot.waitUntil(lambda: len(app.posts()) == 1, timeout=10_000)
    app.qtbot.wait(500)
    assert len(app.posts()) == 1

    # Left click on the real icon brings a hidden window back.
    app.window.hide()
    xdotool("mousemove", str(centre.x()), str(centre.y()), "click", "1")
    app.qtbot.waitUntil(app.window.isVisible, timeout=10_000)
