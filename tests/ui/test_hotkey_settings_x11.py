"""The global hotkey changed in Settings, and after a keyboard layout change, on a real X server:
Xvfb, the xcb key grab, real key presses (xdotool, XTEST), PRIMARY owned by xclip, and the layout
switched with setxkbmap (a new keymap) and between two layouts loaded together (an XKB group lock,
as the desktop's layout indicator or Alt+Shift does).

As in test_hotkey_x11, the outer test starts Xvfb and runs the inner tests in a nested pytest on
the xcb platform.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dialdeck.platform import _x11_libs as x
from dialdeck.platform.hotkey import GlobalHotkey
from dialdeck.ui.hotkey_controller import HotkeyController
from tests.support.xserver import require_tools, run_inner_tests, xvfb
from tests.ui.conftest import AppFactory
from tests.ui.test_hotkey_x11 import press, select, selection  # noqa: F401  (a fixture)
from tests.ui.test_settings import open_settings, save
from tests.ui.unit.test_hotkey_controller import shortcut_field_window

INNER = os.environ.get("DIALDECK_REAL_X_HOTKEY_SETTINGS") == "1"
TOOLS = ("Xvfb", "xdotool", "xclip", "setxkbmap")
inner_only = pytest.mark.skipif(not INNER, reason="runs inside the Xvfb session of the outer test")


@pytest.mark.skipif(INNER, reason="this is the outer driver")
def test_hotkey_settings_under_a_real_x_server(tmp_path: Path) -> None:
    require_tools(TOOLS)
    with xvfb("DIALDECK_REAL_X_HOTKEY_SETTINGS") as env:
        run_inner_tests(__file__, env, tmp_path, passed=5)


@inner_only
def test_hotkey_changed_in_settings_works_at_once(
    make_app: AppFactory,
    selection: list[subprocess.Popen[bytes]],  # noqa: F811
) -> None:
    app = make_app()
    hotkeys, qtbot = app.controller.hotkeys, app.qtbot
    assert str(hotkeys.hotkey.hotkey) == "Ctrl+Alt+D"
    box = app.controller.shell.quick_dial
    assert box is not None

    dialog = open_settings(app)
    field = dialog.hotkey
    assert field.text() == "Ctrl+Alt+D"  # the current shortcut is shown
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(field.edit, Qt.Key.Key_J, ctrl_alt)
    qtbot.waitUntil(lambda: field.text() == "Ctrl+Alt+J")
    save(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert str(hotkeys.hotkey.hotkey) == "Ctrl+Alt+J"  # registered live, no restart
    qtbot.waitUntil(lambda: app.controller.settings.global_hotkey == "Ctrl+Alt+J")

    select(selection, "098765 43210")
    press("ctrl+alt+j")
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    assert box.number_edit.text() == "+91 98765 43210"
    box.hide()
    press("ctrl+alt+d")  # the old chord is released: it reaches whatever has the focus
    qtbot.wait(700)
    assert not box.isVisible()

    # A chord another X client holds (a second connection of our own, as another app would):
    # refused in the dialog, which stays open; the old hotkey keeps working.
    other = GlobalHotkey()
    try:
        assert other.register("Ctrl+Alt+K") == ""
        dialog = open_settings(app)
        qtbot.keyClick(dialog.hotkey.edit, Qt.Key.Key_K, ctrl_alt)
        qtbot.waitUntil(lambda: dialog.hotkey.text() == "Ctrl+Alt+K")
        save(dialog)
        message = dialog.findChild(type(dialog.hotkey.message), "hotkeyProblem")
        qtbot.waitUntil(message.isVisible)
        assert (
            message.text() == "Ctrl+Alt+K is already used by another application; choose another."
        )
        assert dialog.isVisible()
        assert app.controller.settings.global_hotkey == "Ctrl+Alt+J"
        assert str(hotkeys.hotkey.hotkey) == "Ctrl+Alt+J"
        press("ctrl+alt+j")
        qtbot.waitUntil(box.isVisible, timeout=5_000)
        box.hide()
        dialog.hotkey.none_button.click()  # None: no global hotkey at all
        assert not message.isVisible()
        save(dialog)
        qtbot.waitUntil(lambda: not dialog.isVisible())
        assert hotkeys.hotkey.hotkey is None
        qtbot.waitUntil(lambda: app.controller.settings.global_hotkey == "")
        press("ctrl+alt+j")
        qtbot.wait(700)
        assert not box.isVisible()
    finally:
        other.unregister()


@inner_only
def test_the_current_chord_is_recorded_in_the_field_not_grabbed(
    make_app: AppFactory,
    selection: list[subprocess.Popen[bytes]],  # noqa: F811
) -> None:
    """While the hotkey field has the focus, Ctrl+Alt+D (the hotkey in use) is typed into it
    rather than opening Quick dial; once the dialog is gone it works again."""
    app = make_app()
    hotkeys, qtbot = app.controller.hotkeys, app.qtbot
    box = app.controller.shell.quick_dial
    assert box is not None
    select(selection, "098765 43210")
    dialog = open_settings(app)
    field = dialog.hotkey
    field.none_button.click()
    assert field.text() == ""
    field.edit.setFocus()
    qtbot.waitUntil(lambda: hotkeys.hotkey.hotkey is None)  # let go while recording
    press("ctrl+alt+d")
    qtbot.waitUntil(lambda: field.text() == "Ctrl+Alt+D")
    qtbot.wait(500)
    assert not box.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: str(hotkeys.hotkey.hotkey) == "Ctrl+Alt+D")
    press("ctrl+alt+d")
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    assert box.number_edit.text() == "+91 98765 43210"


def grabbed_keycodes(hotkey: GlobalHotkey) -> set[int]:
    return {keycode for keycode, _mods in getattr(hotkey._backend, "grabs", [])}


def layout(name: str) -> None:
    subprocess.run(["setxkbmap", name], check=True, timeout=20)


@inner_only
def test_hotkey_follows_a_keyboard_layout_change(qapp: object, qtbot: QtBot) -> None:
    presses: list[int] = []
    hotkey = GlobalHotkey()
    hotkey.activated.connect(lambda: presses.append(1))
    layout("us")
    try:
        assert hotkey.register("Ctrl+Alt+Q") == ""
        us_keycodes = grabbed_keycodes(hotkey)
        press("ctrl+alt+q")
        qtbot.waitUntil(lambda: len(presses) == 1, timeout=5_000)

        layout("fr")  # AZERTY: Q is where A was, A where Q was
        qtbot.waitUntil(lambda: grabbed_keycodes(hotkey) not in (set(), us_keycodes))
        press("ctrl+alt+q")  # xdotool types Q with the new layout: the other key
        qtbot.waitUntil(lambda: len(presses) == 2, timeout=5_000)
        press("ctrl+alt+a")  # the key that typed Q before the change no longer fires
        qtbot.wait(700)
        assert len(presses) == 2

        layout("us")
        qtbot.waitUntil(lambda: grabbed_keycodes(hotkey) == us_keycodes)
        press("ctrl+alt+q")
        qtbot.waitUntil(lambda: len(presses) == 3, timeout=5_000)
    finally:
        hotkey.unregister()
        layout("us")


def lock_layout(group: int) -> None:
    """Switch to the ``group``-th of the layouts loaded together, as the desktop's layout
    indicator does: an XKB LatchLockState request from another client."""
    libs = x.load()
    latch_lock = libs.xcb_xkb.xcb_xkb_latch_lock_state_checked
    latch_lock.restype = x.VoidCookie
    latch_lock.argtypes = [x.P, x.U16, x.U8, x.U8, x.U8, x.U8, x.U8, x.U8, x.U16]
    conn = libs.xcb.xcb_connect(None, None)
    try:
        assert libs.xkb_x11.xkb_x11_setup_xkb_extension(conn, 1, 0, 0, None, None, None, None)
        cookie = latch_lock(conn, x.XKB_USE_CORE_KBD, 0, 0, True, group, 0, False, 0)
        error = libs.xcb.xcb_request_check(conn, cookie)
        assert not error, "LatchLockState refused"
    finally:
        libs.xcb.xcb_disconnect(conn)


# The keys by position (evdev keycodes): the one marked Q on QWERTY, which types A on AZERTY,
# and the one marked A on QWERTY, which types Q on AZERTY.
QWERTY_Q, QWERTY_A = 24, 38


@inner_only
def test_hotkey_follows_a_switch_between_layouts_loaded_together(
    qapp: object, qtbot: QtBot
) -> None:
    presses: list[int] = []
    hotkey = GlobalHotkey()
    hotkey.activated.connect(lambda: presses.append(1))
    subprocess.run(["setxkbmap", "-layout", "us,fr"], check=True, timeout=20)
    try:
        assert hotkey.register("Ctrl+Alt+Q") == ""
        assert grabbed_keycodes(hotkey) == {QWERTY_Q}
        press(f"ctrl+alt+{QWERTY_A}")  # Ctrl+Alt+A in US English: left to other applications
        press(f"ctrl+alt+{QWERTY_Q}")
        qtbot.waitUntil(lambda: len(presses) == 1, timeout=5_000)

        lock_layout(1)  # French: the layout switch changes the XKB group, not the keymap
        qtbot.waitUntil(lambda: grabbed_keycodes(hotkey) == {QWERTY_A})
        press(f"ctrl+alt+{QWERTY_Q}")  # now Ctrl+Alt+A
        press(f"ctrl+alt+{QWERTY_A}")  # now Ctrl+Alt+Q
        qtbot.waitUntil(lambda: len(presses) == 2, timeout=5_000)

        lock_layout(0)
        qtbot.waitUntil(lambda: grabbed_keycodes(hotkey) == {QWERTY_Q})
        press(f"ctrl+alt+{QWERTY_Q}")
        qtbot.waitUntil(lambda: len(presses) == 3, timeout=5_000)
        qtbot.wait(500)  # and no stray press arrives late
        assert len(presses) == 3
    finally:
        hotkey.unregister()
        lock_layout(0)
        layout("us")


@inner_only
def test_a_layout_switch_while_the_hotkey_is_let_go_is_followed(qtbot: QtBot) -> None:
    """Switched to French while Settings' field had the focus (no grab then): taken again on the
    key that types Q in French, and only there."""
    controller = HotkeyController()
    _window, field, other = shortcut_field_window(qtbot)
    subprocess.run(["setxkbmap", "-layout", "us,fr"], check=True, timeout=20)
    try:
        controller.use("Ctrl+Alt+Q")
        assert grabbed_keycodes(controller.hotkey) == {QWERTY_Q}
        field.setFocus()
        qtbot.waitUntil(lambda: controller.hotkey.hotkey is None)
        lock_layout(1)
        other.setFocus()
        qtbot.waitUntil(lambda: grabbed_keycodes(controller.hotkey) == {QWERTY_A})
        lock_layout(0)
        qtbot.waitUntil(lambda: grabbed_keycodes(controller.hotkey) == {QWERTY_Q})
    finally:
        controller.stop()
        lock_layout(0)
        layout("us")
