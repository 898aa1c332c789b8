"""The global hotkey on a real X server: Xvfb, a key grab through libxcb, a real key press
(xdotool, XTEST) and a real PRIMARY selection owned by another client (xclip).

The outer test starts Xvfb, then runs the inner tests in a nested pytest on the xcb platform
(the session's QApplication here is offscreen, which has no keyboard to grab).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialdeck.platform.hotkey import GlobalHotkey, HotkeyError, parse_hotkey
from tests.support.xserver import require_tools, run_inner_tests, xvfb
from tests.ui.conftest import AppFactory

INNER = os.environ.get("DIALDECK_REAL_X_HOTKEY") == "1"
TOOLS = ("Xvfb", "xdotool", "xclip")


def test_parse_hotkey() -> None:
    assert str(parse_hotkey("ctrl + alt + d")) == "Ctrl+Alt+D"
    assert parse_hotkey("Meta+F9").meta
    assert str(parse_hotkey("F8")) == "F8"
    for bad, why in (("D", "needs Ctrl"), ("Shift+D", "needs Ctrl"), ("Ctrl+Hyper+D", "Unknown modifier"),
                     ("Ctrl+Space", "cannot be a hotkey"), ("", "No hotkey")):  # fmt: skip
        with pytest.raises(HotkeyError, match=why):
            parse_hotkey(bad)


@pytest.mark.skipif(INNER, reason="this is the outer driver")
def test_hotkey_under_a_real_x_server(tmp_path: Path) -> None:
    require_tools(TOOLS)
    with xvfb("DIALDECK_REAL_X_HOTKEY") as env:
        run_inner_tests(__file__, env, tmp_path, passed=3)


@pytest.fixture
def selection() -> Iterator[list[subprocess.Popen[bytes]]]:
    owners: list[subprocess.Popen[bytes]] = []
    yield owners
    for owner in owners:
        owner.terminate()
        owner.wait(10)


def select(owners: list[subprocess.Popen[bytes]], text: str) -> None:
    """Another client owns PRIMARY with ``text``, as when the agent selects it in a browser."""
    owner = subprocess.Popen(["xclip", "-quiet", "-selection", "primary"], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    assert owner.stdin is not None
    owner.stdin.write(text.encode())
    owner.stdin.close()
    owners.append(owner)
    deadline = time.monotonic() + 5
    while subprocess.run(["xclip", "-o", "-selection", "primary"], capture_output=True,
                         timeout=5).stdout.decode() != text:  # fmt: skip
        assert time.monotonic() < deadline, "xclip did not take the selection"
        time.sleep(0.05)


def press(keys: str) -> None:
    subprocess.run(["xdotool", "key", "--clearmodifiers", keys], check=True, timeout=10)


@pytest.mark.skipif(not INNER, reason="runs inside the Xvfb session started by the outer test")
def test_hotkey_offers_the_selected_number_in_quick_dial(
    make_app: AppFactory, selection: list[subprocess.Popen[bytes]]
) -> None:
    app = make_app()
    assert app.controller.hotkeys.hotkey.hotkey is not None  # Ctrl+Alt+D, the default, grabbed
    select(selection, "Call Asha on  098765-43210 ")
    press("ctrl+alt+d")
    box = app.controller.shell.quick_dial
    assert box is not None
    app.qtbot.waitUntil(box.isVisible, timeout=5_000)
    assert box.number_edit.text() == "+91 98765 43210"  # picked out of the words around it
    assert app.posts() == []  # offered, not dialled: the agent did not check those words
    box.hide()
    select(selection, "098765 43210")
    press("ctrl+alt+d")
    app.qtbot.waitUntil(box.isVisible, timeout=5_000)
    assert box.number_edit.text() == "+91 98765 43210"
    assert app.posts() == []  # offered, not dialled
    box.hide()

    # With links set to dial at once, the hotkey dials (one confirmation rule: as for links).
    app.controller.shell.dial_links_at_once = True
    press("ctrl+alt+d")
    app.qtbot.waitUntil(lambda: len(app.posts()) == 1, timeout=5_000)
    assert app.posts()[0]["body"]["to_number"] == "9876543210"
    # A number picked out of other words is offered even then, never dialled at once.
    select(selection, "Customer: Ravi, mobile +91 98765 40000 (call after 5)")
    press("ctrl+alt+d")
    app.qtbot.waitUntil(lambda: box.isVisible() and box.number_edit.text() == "+91 98765 40000")
    app.qtbot.wait(300)
    assert len(app.posts()) == 1


@pytest.mark.skipif(not INNER, reason="runs inside the Xvfb session started by the outer test")
def test_a_key_grabbed_elsewhere_is_refused_and_released_at_unregister(qapp: object) -> None:
    first, second = GlobalHotkey(), GlobalHotkey()
    try:
        assert first.register("Ctrl+Alt+F9") == ""
        assert (
            second.register("Ctrl+Alt+F9") == "Ctrl+Alt+F9 is already used by another application"
        )
        first.unregister()
        assert second.register("Ctrl+Alt+F9") == ""
        assert "Unknown modifier" in second.register("Hyper+X")
        assert str(second.hotkey) == "Ctrl+Alt+F9"  # a failed change keeps the old hotkey
    finally:
        first.unregister()
        second.unregister()
