"""Fits any screen: the window and every dialog, at their default and their smallest size,
show every label whole (no clipped text), and Save/Cancel stay reachable."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from dialdeck.core.calls import TrackedCall
from dialdeck.core.dial_options import DialOptions
from dialdeck.core.numbers import DialNumber, check_dial_number
from dialdeck.core.recent_attempts import Attempt
from dialdeck.ui.main_window import DEFAULT_SIZE, MINIMUM_SIZE
from tests.ui.conftest import AppFactory, AppHarness
from tests.ui.test_history_notes import open_history, seeded_home
from tests.ui.test_live_call import connected_call
from tests.ui.test_settings import open_settings


def clipped_labels(root: QWidget) -> list[str]:
    """Visible labels whose text needs more room than their geometry gives them."""
    bad = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text().strip() or label.width() <= 0:
            continue
        if label.wordWrap():
            too_small = label.heightForWidth(label.width()) > label.height() + 1
        else:
            hint = label.sizeHint()
            too_small = hint.width() > label.width() + 1 or hint.height() > label.height() + 1
        if too_small:
            bad.append(f"{label.objectName() or label.text()[:40]!r} {label.size().toTuple()}")
    return bad


def settle(app: AppHarness, widget: QWidget, size: QSize | None = None) -> None:
    if size is not None:
        widget.resize(size)
    app.qtbot.waitUntil(widget.isVisible)
    app.qtbot.wait(50)  # layouts settle


def both_sizes(app: AppHarness, widget: QWidget) -> None:
    settle(app, widget)
    assert clipped_labels(widget) == [], "default size"
    settle(app, widget, widget.minimumSizeHint().expandedTo(widget.minimumSize()))
    assert clipped_labels(widget) == [], "smallest size"


def test_window_opens_within_the_screen_and_shrinks_to_800x600(make_app: AppFactory) -> None:
    app = make_app()
    window = app.window
    room = QGuiApplication.primaryScreen().availableGeometry().size()
    # Never larger than the screen, unless the screen is smaller than the minimum size (the
    # offscreen screen at QT_SCALE_FACTOR=2 is 400x400): then the minimum size.
    assert window.width() <= max(room.width(), MINIMUM_SIZE.width())
    assert window.height() <= max(room.height(), MINIMUM_SIZE.height())
    assert window.size() != DEFAULT_SIZE or room.width() >= DEFAULT_SIZE.width() + 16
    assert MINIMUM_SIZE.width() <= 800 - 40 and MINIMUM_SIZE.height() <= 600 - 80
    assert window.minimumSizeHint().boundedTo(MINIMUM_SIZE) == window.minimumSizeHint()


def test_main_window_labels_whole_at_default_and_smallest(
    make_app: AppFactory, tmp_path: object
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    app = make_app(seeded_home(tmp_path, calls=3))
    connected_call(app, "9123456789")
    both_sizes(app, app.window)
    history = open_history(app, 4)
    history.table.selectRow(0)
    both_sizes(app, app.window)
    header = history.table.horizontalHeader()
    recording = 6
    assert header.sectionSize(recording) >= history.table.fontMetrics().horizontalAdvance(
        "Downloading…"
    )
    assert header.sectionSize(recording) >= header.sectionSizeHint(recording)
    # The search box keeps its room: the filters are on their own row.
    assert history.search_edit.width() >= app.window.width() // 2


def test_settings_scrolls_and_keeps_save_reachable(make_app: AppFactory) -> None:
    app = make_app()
    dialog = open_settings(app)
    dialog.account_radio.setChecked(True)
    dialog.show_test_result(False, "The key was refused (401): check it in your account page.")
    both_sizes(app, dialog)
    room = QGuiApplication.primaryScreen().availableGeometry()
    assert dialog.height() <= room.height()
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons.isVisible() and buttons.geometry().bottom() <= dialog.height()
    dialog.reject()


def test_small_dialogs_show_their_text_whole(make_app: AppFactory) -> None:
    app = make_app()
    shell = app.controller.shell
    app.window.show_about()
    assert app.window.about_dialog is not None
    both_sizes(app, app.window.about_dialog)
    app.window.about_dialog.close()
    shell.ask_participant("call-1")
    assert shell.participant_dialog is not None
    both_sizes(app, shell.participant_dialog)
    shell.participant_dialog.reject()
    number = check_dial_number("9876543210")
    assert isinstance(number, DialNumber)
    attempt = Attempt(number.national, datetime.now(UTC), outcome_unknown=True)
    shell.confirm_redial(number, DialOptions("", True, 30), attempt)
    assert shell.confirm_box is not None
    both_sizes(app, shell.confirm_box)
    shell.confirm_box.reject()
    shell.confirm_quit([TrackedCall(call_id="c1", uuid="u1", number=number.display)])
    both_sizes(app, shell.confirm_box)
    shell.confirm_box.reject()
