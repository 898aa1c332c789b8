"""SVG icons, recoloured to the current palette, rendered on demand at the exact size and
device pixel ratio asked for (crisp on high-DPI screens, nothing rendered at start-up), and kept
as pixmaps so repaints do not render them again."""

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
    """Renders the SVG once per size, mode and device pixel ratio, then paints that pixmap: a
    repaint (the call timer's, once a second) costs a blit, not an SVG render."""

    CACHED = 16  # pixmaps per icon: a few sizes at one or two pixel ratios

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._renderer = QSvgRenderer(QByteArray(svg))
        self._pixmaps: dict[tuple[int, int, QIcon.Mode, QIcon.State, float], QPixmap] = {}

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        scale = device.devicePixelRatioF() if device is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        key = (size.width(), size.height(), mode, state, scale)
        cached = self._pixmaps.get(key)
        if cached is not None:
            return cached
        pixmap = QPixmap(size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        self._renderer.render(painter, QRectF(0, 0, pixmap.width(), pixmap.height()))
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        if len(self._pixmaps) >= self.CACHED:
            self._pixmaps.clear()
        self._pixmaps[key] = pixmap
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
