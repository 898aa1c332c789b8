"""Composition root (placeholder until the desktop app lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv if argv is None else ["dialdeck", *argv])
    window = QMainWindow()
    window.setWindowTitle("Dialdeck")
    window.show()
    return app.exec()
