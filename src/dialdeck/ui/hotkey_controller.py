"""The global hotkey (default Ctrl+Alt+D): registered from the settings, reported when taken.

Changed in Settings, the new chord is registered when Save is pressed (:meth:`try_use`): when
another application holds it the dialog says so and stays open, and the old hotkey keeps working.
At start-up a saved chord that cannot be registered is said in the status bar; no hotkey is active
then (what is saved and what works never disagree silently).

While a shortcut field has the keyboard focus (Settings' hotkey field), the hotkey is let go:
pressing the current chord there records it instead of opening Quick dial. It is taken again as
soon as the focus moves on, or Dialdeck loses it to another application.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QKeySequenceEdit, QWidget

from dialdeck.platform.hotkey import GlobalHotkey, HotkeyError, HotkeyTaken


class HotkeyController(QObject):
    activated = Signal()  # the agent pressed the hotkey, in any application
    status = Signal(str, int)  # why the hotkey could not be set, for the status bar

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hotkey = GlobalHotkey(self)
        self.hotkey.activated.connect(self.activated)
        self.hotkey.problem.connect(lambda why: self.status.emit(why, 15_000))
        self.text = ""
        self._recording = False  # a shortcut field has the focus: the hotkey is let go meanwhile
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def use(self, text: str) -> None:
        """Register ``text`` ("" switches it off) unless it is what is registered already."""
        if text == self.text or self.hotkey.headless():
            return
        self.text = text
        if self._recording:
            return  # taken when the focus leaves the shortcut field
        try:
            self.hotkey.change(text)
        except HotkeyError as exc:
            self.hotkey.unregister()  # the saved chord does not work: none does
            self.status.emit(self._not_set(text, exc), 15_000)

    def try_use(self, text: str) -> str:
        """From the Settings dialog on Save: register ``text`` now. "" when done (or when this
        system has no global hotkeys at all: the status bar says that); the refusal when another
        application holds the chord, the old hotkey then still registered."""
        if text == self.text or self.hotkey.headless():
            self.text = text
            return ""
        try:
            self.hotkey.change(text)
        except HotkeyTaken as exc:
            return self.tr("{why}; choose another.").format(why=exc)
        except HotkeyError as exc:
            self.hotkey.unregister()
            self.status.emit(self._not_set(text, exc), 15_000)
        self.text = text
        self._recording = False  # saved from the field itself: the new chord is in use now
        return ""

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        recording = isinstance(new, QKeySequenceEdit)
        if recording == self._recording or self.hotkey.headless():
            return
        self._recording = recording
        if recording:
            self.hotkey.unregister()
            return
        try:
            self.hotkey.change(self.text)
        except HotkeyError as exc:  # taken by another application meanwhile
            self.status.emit(self._not_set(self.text, exc), 15_000)

    def _not_set(self, text: str, exc: HotkeyError) -> str:
        if isinstance(exc, HotkeyTaken):
            return self.tr("{why}; choose another in Settings.").format(why=exc)
        return self.tr("Hotkey {key} not set: {why}").format(key=text, why=exc)

    def stop(self) -> None:
        self.hotkey.unregister()
