"""The global hotkey in the Settings dialog (no X server needed): shown, validated inline, tried on
Save last of all, a refusal said in the dialog until the chord changes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from dialdeck.core.settings import AccountSettings, Settings
from dialdeck.platform.hotkey import HotkeyError
from dialdeck.ui.hotkey_field import chord_text
from dialdeck.ui.settings_dialog import SettingsDialog

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
SHIFT, KEYPAD = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.KeypadModifier
NONE = Qt.KeyboardModifier.NoModifier


def make_dialog(qtbot: QtBot, settings: Settings | None = None, tried: list[str] | None = None,
                refusal: str = "") -> SettingsDialog:  # fmt: skip
    def try_hotkey(chord: str) -> str:
        assert tried is not None
        tried.append(chord)
        return refusal

    dialog = SettingsDialog(
        settings or Settings(),
        key_stored=False,
        secure_keyring=True,
        try_hotkey=try_hotkey if tried is not None else None,
    )
    qtbot.addWidget(dialog)
    return dialog


def record(qtbot: QtBot, dialog: SettingsDialog, key: Qt.Key, modifiers: object) -> None:
    dialog.hotkey.edit.clear()
    qtbot.keyClick(dialog.hotkey.edit, key, modifiers)  # type: ignore[arg-type]


def test_the_current_hotkey_is_shown_and_none_clears_it(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.hotkey.text() == "Ctrl+Alt+D"
    assert dialog.hotkey.edit.keySequence() == QKeySequence("Ctrl+Alt+D")
    dialog.hotkey.none_button.click()
    assert dialog.hotkey.text() == ""
    assert not dialog.hotkey.none_button.isEnabled()
    dialog.accept()
    assert dialog.chosen is not None
    assert dialog.chosen.settings.global_hotkey == ""


@pytest.mark.parametrize(
    ("key", "modifiers", "why"),
    [
        (Qt.Key.Key_D, NONE, "needs Ctrl, Alt or Meta"),
        (Qt.Key.Key_D, SHIFT, "needs Ctrl, Alt or Meta"),
        (Qt.Key.Key_Space, CTRL | ALT, "cannot be a hotkey: use a letter, a digit or F1–F12"),
    ],
)
def test_chords_that_cannot_be_registered_are_explained_and_block_save(
    qtbot: QtBot, key: Qt.Key, modifiers: object, why: str
) -> None:
    dialog = make_dialog(qtbot)
    dialog.show()
    record(qtbot, dialog, key, modifiers)
    assert why in dialog.hotkey.message.text()
    assert dialog.hotkey.message.isVisible()
    assert not dialog.save_button.isEnabled()
    record(qtbot, dialog, Qt.Key.Key_F8, NONE)  # a function key alone is allowed
    assert dialog.hotkey.text() == "F8"
    assert not dialog.hotkey.message.isVisible()
    assert dialog.save_button.isEnabled()
    record(qtbot, dialog, Qt.Key.Key_7, CTRL | SHIFT)
    assert dialog.hotkey.text() == "Ctrl+Shift+7"


def test_keys_on_the_number_pad_are_refused() -> None:
    # QKeySequenceEdit drops the keypad flag when recording; a combination that has it is refused
    # (the X11 grab would take the digit on the main row instead).
    with pytest.raises(HotkeyError, match="number pad"):
        chord_text(QKeyCombination(CTRL | ALT | KEYPAD, Qt.Key.Key_5))
    assert chord_text(QKeyCombination(CTRL | ALT, Qt.Key.Key_5)) == "Ctrl+Alt+5"


def test_a_saved_hotkey_that_cannot_work_is_said_without_blocking_save(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, Settings(global_hotkey="Hyper+Q"))
    dialog.show()
    assert dialog.hotkey.text() == ""
    assert "“Hyper+Q” cannot be used" in dialog.hotkey.message.text()
    assert dialog.save_button.isEnabled()


def test_the_hotkey_is_tried_on_save_last_and_a_refusal_keeps_the_dialog_open(
    qtbot: QtBot,
) -> None:
    tried: list[str] = []
    account = AccountSettings("https://api.clouddialer.in", [], crm_username="a")
    refusal = "Ctrl+Alt+K is already used by another application; choose another."
    dialog = make_dialog(qtbot, Settings(account=account), tried, refusal)
    dialog.show()
    dialog.accept()  # unchanged: not tried
    assert tried == []
    record(qtbot, dialog, Qt.Key.Key_K, CTRL | ALT)
    dialog.caller_ids_edit.setText("")
    dialog.accept()  # another field is wrong: the hotkey is not registered yet
    assert tried == []
    assert dialog.chosen is None
    dialog.caller_ids_edit.setText("919800000000")
    dialog.api_key_edit.setText("key")
    dialog.accept()
    assert tried == ["Ctrl+Alt+K"]
    assert dialog.chosen is None
    assert dialog.hotkey.message.text() == refusal
    assert dialog.hotkey.message.isVisible()
    assert dialog.save_button.isEnabled()  # the other application may have let go: try again
    record(qtbot, dialog, Qt.Key.Key_L, CTRL | ALT)
    assert not dialog.hotkey.message.isVisible()  # a new chord: the refusal no longer applies


def test_a_hotkey_the_system_accepts_closes_the_dialog(qtbot: QtBot) -> None:
    tried: list[str] = []
    dialog = make_dialog(qtbot, tried=tried)
    dialog.show()
    record(qtbot, dialog, Qt.Key.Key_F9, ALT)
    dialog.accept()
    assert tried == ["Alt+F9"]
    assert dialog.chosen is not None
    assert dialog.chosen.settings.global_hotkey == "Alt+F9"
