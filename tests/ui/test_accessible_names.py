"""Every control a screen reader lands on says what it is: its own accessible name, or the label
that names it (a form's label is its buddy). Checked on every tab and in Settings."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QWidget,
)

from tests.ui.conftest import AppFactory
from tests.ui.test_library import hist, lib
from tests.ui.test_settings import open_settings

CONTROLS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QAbstractItemView,
            QAbstractSlider)  # fmt: skip


def unnamed(root: QWidget) -> list[str]:
    named_by_label = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()}
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QScrollBar | QHeaderView):
            continue
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLineEdit) and isinstance(
            widget.parent(), QAbstractSpinBox | QComboBox | QKeySequenceEdit
        ):
            continue  # the editor inside a spin, combo or key box: the box is named
        if not widget.accessibleName() and id(widget) not in named_by_label:
            missing.append(f"{type(widget).__name__} {widget.objectName() or '(no name)'}")
    return missing


def test_every_control_is_named_on_every_tab_and_in_settings(make_app: AppFactory) -> None:
    app = make_app()
    window = app.window
    assert unnamed(window) == []
    for view in (hist(app).history_view, lib(app).library_view):
        window.show_tab(view)
        assert unnamed(view) == [], type(view).__name__
    contacts = app.controller.contacts_tab
    assert contacts is not None
    window.show_tab(contacts.view)
    assert unnamed(contacts.view) == []
    dialog = open_settings(app)
    assert unnamed(dialog) == []
    dialog.reject()
