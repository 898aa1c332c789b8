"""The global hotkey (default Ctrl+Alt+D): registered from the settings, reported when taken."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from dialdeck.platform.hotkey import GlobalHotkey


class HotkeyController(QObject):
    activated = Signal()  # the agent pressed the hotkey, in any application
    status = Signal(str, int)  # why the hotkey could not be set, for the status bar

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hotkey = GlobalHotkey(self)
        self.hotkey.activated.connect(self.activated)
        self.text = ""

    def use(self, text: str) -> None:
        """Register ``text`` ("" switches it off) unless it is what is registered already."""
        if text == self.text or self.hotkey.headless():
            return
        self.text = text
        if problem := self.hotkey.register(text):
            self.status.emit(
                self.tr("Hotkey {key} not set: {why}").format(key=text, why=problem), 15_000
            )

    def stop(self) -> None:
        self.hotkey.unregister()
