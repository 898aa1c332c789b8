"""Uncaught errors: logged, then shown in a dialog with a "Copy details" button."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.redact import redact_text

log = logging.getLogger("dialdeck.crash")


class CrashDialog(QDialog):
    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(self.tr("Dialdeck ran into a problem"))
        layout = QVBoxLayout(self)
        label = QLabel(
            self.tr(
                "Something unexpected went wrong. Your calls and history are safe. "
                "If it happens again, copy the details below and send them to support."
            )
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Error details"))
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(self.tr("Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("copyDetailsButton")
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details.toPlainText())


def install_excepthook(secrets: tuple[str, ...] = ()) -> None:
    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.error("uncaught error", exc_info=(kind, value, tb))
        details = redact_text("".join(traceback.format_exception(kind, value, tb)), secrets)
        if QApplication.instance() is not None:
            CrashDialog(details).exec()

    sys.excepthook = hook
