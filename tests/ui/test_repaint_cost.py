"""What a repaint costs: icons are rendered once per size, and the call timer's tick repaints
the timer, not the window (it used to re-lay out and repaint every widget once a second)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dialdeck.ui.icons import SvgIconEngine, icon
from dialdeck.ui.main_window import MainWindow


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted: Counter[str] = Counter()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.painted[watched.objectName() or type(watched).__name__] += 1
        return False


def test_icons_render_once_per_size_and_still_draw(qapp: QApplication) -> None:
    themed = icon("person-add")
    first = themed.pixmap(QSize(24, 24))
    assert themed.pixmap(QSize(24, 24)).cacheKey() == first.cacheKey()  # not rendered again
    image = QImage(48, 48, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(2.0)
    image.fill(0)
    painter = QPainter(image)
    themed.paint(painter, 0, 0, 24, 24)
    painter.end()
    drawn = [image.pixelColor(x, y).alpha() for x in range(48) for y in range(48)]
    assert max(drawn) > 200  # crisp at 2x: full-resolution pixels, not an upscaled 24 px one
    disabled = themed.pixmap(QSize(24, 24), QIcon.Mode.Disabled).toImage()
    faint = max(disabled.pixelColor(x, y).alpha() for x in range(24) for y in range(24))
    assert 60 < faint < 140
    engine = SvgIconEngine(b"<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/>")
    for size in range(1, 40):  # sizes without end never grow the cache without end
        engine.pixmap(QSize(size, size), QIcon.Mode.Normal, QIcon.State.Off)
    assert isinstance(engine.pixmap(QSize(1, 1), QIcon.Mode.Normal, QIcon.State.Off), QPixmap)
    assert len(engine._pixmaps) <= SvgIconEngine.CACHED


def test_a_timer_tick_repaints_only_the_timer(qtbot: QtBot, qapp: QApplication) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.call_panel.stack.setCurrentIndex(1)  # the call's page, as when a call is followed
    label = window.call_panel.timer_label
    label.setText("0:01")
    qtbot.wait(50)
    counter = PaintCounter()
    qapp.installEventFilter(counter)
    try:
        for text in ("0:02", "0:13", "9:59", "1:00:00", "12:34:56"):
            label.setText(text)
            qtbot.wait(30)
    finally:
        qapp.removeEventFilter(counter)
    assert counter.painted["callTimerLabel"] >= 1
    assert counter.painted["dialButton"] == 0, counter.painted  # the dialer was not repainted
    assert counter.painted["key_1"] == 0, counter.painted
