"""The system tray: state at a glance, quick dial, clipboard dial, recent numbers, notifications.

The menu is rebuilt from the current state each time it opens (clipboard, recent numbers).
Where no tray exists (some Linux desktops), :attr:`TrayController.available` is False and the app
says so instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFontMetrics, QGuiApplication, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from dialdeck.core.numbers import DialNumber, check_dial_number
from dialdeck.ui.icons import app_icon


class TrayState(StrEnum):
    IDLE = "idle"
    LIVE = "live"  # on a call
    SANDBOX = "sandbox"
    OFFLINE = "offline"  # reconnecting, or no CloudDialer at all


MENU_NAME_WIDTH = 240  # px for a contact's name in the tray's menu; its number is never cut

STATE_COLOURS = {
    TrayState.IDLE: None,
    TrayState.LIVE: "#2f9e64",
    TrayState.SANDBOX: "#f6c343",
    TrayState.OFFLINE: "#8a94a6",
}
STATE_WORDS = {
    TrayState.IDLE: "Dialdeck: ready",
    TrayState.LIVE: "Dialdeck: on a call",
    TrayState.SANDBOX: "Dialdeck: sandbox (simulated calls)",
    TrayState.OFFLINE: "Dialdeck: cannot reach CloudDialer",
}


def state_icon(state: TrayState) -> QIcon:
    """The app icon with a coloured dot for the state, at tray sizes for normal and high DPI."""
    icon = QIcon()
    colour = STATE_COLOURS.get(state)
    for size in (16, 22, 24, 32, 48, 64):
        pixmap = app_icon().pixmap(size, size)
        if colour:
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            dot = max(6, size * 2 // 5)
            painter.setPen(QColor("white"))
            painter.setBrush(QColor(colour))
            painter.drawEllipse(QRect(size - dot, size - dot, dot - 1, dot - 1))
            painter.end()
        icon.addPixmap(pixmap)
    return icon


class TrayController(QObject):
    quick_dial_requested = Signal(str)  # prefilled number ("" for none)
    dial_requested = Signal(
        object
    )  # DialNumber (the clipboard entry: the click is the confirmation)
    toggle_window_requested = Signal()
    quit_requested = Signal()
    notifications_toggled = Signal(bool)

    def __init__(self, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.notifications = True
        self.recent: list[str] = []
        self.name_for: Callable[[str], str] = lambda _national: ""  # contacts, when loaded
        self.state = TrayState.IDLE
        self.icon = QSystemTrayIcon(state_icon(TrayState.IDLE), self)
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.rebuild_menu()
        self.set_state(TrayState.IDLE)

    def show(self) -> None:
        if self.available:
            self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: TrayState) -> None:
        self.state = state
        self.icon.setIcon(state_icon(state))
        self.icon.setToolTip(self.tr(STATE_WORDS.get(state, "Dialdeck")))

    def notify(self, title: str, text: str) -> None:
        if self.available and self.notifications and self.icon.isVisible():
            self.icon.showMessage(title, text, state_icon(self.state), 6000)

    def clipboard_number(self) -> DialNumber | None:
        text = QGuiApplication.clipboard().text()[:64]
        result = check_dial_number(text) if text.strip() else None
        return result if isinstance(result, DialNumber) else None

    def rebuild_menu(self) -> None:
        menu = self.menu
        menu.clear()
        quick = menu.addAction(self.tr("Quick dial…"))
        quick.setObjectName("trayQuickDial")
        quick.triggered.connect(lambda: self.quick_dial_requested.emit(""))
        number = self.clipboard_number()
        if number is not None:
            clip = menu.addAction(
                self.tr("Call {number} (from clipboard)").format(number=self._label(number))
            )
            clip.setObjectName("trayCallClipboard")
            clip.triggered.connect(lambda _=False, n=number: self.dial_requested.emit(n))
        if self.recent:
            recent = menu.addMenu(self.tr("Recent numbers"))
            recent.setObjectName("trayRecent")
            for national in self.recent[:8]:
                shown = check_dial_number(national)
                label = self._label(shown) if isinstance(shown, DialNumber) else national
                action = recent.addAction(label)
                action.triggered.connect(
                    lambda _=False, n=national: self.quick_dial_requested.emit(n)
                )
        menu.addSeparator()
        visible = self.window.isVisible() and not self.window.isMinimized()
        toggle = menu.addAction(self.tr("Hide Dialdeck") if visible else self.tr("Show Dialdeck"))
        toggle.setObjectName("trayToggleWindow")
        toggle.triggered.connect(self.toggle_window_requested)
        notes = QAction(self.tr("Notifications"), menu)
        notes.setObjectName("trayNotifications")
        notes.setCheckable(True)
        notes.setChecked(self.notifications)
        notes.toggled.connect(self._set_notifications)
        menu.addAction(notes)
        menu.addSeparator()
        quit_action = menu.addAction(self.tr("Quit Dialdeck"))
        quit_action.setObjectName("trayQuit")
        quit_action.triggered.connect(self.quit_requested)

    def _label(self, number: DialNumber) -> str:
        """A long contact name is cut in its middle: the menu stays narrow, the number whole."""
        name = self.name_for(number.national)
        if not name:
            return number.display
        metrics = QFontMetrics(self.menu.font())
        short = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, MENU_NAME_WIDTH)
        return f"{short} · {number.display}"

    def _set_notifications(self, enabled: bool) -> None:
        self.notifications = enabled
        self.notifications_toggled.emit(enabled)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_window_requested.emit()
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.quick_dial_requested.emit("")
