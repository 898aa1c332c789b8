"""SVG icons, recoloured to the current palette and rendered for high-DPI screens."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from dialdeck.resources import resource_path

PLACEHOLDER = "#010203"  # the fill colour our SVGs are drawn in; replaced at load time
SIZES = (16, 20, 24, 32, 48)


def _render(svg: bytes, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg))
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@cache
def _icon(name: str, color: str) -> QIcon:
    svg = (
        resource_path(f"icons/{name}.svg")
        .read_bytes()
        .replace(PLACEHOLDER.encode(), color.encode())
    )
    icon = QIcon()
    for size in SIZES:
        for ratio in (1.0, 2.0):
            icon.addPixmap(_render(svg, size, ratio))
    return icon


def icon(name: str, color: QColor | None = None) -> QIcon:
    if color is None:
        app = QGuiApplication.instance()
        palette = app.palette() if isinstance(app, QGuiApplication) else QPalette()
        color = palette.color(QPalette.ColorRole.WindowText)
    return _icon(name, color.name())


def app_icon() -> QIcon:
    return _icon("dialdeck", PLACEHOLDER)
