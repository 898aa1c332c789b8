"""Small widget builders shared by the views: list views, scrolling, fitting the screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QWidget,
)

from dialdeck.core.numbers import drop_format_characters


def search_field(
    owner: QWidget,
    *,
    name: str,
    placeholder: str,
    accessible: str,
    on_settled: Callable[[], None],
    delay_ms: int = 200,
) -> tuple[QLineEdit, QTimer]:
    """A search box that reports once typing pauses (search as you type, without a query per key)."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setAccessibleName(accessible)
    edit.setClearButtonEnabled(True)
    timer = QTimer(owner)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(on_settled)
    edit.textChanged.connect(lambda _text: timer.start())
    # Ctrl+F (the platform's Find) goes to the search of the tab in view: a shortcut whose
    # owner is hidden (another tab) never fires, so each tab's box answers only there.
    find = QShortcut(
        QKeySequence.StandardKey.Find, owner, context=Qt.ShortcutContext.WindowShortcut
    )

    def focus_search() -> None:
        edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        edit.selectAll()

    find.activated.connect(focus_search)
    return edit, timer


def row_table(
    model: QAbstractItemModel, *, name: str, accessible: str, always_shown: int = 1
) -> QTableView:
    """A read-only table that selects whole rows, one at a time; its header's menu (right-click)
    shows and hides all but the first ``always_shown`` columns."""
    table = QTableView()
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move between rows)
    column_chooser(table, always=always_shown)
    return table


def column_chooser(table: QTableView, *, always: int = 1) -> None:
    """Right-click on the header: show or hide columns (the first ``always`` stay). Hidden
    columns are part of the header's state, so they are kept across starts (window_layout)."""
    header = table.horizontalHeader()
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def choose(position: QPoint) -> None:
        menu = column_menu(table, always=always)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(header.mapToGlobal(position))

    header.customContextMenuRequested.connect(choose)


def column_menu(table: QTableView, *, always: int = 1) -> QMenu:
    header = table.horizontalHeader()
    menu = QMenu(header)
    menu.setObjectName(f"{table.objectName()}Columns")
    model = table.model()
    for column in range(always, header.count()):
        action = menu.addAction(str(model.headerData(column, Qt.Orientation.Horizontal)))
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(column))
        action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
    return menu


def elide_long_items(view: QListView) -> None:
    """A long entry (a contact's long name) is shortened with "…" in its middle to the list's
    width, keeping its start and its end (the call's state), instead of widening the list behind
    a horizontal scroll bar. Where the text is set, its tooltip says it whole."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    view.setResizeMode(QListView.ResizeMode.Adjust)


def with_empty_state(table: QTableView, empty: QLabel) -> QStackedWidget:
    """The table, or a friendly centred message when there is nothing to show."""
    empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
    empty.setWordWrap(True)
    stack = QStackedWidget()
    stack.addWidget(table)
    stack.addWidget(empty)
    return stack


def show_table(stack: QStackedWidget, table: QTableView) -> None:
    """Show ``table`` (not its empty state) once rows have landed, its ResizeToContents columns
    fitted to them. Qt lays out inserted rows a turn later and its header does not fit those
    columns again afterwards: the first rows of an empty table showed squeezed, elided dates."""
    stack.setCurrentWidget(table)
    table.doItemsLayout()  # the rows just inserted, laid out now rather than next turn
    table.horizontalHeader().resizeSections()


# Room left around a window for its frame and title bar, which Qt does not count in its size.
FRAME_ALLOWANCE = QSize(16, 48)


def fit_to_screen(window: QWidget, preferred: QSize) -> None:
    """Open at ``preferred``, never larger than the screen's free area (taskbar excluded):
    an 800x600 screen, or 200% scaling on a small laptop, gets a window that fits."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    room = screen.availableGeometry()
    size = preferred.boundedTo(room.size() - FRAME_ALLOWANCE).expandedTo(window.minimumSize())
    window.resize(size)


def scrolling(content: QWidget, *, name: str) -> QScrollArea:
    """``content`` in a frameless scroll area: on a small screen it scrolls instead of forcing
    the window taller than the screen."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(content)
    return area


def number_field() -> QLineEdit:
    """A line edit for a phone number. Invisible formatting characters pasted with a number
    (WhatsApp and Outlook wrap numbers in right-to-left marks and isolates) are dropped as they
    arrive: left in, they turn the field right-to-left ("43210 98765 91+")."""
    edit = QLineEdit()

    def drop_invisible(text: str) -> None:
        visible = drop_format_characters(text)
        if visible != text:
            cursor = len(drop_format_characters(text[: edit.cursorPosition()]))
            edit.setText(visible)
            edit.setCursorPosition(cursor)

    edit.textEdited.connect(drop_invisible)
    return edit
