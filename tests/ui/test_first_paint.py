"""Start-up paints the window before building the call panel: a look-alike stands in for it, so
the window appears sooner and the agent sees no change when the real panel takes its place."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from dialdeck.ui.main_window import MainWindow


def test_the_stand_in_looks_exactly_like_the_call_panel_with_no_call(qtbot: QtBot) -> None:
    window = MainWindow(defer_call_panel=True)
    qtbot.addWidget(window)
    assert not hasattr(window, "call_panel")
    window.show()
    window.paint_now()
    stand_in = window.findChild(QWidget, "callPanelStandIn")
    assert stand_in is not None and stand_in.isVisible()
    before = window.call_panel_scroll.grab().toImage()
    colours = {
        before.pixel(x, y)
        for x in range(0, before.width(), 3)
        for y in range(0, before.height(), 3)
    }
    assert len(colours) > 2  # the "No call yet" text is drawn, not an empty area

    window.build_call_panel()
    assert window.findChild(QWidget, "callPanelStandIn") is None  # deleted, not left hidden
    assert window.call_panel_scroll.widget() is window.call_panel
    qtbot.waitUntil(window.call_panel.isVisible)
    after = window.call_panel_scroll.grab().toImage()
    assert after.size() == before.size()
    assert after == before  # pixel for pixel


def test_paint_now_returns_once_painted_and_never_hangs(qtbot: QtBot, qapp: QApplication) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    started = time.monotonic()
    window.paint_now(timeout_ms=5_000)
    assert time.monotonic() - started < 2.0  # returned at the paint, long before the deadline

    hidden = MainWindow()
    qtbot.addWidget(hidden)
    started = time.monotonic()
    hidden.paint_now(timeout_ms=200)  # never shown: no paint comes, the deadline ends the wait
    assert 0.15 < time.monotonic() - started < 2.0
