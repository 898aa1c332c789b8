"""SVG icons, recoloured to the current palette, rendered on demand at the exact size and
device pixel ratio asked for (crisp on high-DPI screens, nothing rendered at start-up)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QWidget

from dialdeck.resources import resource_path

PLACEHOLDER = "#010203"  # the fill colour our SVGs are drawn in; replaced at load time


class SvgIconEngine(QIconEngine):
    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._renderer = QSvgRenderer(QByteArray(svg))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        self._renderer.render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixmap = QPixmap(size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, pixmap.width(), pixmap.height()), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._svg)


@cache
def _icon(name: str, color: str) -> QIcon:
    svg = (
        resource_path(f"icons/{name}.svg")
        .read_bytes()
        .replace(PLACEHOLDER.encode(), color.encode())
    )
    return QIcon(SvgIconEngine(svg))


def icon(name: str, color: QColor | None = None) -> QIcon:
    if color is None:
        app = QGuiApplication.instance()
        palette = app.palette() if isinstance(app, QGuiApplication) else QPalette()
        color = palette.color(QPalette.ColorRole.WindowText)
    return _icon(name, color.name())


ICON_PROPERTY = "dialdeckIcon"  # remembered on each widget/action so a theme switch can redraw it


def set_icon(
    target: QAbstractButton | QAction,
    name: str,
    role: QPalette.ColorRole = QPalette.ColorRole.WindowText,
) -> None:
    """Give ``target`` a palette-coloured icon that follows light/dark switches (see refresh)."""
    target.setProperty(ICON_PROPERTY, f"{name}|{role.name}")
    app = QGuiApplication.instance()
    palette = app.palette() if isinstance(app, QGuiApplication) else QPalette()
    target.setIcon(icon(name, palette.color(role)))


def refresh_icons(root: QWidget) -> None:
    """Redraw every themed icon under ``root`` in the current palette's colours."""
    targets: list[QAbstractButton | QAction] = [
        *root.findChildren(QAbstractButton),
        *root.findChildren(QAction),
    ]
    for target in targets:
        value = target.property(ICON_PROPERTY)
        if isinstance(value, str) and "|" in value:
            name, role = value.split("|", 1)
            set_icon(target, name, QPalette.ColorRole[role])


def app_icon() -> QIcon:
    return _icon("dialdeck", PLACEHOLDER)
