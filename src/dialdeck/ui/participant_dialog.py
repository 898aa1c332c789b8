"""Add a participant / transfer: one number through the same pipeline as the dialer."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from dialdeck.core.numbers import DialNumber, check_dial_number


class AddParticipantDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Wide enough that its wrapped explanation never needs more lines than it gets.
        self.setMinimumWidth(380)
        self.setObjectName("addParticipantDialog")
        self.setWindowTitle(self.tr("Add participant / Transfer"))
        self.number: DialNumber | None = None
        explain = QLabel(
            self.tr(
                "Dialdeck rings this number into the call. To transfer, talk to your colleague "
                "first, then hang up: the customer and your colleague stay connected."
            )
        )
        explain.setWordWrap(True)
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("participantNumberEdit")
        self.number_edit.setAccessibleName(self.tr("Colleague's number"))
        self.number_edit.setPlaceholderText(self.tr("Colleague's number"))
        self.preview = QLabel(" ")
        self.preview.setObjectName("participantPreview")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Ring colleague"))
        ok.setObjectName("ringParticipantButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.number_edit.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.number_edit)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self._check("")
        # A window's minimum height ignores wrapped text: measure it at the minimum width.
        layout.activate()
        self.setMinimumHeight(layout.totalHeightForWidth(self.minimumWidth()))

    def _check(self, text: str) -> None:
        result = check_dial_number(text)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if isinstance(result, DialNumber):
            self.number = result
            self.preview.setText(self.tr("Will ring {number}").format(number=result.display))
            self.preview.setProperty("state", "ok")
        else:
            self.number = None
            self.preview.setText(str(result) if text.strip() else " ")
            self.preview.setProperty("state", "error")
        self.preview.style().unpolish(self.preview)
        self.preview.style().polish(self.preview)
        ok.setEnabled(self.number is not None)

    def accept(self) -> None:
        if self.number is not None:
            super().accept()
