"""Quick dial: a small always-on-top box. Type or paste, Enter dials, Esc closes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.numbers import DialNumber, InvalidNumber, check_dial_number
from dialdeck.ui.icons import app_icon
from dialdeck.ui.widgets import number_field

if TYPE_CHECKING:
    from dialdeck.core.contact_names import ContactNames


def _as_dialled(number: DialNumber) -> str:
    return number.display


class QuickDial(QWidget):
    dial_requested = Signal(object, str)  # DialNumber, caller ID

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("quickDial")
        self._describe: Callable[[DialNumber], str] = _as_dialled
        self.setWindowTitle(self.tr("Quick dial"))
        self.setWindowIcon(app_icon())
        self.number_edit = number_field()
        self.number_edit.setObjectName("quickNumberEdit")
        self.number_edit.setAccessibleName(self.tr("Number to call"))
        self.number_edit.setPlaceholderText(self.tr("Number or tel: link"))
        self.number_edit.setMinimumWidth(260)
        self.number_edit.textChanged.connect(self._check)
        self.number_edit.returnPressed.connect(self.request_dial)
        self.preview = QLabel(" ")
        self.preview.setObjectName("quickPreview")
        self.preview.setWordWrap(True)  # a long reason wraps; the box keeps its width
        self.caller_id_combo = QComboBox()
        self.caller_id_combo.setObjectName("quickCallerIdCombo")
        self.caller_id_combo.setAccessibleName(self.tr("Caller ID"))
        self.dial_button = QPushButton(self.tr("Dial"))
        self.dial_button.setObjectName("quickDialButton")
        self.dial_button.setDefault(True)
        self.dial_button.clicked.connect(self.request_dial)
        row = QHBoxLayout()
        row.addWidget(self.caller_id_combo, 1)
        row.addWidget(self.dial_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number_edit)
        layout.addWidget(self.preview)
        layout.addLayout(row)
        self._check("")

    def open_with(
        self,
        number: str,
        caller_ids: list[tuple[str, str]],
        current: str,
        names: ContactNames | None = None,
    ) -> None:
        """Show (or bring forward) with an optional prefilled number; ``names`` puts a contact's
        name in "Will call …", as the dialer does."""
        self._describe = names.describe if names is not None else _as_dialled
        self.caller_id_combo.clear()
        for label, value in caller_ids:
            self.caller_id_combo.addItem(label, value)
        index = self.caller_id_combo.findData(current)
        self.caller_id_combo.setCurrentIndex(max(0, index))
        self.number_edit.setText(number)
        self.show()
        self.raise_()
        self.activateWindow()
        self.number_edit.setFocus()
        self.number_edit.selectAll()

    def request_dial(self) -> None:
        result = check_dial_number(self.number_edit.text())
        if isinstance(result, InvalidNumber):
            self._show(str(result), error=True)
            return
        self.dial_requested.emit(result, str(self.caller_id_combo.currentData() or ""))
        self.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.hide()

    def _check(self, text: str) -> None:
        if not text.strip():
            self._show(" ", error=False)
            self.dial_button.setEnabled(False)
            return
        result = check_dial_number(text)
        if isinstance(result, DialNumber):
            will_call = self.tr("Will call {number}").format(number=self._describe(result))
            self._show(will_call, error=False)
        else:
            self._show(str(result), error=True)
        self.dial_button.setEnabled(isinstance(result, DialNumber))

    def _show(self, text: str, *, error: bool) -> None:
        self.preview.setText(text)
        self.preview.setStyleSheet("color: #e03e3e;" if error else "")
