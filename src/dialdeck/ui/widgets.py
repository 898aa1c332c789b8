"""Small widget builders shared by the list views (History, Recordings)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QWidget,
)


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
    return edit, timer


def row_table(model: QAbstractItemModel, *, name: str, accessible: str) -> QTableView:
    """A read-only table that selects whole rows, one at a time."""
    table = QTableView()
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    return table


def with_empty_state(table: QTableView, empty: QLabel) -> QStackedWidget:
    """The table, or a friendly centred message when there is nothing to show."""
    empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
    empty.setWordWrap(True)
    stack = QStackedWidget()
    stack.addWidget(table)
    stack.addWidget(empty)
    return stack
