"""The main window: dialer on the left, the live call on the right, mode badge in the toolbar."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from dialdeck import APP_NAME
from dialdeck.ui.dialer import DialerPanel
from dialdeck.ui.empty_call import CallPanelStandIn
from dialdeck.ui.icons import app_icon, refresh_icons, set_icon
from dialdeck.ui.widgets import fit_to_screen, scrolling

if TYPE_CHECKING:
    from pathlib import Path

    from dialdeck.ui.call_panel import CallPanel
    from dialdeck.ui.window_layout import WindowLayout

MINIMUM_SIZE = QSize(560, 400)
DEFAULT_SIZE = QSize(1120, 700)  # History's usual columns whole; a 1366x768 laptop fits it

# Colours chosen to read on both light and dark palettes; everything else follows the system.
STYLE = """
QLabel[state="error"] { color: #e03e3e; }
QLabel[state="ok"] { color: #2f9e64; }
QLabel[state="hint"] { color: palette(placeholder-text); }
QLabel[state="info"] { color: palette(window-text); }
QLabel#callNoticeLabel[state="error"] { color: #e03e3e; font-weight: bold; }
QLabel#callStateLabel[reconnecting="true"] { color: #c98a12; }
QLabel#reconnectingLabel { color: #c98a12; font-weight: bold; }
QLabel#dialProblemLabel { color: #e03e3e; font-weight: bold; }
QLabel#emptyState { color: palette(placeholder-text); font-size: 14pt; }
QLabel#modeBadge { border-radius: 9px; padding: 3px 10px; font-weight: bold; }
QLabel#modeBadge[mode="sandbox"] { background: #f6c343; color: #3b2f00; }
QLabel#modeBadge[mode="live"] { background: #2f9e64; color: white; }
QLabel#modeBadge[mode="offline"] { background: #8a94a6; color: white; }
QLabel#sectionLabel { font-weight: bold; }
QToolButton[objectName^="key_"] { font-size: 13pt; }
"""


class Mode(StrEnum):
    """What the badge at the top says Dialdeck is working with."""

    SANDBOX = "sandbox"
    LIVE = "live"  # a real CloudDialer account
    OFFLINE = "offline"  # neither works right now (says why)


class MainWindow(QMainWindow):
    close_requested = Signal()
    quit_requested = Signal()
    settings_requested = Signal()
    quick_dial_requested = Signal()
    import_contacts_requested = Signal()

    def __init__(self, *, defer_call_panel: bool = False) -> None:
        """``defer_call_panel``: a look-alike stands in for the call panel until
        :meth:`build_call_panel` (start-up paints the window first; see :meth:`paint_now`)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setStyleSheet(STYLE)
        self.allow_close = False
        self.about_dialog: QDialog | None = None
        self.layout_memory: WindowLayout | None = None
        # Whether the agent had it maximised, through minimising and hiding (which some window
        # managers report as a plain state): what bring_to_front restores.
        self._maximized = False

        self.dialer = DialerPanel()
        self.call_panel: CallPanel
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("callSplitter")
        # Each side scrolls on a small screen (800x600, or 200% scaling) instead of making the
        # window taller than the screen.
        dialer_scroll = scrolling(self.dialer, name="dialerScroll")
        # The dialer scrolls only up and down: it keeps its width (keypad, Clear) whole.
        dialer_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = dialer_scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        dialer_scroll.setMinimumWidth(
            max(self.dialer.minimumWidth(), self.dialer.minimumSizeHint().width()) + bar + 2
        )
        splitter.addWidget(dialer_scroll)
        self.call_panel_scroll = scrolling(CallPanelStandIn(), name="callPanelScroll")
        splitter.addWidget(self.call_panel_scroll)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        # History, Recordings and Contacts tabs are added by their controllers after start-up.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(splitter, self.tr("Call"))
        self.setCentralWidget(self.tabs)
        for number in range(1, 5):
            switch = QAction(self)
            switch.setShortcut(QKeySequence(f"Ctrl+{number}"))
            switch.triggered.connect(lambda _=False, i=number - 1: self.tabs.setCurrentIndex(i))
            self.addAction(switch)

        toolbar = QToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.mode_badge = QLabel(self.tr("Starting…"))
        self.mode_badge.setObjectName("modeBadge")
        self.mode_badge.setAccessibleName(self.tr("Account mode"))
        toolbar.addWidget(self.mode_badge)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.settings_action = QAction(self.tr("Settings…"), self)
        set_icon(self.settings_action, "settings")
        self.settings_action.setObjectName("settingsAction")
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.setShortcuts(
            [
                QKeySequence("Ctrl+,"),
                *QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences),
            ]
        )
        self.settings_action.triggered.connect(self.settings_requested)
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)

        self.quit_action = QAction(self.tr("Quit Dialdeck"), self)
        self.quit_action.setObjectName("quitAction")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.quit_requested)
        self.addAction(self.quit_action)
        self.quick_dial_action = QAction(self.tr("Quick dial…"), self)
        self.quick_dial_action.setObjectName("quickDialAction")
        self.quick_dial_action.setShortcut(QKeySequence("Ctrl+K"))
        self.quick_dial_action.triggered.connect(self.quick_dial_requested)
        self.addAction(self.quick_dial_action)
        focus_number = QAction(self)
        focus_number.setShortcuts([QKeySequence("Ctrl+L"), QKeySequence("F6")])
        focus_number.triggered.connect(self.focus_number)
        self.addAction(focus_number)

        # Help → About (on macOS Qt moves it to the application menu).
        self.about_action = QAction(self.tr("About Dialdeck"), self)
        self.about_action.setObjectName("aboutAction")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.import_contacts_action = QAction(self.tr("Import contacts…"), self)
        self.import_contacts_action.setObjectName("importContactsAction")
        self.import_contacts_action.setToolTip(
            self.tr("Names for numbers: import a CSV or vCard file from your phone or address book")
        )
        self.import_contacts_action.triggered.connect(self.import_contacts_requested)
        contacts_menu = self.menuBar().addMenu(self.tr("&Contacts"))
        contacts_menu.setObjectName("contactsMenu")
        contacts_menu.addAction(self.import_contacts_action)
        toolbar.insertAction(self.settings_action, self.import_contacts_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.setObjectName("helpMenu")
        help_menu.addAction(self.about_action)

        self.statusBar().setObjectName("statusBar")
        self.setMinimumSize(MINIMUM_SIZE)
        fit_to_screen(self, DEFAULT_SIZE)
        self.dialer.number_edit.setFocus()
        if not defer_call_panel:
            self.build_call_panel()

    def restore_layout(self, path: Path) -> None:
        """Size, place, splitters and columns as the agent left them (``window_layout.py``);
        before the window is shown, so it never jumps. Tabs built later are restored when
        first shown."""
        from dialdeck.ui.window_layout import WindowLayout

        self.layout_memory = WindowLayout(path)
        self.layout_memory.restore_window(self)
        self._maximized = self.isMaximized()
        self.layout_memory.track(self)
        self.tabs.currentChanged.connect(lambda _i: self._track_tab())

    def _track_tab(self) -> None:
        if self.layout_memory is not None:
            self.layout_memory.track(self.tabs.currentWidget())

    def save_layout(self) -> None:
        if self.layout_memory is not None:
            self._track_tab()  # a view built without being shown (Play from History)
            self.layout_memory.save(self)

    def bring_to_front(self) -> None:
        """From the tray, the taskbar or a second launch, as the agent left it: a maximised
        window comes back maximised (``showNormal`` would not)."""
        state = self.windowState() & ~Qt.WindowState.WindowMinimized
        if self._maximized:
            state |= Qt.WindowState.WindowMaximized
        self.setWindowState(state)
        self.show()
        self.raise_()
        self.activateWindow()

    def focus_number(self) -> None:
        """Ctrl+L / F6: to the number field with its text selected, so typing replaces it."""
        self.tabs.setCurrentIndex(0)
        self.dialer.number_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.dialer.number_edit.selectAll()

    def show_tab(self, widget: QWidget) -> None:
        """Bring forward the tab that is, or holds, ``widget`` (a tab's view is built when its
        page is first shown: see ``lazy_page.py``)."""
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and (page is widget or page.isAncestorOf(widget)):
                self.tabs.setCurrentIndex(index)
                return
        raise ValueError(f"no tab holds {widget.objectName() or widget!r}")

    def build_call_panel(self) -> None:
        from dialdeck.ui.call_panel import CallPanel  # ~20 ms with its widgets: after the paint

        self.call_panel = CallPanel()
        self.call_panel_scroll.setWidget(self.call_panel)  # the stand-in is deleted

    def paint_now(self, timeout_ms: int = 500) -> None:
        """Process events until the shown window has painted once (or ``timeout_ms`` passed):
        whatever start-up builds next comes after the agent sees the window."""
        app = QApplication.instance()
        watcher = _FirstPaint(self)
        deadline = QTimer(self)
        deadline.setSingleShot(True)
        deadline.start(timeout_ms)  # also wakes the wait below if no paint ever comes
        while app is not None and not watcher.painted and deadline.isActive():
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        deadline.stop()
        deadline.deleteLater()
        watcher.deleteLater()

    def show_about(self) -> None:
        from dialdeck.ui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_dialog = dialog
        dialog.open()

    def set_mode(self, mode: Mode, text: str, tooltip: str = "") -> None:
        """The badge: which mode Dialdeck works in, styled by ``mode``."""
        self.mode_badge.setText(text)
        self.mode_badge.setToolTip(tooltip)
        self.mode_badge.setProperty("mode", mode.value)
        self.mode_badge.style().unpolish(self.mode_badge)
        self.mode_badge.style().polish(self.mode_badge)

    def changeEvent(self, event: QEvent) -> None:
        """The system switched light/dark: redraw the icons in the new palette's colours."""
        if event.type() == QEvent.Type.PaletteChange:
            refresh_icons(self)
        elif event.type() == QEvent.Type.WindowStateChange and not self.isMinimized():
            self._maximized = self.isMaximized()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing asks the controller to shut down in order; it closes us when done."""
        if self.allow_close:
            event.accept()
            return
        event.ignore()
        self.close_requested.emit()


class _FirstPaint(QObject):
    """Notes the window's first Paint event, then stops watching."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.painted = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted = True
            watched.removeEventFilter(self)
        return False
