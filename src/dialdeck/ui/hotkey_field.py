"""The global hotkey in Settings: one chord recorded from the keyboard, or none.

A chord the platform layer cannot register (no Ctrl, Alt or Meta; a key other than a letter, a
digit or F1–F12) is explained under the field at once, and :meth:`HotkeyField.problem` says so to
the dialog, which keeps Save disabled meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import QKeyCombination, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dialdeck.platform.hotkey import HotkeyError, parse_hotkey

_MODIFIER_NAMES = (
    (Qt.KeyboardModifier.ControlModifier, "Ctrl"),
    (Qt.KeyboardModifier.AltModifier, "Alt"),
    (Qt.KeyboardModifier.ShiftModifier, "Shift"),
    (Qt.KeyboardModifier.MetaModifier, "Meta"),
)
_PORTABLE = QKeySequence.SequenceFormat.PortableText


def chord_text(combination: QKeyCombination) -> str:
    """A recorded chord as settings.json spells it ("Ctrl+Alt+D"); raises when it cannot be one."""
    modifiers = combination.keyboardModifiers()
    key = QKeySequence(combination.key()).toString(_PORTABLE)
    if modifiers & Qt.KeyboardModifier.KeypadModifier:
        raise HotkeyError(f"Keys on the number pad cannot be hotkeys (“{key}”)")
    if not key or "+" in key or combination.key() == Qt.Key.Key_unknown:
        raise HotkeyError("That key cannot be a hotkey: use a letter, a digit or F1–F12")
    text = "+".join([*(name for flag, name in _MODIFIER_NAMES if modifiers & flag), key])
    return str(parse_hotkey(text))


def _first(sequence: QKeySequence) -> QKeyCombination:
    first: QKeyCombination = sequence[0]  # type: ignore[index]  # operator[]: not in the stubs
    return first


class HotkeyField(QWidget):
    changed = Signal()

    def __init__(self, saved: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QKeySequenceEdit()
        self.edit.setObjectName("hotkeyEdit")
        self.edit.setAccessibleName(self.tr("Global hotkey"))
        self.edit.setMaximumSequenceLength(1)  # one chord, not Emacs-style sequences
        self.edit.setToolTip(
            self.tr(
                "Pressed in any application, it brings the selected number to Quick dial. "
                "Click here and press the keys, e.g. Ctrl+Alt+D."
            )
        )
        self.none_button = QPushButton(self.tr("None"))
        self.none_button.setObjectName("hotkeyNoneButton")
        self.none_button.setToolTip(self.tr("No global hotkey"))
        self.none_button.clicked.connect(self.edit.clear)
        self.message = QLabel()
        self.message.setObjectName("hotkeyProblem")
        self.message.setProperty("state", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Global hotkey (selected number to Quick dial)")))
        row.addWidget(self.edit, 1)
        row.addWidget(self.none_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self._problem = ""
        self._taken = ""  # a registration refusal, shown until the chord changes
        try:
            if saved.strip():
                self.edit.setKeySequence(
                    QKeySequence.fromString(str(parse_hotkey(saved)), _PORTABLE)
                )
        except HotkeyError as exc:
            self._taken = self.tr("The saved hotkey “{saved}” cannot be used: {why}").format(
                saved=saved, why=exc
            )
        self.edit.keySequenceChanged.connect(self._changed)
        self._changed()

    def text(self) -> str:
        """The chord as saved ("Ctrl+Alt+D"), "" for none (or while the chord is invalid)."""
        sequence = self.edit.keySequence()
        if sequence.isEmpty():
            return ""
        try:
            return chord_text(_first(sequence))
        except HotkeyError:
            return ""

    def problem(self) -> str:
        """Why the recorded chord cannot be saved; "" when it can."""
        return self._problem

    def show_refusal(self, message: str) -> None:
        """The system refused the chord (another application holds it): said until it changes."""
        self._taken = message
        self._show()

    def _changed(self, *_args: object) -> None:
        sequence = self.edit.keySequence()
        self._problem = ""
        if not sequence.isEmpty():
            try:
                chord_text(_first(sequence))
            except HotkeyError as exc:
                self._problem = str(exc)
        if _args:  # edited by the agent: an earlier refusal no longer applies
            self._taken = ""
        self.none_button.setEnabled(not sequence.isEmpty())
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        text = self._problem or self._taken
        self.message.setText(text)
        self.message.setVisible(bool(text))
