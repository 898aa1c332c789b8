"""The waveform overview: the whole recording at a glance; click anywhere to jump there."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class WaveformWidget(QWidget):
    seek_requested = Signal(int)  # ms

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waveform")
        self.setAccessibleName(self.tr("Waveform overview: click to jump"))
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.peaks: list[float] = []
        self.duration_ms = 0
        self.position_ms = 0
        self.marks: list[int] = []  # bookmark positions
        self.message = ""

    def sizeHint(self) -> QSize:
        return QSize(400, 72)

    def set_peaks(self, peaks: list[float], message: str = "") -> None:
        self.peaks = peaks
        self.message = message
        self.update()

    def set_duration(self, ms: int) -> None:
        self.duration_ms = ms
        self.update()

    def set_position(self, ms: int) -> None:
        self.position_ms = ms
        self.update()

    def set_marks(self, marks: list[int]) -> None:
        self.marks = marks
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.duration_ms and event.button() == Qt.MouseButton.LeftButton:
            fraction = min(1.0, max(0.0, event.position().x() / max(1, self.width())))
            self.seek_requested.emit(int(fraction * self.duration_ms))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        width, height = self.width(), self.height()
        middle = height / 2
        played = palette.color(QPalette.ColorRole.Highlight)
        rest = QColor(palette.color(QPalette.ColorRole.Text))
        rest.setAlphaF(0.35)
        if self.peaks:
            cut = width * (self.position_ms / self.duration_ms) if self.duration_ms else 0
            step = width / len(self.peaks)
            for index, peak in enumerate(self.peaks):
                x = index * step
                bar = max(1.0, peak * (height - 8) / 2)
                painter.fillRect(
                    QRectF(x, middle - bar, max(1.0, step - 0.5), 2 * bar),
                    played if x < cut else rest,
                )
        elif self.message:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
        if self.duration_ms:
            painter.setPen(QPen(QColor("#d69e2e"), 2))
            for mark in self.marks:
                x = width * mark / self.duration_ms
                painter.drawLine(QPointF(x, 0), QPointF(x, 6))
            painter.setPen(QPen(played, 2))
            x = width * self.position_ms / self.duration_ms
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
        painter.end()
