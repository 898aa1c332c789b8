"""Two groups of the Settings dialog, each reading and writing its own part of the settings:
recordings retention, and the desktop (tray, start at login, links, notifications, global hotkey).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.settings import Settings
from dialdeck.ui.hotkey_field import HotkeyField


class RetentionGroup(QGroupBox):
    """How long recordings are kept: forever, some days, and/or at most some gigabytes."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Recordings"), parent)
        self.keep_forever = QRadioButton(self.tr("Keep recordings forever"))
        self.keep_forever.setObjectName("keepForeverRadio")
        self.keep_days = QRadioButton(self.tr("Delete recordings older than"))
        self.keep_days.setObjectName("keepDaysRadio")
        self.days_spin = QSpinBox()
        self.days_spin.setObjectName("retentionDaysSpin")
        self.days_spin.setAccessibleName(self.tr("Delete recordings older than (days)"))
        self.days_spin.setRange(1, 3650)
        self.days_spin.setValue(settings.retention_days or 90)
        self.days_spin.setSuffix(self.tr(" days"))
        self.cap_size = QCheckBox(self.tr("Keep at most"))
        self.cap_size.setObjectName("capSizeCheck")
        self.gb_spin = QDoubleSpinBox()
        self.gb_spin.setObjectName("retentionGbSpin")
        self.gb_spin.setAccessibleName(self.tr("Keep recordings under (GB)"))
        self.gb_spin.setRange(0.1, 10_000)
        self.gb_spin.setDecimals(1)
        self.gb_spin.setValue(settings.retention_gb or 5.0)
        self.gb_spin.setSuffix(self.tr(" GB (oldest deleted first)"))
        keep = QButtonGroup(self)
        keep.addButton(self.keep_forever)
        keep.addButton(self.keep_days)
        (self.keep_days if settings.retention_days else self.keep_forever).setChecked(True)
        self.cap_size.setChecked(settings.retention_gb is not None)
        form = QFormLayout(self)
        form.addRow(self.keep_forever)
        days_row = QHBoxLayout()
        days_row.addWidget(self.keep_days)
        days_row.addWidget(self.days_spin)
        form.addRow(days_row)
        gb_row = QHBoxLayout()
        gb_row.addWidget(self.cap_size)
        gb_row.addWidget(self.gb_spin)
        form.addRow(gb_row)
        note = QLabel(
            self.tr(
                "Recordings with notes or bookmarks, or playing, are only deleted after you confirm."
            )
        )
        note.setWordWrap(True)
        form.addRow(note)

    def apply_to(self, settings: Settings) -> None:
        settings.retention_days = self.days_spin.value() if self.keep_days.isChecked() else None
        settings.retention_gb = self.gb_spin.value() if self.cap_size.isChecked() else None


class DesktopGroup(QGroupBox):
    """Tray, start at login, tel: links, notifications and the global hotkey."""

    register_links_requested = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Desktop"), parent)
        self.close_to_tray = QCheckBox(self.tr("Closing the window keeps Dialdeck in the tray"))
        self.close_to_tray.setObjectName("closeToTrayCheck")
        self.close_to_tray.setChecked(settings.close_to_tray)
        self.start_at_login = QCheckBox(self.tr("Start Dialdeck when I log in"))
        self.start_at_login.setObjectName("startAtLoginCheck")
        self.start_at_login.setChecked(settings.start_at_login)
        self.start_minimized = QCheckBox(self.tr("…minimized to the tray"))
        self.start_minimized.setObjectName("startMinimizedCheck")
        self.start_minimized.setChecked(settings.start_minimized)
        self.dial_at_once = QCheckBox(self.tr("Dial tel: links at once (without pressing Enter)"))
        self.dial_at_once.setObjectName("dialLinksAtOnceCheck")
        self.dial_at_once.setChecked(settings.dial_links_at_once)
        self.notifications_check = QCheckBox(self.tr("Show notifications for call events"))
        self.notifications_check.setObjectName("notificationsCheck")
        self.notifications_check.setChecked(settings.notifications)
        self.register_button = QPushButton(self.tr("Make Dialdeck open tel: links"))
        self.register_button.setObjectName("registerLinksButton")
        self.register_button.clicked.connect(self._on_register)
        self.register_result = QLabel()
        self.register_result.setObjectName("registerResultLabel")
        self.register_result.setWordWrap(True)
        self.hotkey = HotkeyField(settings.global_hotkey)
        layout = QVBoxLayout(self)
        for widget in (
            self.close_to_tray,
            self.start_at_login,
            self.start_minimized,
            self.dial_at_once,
            self.notifications_check,
        ):
            layout.addWidget(widget)
        register_row = QHBoxLayout()
        register_row.addWidget(self.register_button)
        register_row.addWidget(self.register_result, 1)
        layout.addLayout(register_row)
        layout.addWidget(self.hotkey)

    def _on_register(self) -> None:
        self.register_button.setEnabled(False)
        self.register_result.setText(self.tr("Registering…"))
        self.register_links_requested.emit()

    def show_register_result(self, message: str) -> None:
        self.register_button.setEnabled(True)
        self.register_result.setText(message)

    def apply_to(self, settings: Settings) -> None:
        settings.close_to_tray = self.close_to_tray.isChecked()
        settings.start_at_login = self.start_at_login.isChecked()
        settings.start_minimized = self.start_minimized.isChecked()
        settings.dial_links_at_once = self.dial_at_once.isChecked()
        settings.notifications = self.notifications_check.isChecked()
        settings.global_hotkey = self.hotkey.text()
