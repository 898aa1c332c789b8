"""HotkeyController on its own, the system's answers scripted: what the dialog and the status bar
are told, and which hotkey is left registered."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QKeySequenceEdit, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from dialdeck.platform.hotkey import GlobalHotkey, Hotkey, HotkeyError, HotkeyTaken, parse_hotkey
from dialdeck.ui.hotkey_controller import HotkeyController


class ScriptedHotkey(GlobalHotkey):
    """Registers by remembering; chords in :attr:`taken` are held by another application."""

    taken: frozenset[str] = frozenset({"Ctrl+Alt+K"})
    unsupported = False

    @staticmethod
    def headless() -> bool:
        return False

    def change(self, text: str) -> None:
        if not text:
            self.hotkey = None
            return
        hotkey = parse_hotkey(text)
        if self.unsupported:
            raise HotkeyError("Wayland does not let applications set system-wide hotkeys")
        if str(hotkey) in self.taken:
            raise HotkeyTaken(hotkey)
        self.hotkey = hotkey

    def unregister(self) -> None:
        self.hotkey = None


@pytest.fixture
def controller(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> HotkeyController:
    monkeypatch.setattr("dialdeck.ui.hotkey_controller.GlobalHotkey", ScriptedHotkey)
    return HotkeyController()


def test_a_taken_chord_is_refused_to_the_dialog_and_the_old_one_kept(
    controller: HotkeyController, qtbot: QtBot
) -> None:
    controller.use("Ctrl+Alt+D")
    assert controller.hotkey.hotkey == Hotkey("D", ctrl=True, alt=True)
    with qtbot.assertNotEmitted(controller.status):
        refusal = controller.try_use("Ctrl+Alt+K")
    assert refusal == "Ctrl+Alt+K is already used by another application; choose another."
    assert str(controller.hotkey.hotkey) == "Ctrl+Alt+D"
    assert controller.text == "Ctrl+Alt+D"
    assert controller.try_use("Ctrl+Alt+J") == ""
    assert str(controller.hotkey.hotkey) == "Ctrl+Alt+J"
    controller.use("Ctrl+Alt+J")  # then applied with the settings: nothing more to do
    assert controller.text == "Ctrl+Alt+J"


def test_a_taken_chord_at_start_up_is_said_in_the_status_bar_and_none_is_active(
    controller: HotkeyController, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(controller.status) as said:
        controller.use("Ctrl+Alt+K")
    assert said.args == [
        "Ctrl+Alt+K is already used by another application; choose another in Settings.",
        15_000,
    ]
    assert controller.hotkey.hotkey is None


def test_a_system_without_global_hotkeys_does_not_block_the_dialog(
    controller: HotkeyController, qtbot: QtBot
) -> None:
    assert isinstance(controller.hotkey, ScriptedHotkey)
    controller.hotkey.unsupported = True
    with qtbot.waitSignal(controller.status) as said:
        assert controller.try_use("Ctrl+Alt+J") == ""  # Save goes on; the status bar says why
    assert "Hotkey Ctrl+Alt+J not set: Wayland" in said.args[0]
    assert controller.text == "Ctrl+Alt+J"


def test_a_keyboard_change_that_loses_the_hotkey_is_said(
    controller: HotkeyController, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(controller.status) as said:
        controller.hotkey.problem.emit("No key on this keyboard types “Q”")
    assert said.args[0] == "No key on this keyboard types “Q”"


def shortcut_field_window(qtbot: QtBot) -> tuple[QWidget, QKeySequenceEdit, QLineEdit]:
    """An active window with a shortcut field (as in Settings) and another field to move to
    (keep the window referenced: its fields go with it)."""
    window = QWidget()
    qtbot.addWidget(window)
    field, other = QKeySequenceEdit(window), QLineEdit(window)
    column = QVBoxLayout(window)
    column.addWidget(field)
    column.addWidget(other)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window, field, other


def test_the_hotkey_is_let_go_while_a_shortcut_field_has_the_focus(
    controller: HotkeyController, qtbot: QtBot
) -> None:
    """Pressing the current chord in Settings' field records it there; Quick dial stays shut."""
    controller.use("Ctrl+Alt+D")
    _window, field, other = shortcut_field_window(qtbot)
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    assert str(controller.hotkey.hotkey) == "Ctrl+Alt+D"

    field.setFocus()
    qtbot.waitUntil(lambda: controller.hotkey.hotkey is None)
    other.setFocus()
    qtbot.waitUntil(lambda: str(controller.hotkey.hotkey) == "Ctrl+Alt+D")

    # Saved while the field has the focus: the new chord is in use at once, and stays.
    field.setFocus()
    qtbot.waitUntil(lambda: controller.hotkey.hotkey is None)
    controller.use("Ctrl+Alt+J")  # applied settings while recording: taken when it ends
    assert controller.hotkey.hotkey is None
    other.setFocus()
    qtbot.waitUntil(lambda: str(controller.hotkey.hotkey) == "Ctrl+Alt+J")
    field.setFocus()
    qtbot.waitUntil(lambda: controller.hotkey.hotkey is None)
    assert controller.try_use("Ctrl+Alt+L") == ""
    assert str(controller.hotkey.hotkey) == "Ctrl+Alt+L"
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    assert str(controller.hotkey.hotkey) == "Ctrl+Alt+L"

    # Another application took the chord while the field had the focus: said, none active.
    field.setFocus()
    qtbot.waitUntil(lambda: controller.hotkey.hotkey is None)
    ScriptedHotkey.taken = frozenset({"Ctrl+Alt+L"})
    try:
        with qtbot.waitSignal(controller.status) as said:
            other.setFocus()
        assert said.args is not None and "already used by another application" in said.args[0]
        assert controller.hotkey.hotkey is None
    finally:
        ScriptedHotkey.taken = frozenset({"Ctrl+Alt+K"})
