"""Settings: sandbox or a real CloudDialer account, agent identity, defaults, Test connection.

The dialog never touches the network or the keyring itself: it emits what the user asked for and
the controller does the work off the GUI thread, reporting back through :meth:`show_test_result`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.api.client import check_base_url
from dialdeck.core.api.errors import ApiError
from dialdeck.core.api.keys import api_key_problem, clean_api_key
from dialdeck.core.dispositions import DEFAULT_DISPOSITIONS
from dialdeck.core.numbers import DialNumber, check_dial_number
from dialdeck.core.settings import (
    DEFAULT_BASE_URL,
    AccountSettings,
    PollSpeed,
    Settings,
    parse_dispositions,
)
from dialdeck.ui.settings_groups import DesktopGroup, RetentionGroup
from dialdeck.ui.widgets import fit_to_screen, scrolling


@dataclass(frozen=True)
class SettingsResult:
    settings: Settings
    api_key: str | None  # None: unchanged


class SettingsDialog(QDialog):
    test_requested = Signal(str, str)  # base_url, api key ("" means: the stored one)
    register_links_requested = Signal()

    def __init__(
        self,
        settings: Settings,
        *,
        key_stored: bool,
        secure_keyring: bool,
        try_hotkey: Callable[[str], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Dialdeck settings"))
        self._original = settings
        account = settings.account or AccountSettings()

        self.sandbox_radio = QRadioButton(self.tr("Sandbox: simulated calls, no account needed"))
        self.sandbox_radio.setObjectName("sandboxRadio")
        self.account_radio = QRadioButton(self.tr("My CloudDialer account"))
        self.account_radio.setObjectName("accountRadio")
        mode = QButtonGroup(self)
        mode.addButton(self.sandbox_radio)
        mode.addButton(self.account_radio)
        (self.account_radio if settings.account else self.sandbox_radio).setChecked(True)

        self.base_url_edit = QLineEdit(account.base_url or DEFAULT_BASE_URL)
        self.base_url_edit.setObjectName("baseUrlEdit")
        self.base_url_edit.setAccessibleName(self.tr("API address"))
        self.base_url_problem = QLabel()
        self.base_url_problem.setObjectName("baseUrlProblem")
        self.base_url_problem.setProperty("state", "error")
        self.base_url_problem.setWordWrap(True)
        self.base_url_problem.hide()
        self.api_key_edit = QLineEdit()
        self.api_key_edit.setObjectName("apiKeyEdit")
        self.api_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key_edit.setAccessibleName(self.tr("API key"))
        if secure_keyring:
            placeholder = (
                self.tr("Stored in the keyring: type to replace")
                if key_stored
                else self.tr("Paste your API key")
            )
        else:  # no keyring: say where the key really is
            placeholder = (
                self.tr("Kept for this session only: type to replace")
                if key_stored
                else self.tr("Paste your API key (kept for this session only)")
            )
        self.api_key_edit.setPlaceholderText(placeholder)
        self.caller_ids_edit = QLineEdit(", ".join(account.caller_ids))
        self.caller_ids_edit.setObjectName("callerIdsEdit")
        self.caller_ids_edit.setAccessibleName(self.tr("Caller IDs"))
        self.caller_ids_edit.setPlaceholderText("919800000000, 919800000001")
        self.agent_kind = QComboBox()
        self.agent_kind.setObjectName("agentKindCombo")
        self.agent_kind.setAccessibleName(self.tr("How you are rung"))
        self.agent_kind.addItem(self.tr("Browser softphone (CRM username)"), "crm")
        self.agent_kind.addItem(self.tr("My phone number"), "number")
        self.agent_kind.setCurrentIndex(
            1 if account.agent_number and not account.crm_username else 0
        )
        self.agent_edit = QLineEdit(account.crm_username or account.agent_number)
        self.agent_edit.setObjectName("agentEdit")
        self.agent_edit.setAccessibleName(self.tr("Agent identity"))

        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("testConnectionButton")
        self.test_button.clicked.connect(self._on_test)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResultLabel")
        self.test_result.setWordWrap(True)

        keyring_note = QLabel(
            self.tr("The key is kept in your system keyring, never in a file.")
            if secure_keyring
            else self.tr(
                "No secure keyring is available on this computer: the key will be kept "
                "for this session only and must be entered again next time."
            )
        )
        keyring_note.setObjectName("keyringNote")
        keyring_note.setWordWrap(True)

        self.account_box = QGroupBox(self.tr("Account"))
        form = QFormLayout(self.account_box)
        form.addRow(self.tr("API address"), self.base_url_edit)
        form.addRow("", self.base_url_problem)
        form.addRow(self.tr("API key"), self.api_key_edit)
        form.addRow("", keyring_note)
        form.addRow(self.tr("Caller IDs"), self.caller_ids_edit)
        agent_row = QHBoxLayout()
        agent_row.addWidget(self.agent_kind)
        agent_row.addWidget(self.agent_edit, 1)
        form.addRow(self.tr("Ring me on"), agent_row)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        form.addRow("", test_row)

        self.recording_check = QCheckBox(self.tr("Record calls by default"))
        self.recording_check.setObjectName("defaultRecordingCheck")
        self.recording_check.setChecked(settings.recording)
        self.ring_spin = QSpinBox()
        self.ring_spin.setObjectName("defaultRingSpin")
        self.ring_spin.setRange(5, 120)
        self.ring_spin.setValue(settings.max_ring_time)
        self.ring_spin.setSuffix(self.tr(" s"))
        self.poll_combo = QComboBox()
        self.poll_combo.setObjectName("pollSpeedCombo")
        for speed, label in (
            (PollSpeed.FAST, self.tr("Fast (more requests)")),
            (PollSpeed.NORMAL, self.tr("Normal")),
            (PollSpeed.RELAXED, self.tr("Relaxed (slow connections)")),
        ):
            self.poll_combo.addItem(label, speed.value)
        self.poll_combo.setCurrentIndex(self.poll_combo.findData(settings.poll_speed.value))
        self.dispositions_edit = QLineEdit(", ".join(settings.dispositions))
        self.dispositions_edit.setObjectName("dispositionsEdit")
        self.dispositions_edit.setAccessibleName(self.tr("Call outcomes, comma-separated"))
        self.dispositions_edit.setToolTip(
            self.tr("Offered in the wrap-up after each call and in History, e.g. Sale, Call back")
        )
        defaults = QGroupBox(self.tr("Calls"))
        defaults_form = QFormLayout(defaults)
        defaults_form.addRow("", self.recording_check)
        defaults_form.addRow(self.tr("Ring each phone for"), self.ring_spin)
        defaults_form.addRow(self.tr("Live updates"), self.poll_combo)
        defaults_form.addRow(self.tr("Call outcomes"), self.dispositions_edit)

        self.retention = RetentionGroup(settings)
        self.desktop = DesktopGroup(settings)
        self.desktop.register_links_requested.connect(self.register_links_requested)
        self.hotkey = self.desktop.hotkey
        self.try_hotkey = try_hotkey

        self.error_label = QLabel()
        self.error_label.setObjectName("settingsError")
        self.error_label.setProperty("state", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("settingsSaveButton")

        # Everything but the error and Save/Cancel scrolls: those stay reachable on any screen.
        content = QWidget()
        content_layout = QVBoxLayout(content)
        # Shown when Dialdeck was started with --sandbox (see forced_sandbox).
        self.forced_note = QLabel(
            self.tr(
                "Dialdeck was started with --sandbox: it uses the simulator until it is started "
                "without it. An account chosen here is saved for then."
            )
        )
        self.forced_note.setObjectName("forcedSandboxNote")
        self.forced_note.setWordWrap(True)
        self.forced_note.hide()
        for part in (self.forced_note, self.sandbox_radio, self.account_radio, self.account_box,
                     defaults, self.retention, self.desktop):  # fmt: skip
            content_layout.addWidget(part)
        content_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(content, name="settingsScroll"), 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        fit_to_screen(self, content.sizeHint() + QSize(40, 80))
        self.sandbox_radio.toggled.connect(self._update_enabled)
        self.base_url_edit.textChanged.connect(self._update_enabled)
        self.hotkey.changed.connect(self._update_enabled)
        self._update_enabled()
        # The keyboard starts at the mode in use (one Tab away from nothing, before).
        (self.account_radio if settings.account else self.sandbox_radio).setFocus()
        self.chosen: SettingsResult | None = None
        self._key_stored = key_stored

    def base_url_error(self) -> str:
        """Why the typed API address cannot be used; empty when it can."""
        try:
            check_base_url(self.base_url_edit.text())
        except ApiError as exc:
            return str(exc)
        return ""

    def _update_enabled(self) -> None:
        account = self.account_radio.isChecked()
        self.account_box.setEnabled(account)
        problem = self.base_url_error() if account else ""
        self.base_url_problem.setText(problem)
        self.base_url_problem.setVisible(bool(problem))
        self.save_button.setEnabled(not problem and not self.hotkey.problem())
        self.test_button.setEnabled(not problem)

    def _on_test(self) -> None:
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Testing…"))
        key = clean_api_key(self.api_key_edit.text())
        if (problem := api_key_problem(key)) is not None:
            self.show_test_result(False, problem)
            return
        self.test_requested.emit(self.base_url_edit.text().strip(), key)

    def show_register_result(self, message: str) -> None:
        self.desktop.show_register_result(message)

    def show_test_result(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(message)
        self.test_result.setProperty("state", "ok" if ok else "error")
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def accept(self) -> None:
        settings = Settings.from_json(self._original.to_json())
        settings.recording = self.recording_check.isChecked()
        settings.max_ring_time = self.ring_spin.value()
        settings.poll_speed = PollSpeed(self.poll_combo.currentData())
        self.retention.apply_to(settings)
        self.desktop.apply_to(settings)
        settings.dispositions = parse_dispositions(self.dispositions_edit.text()) or list(
            DEFAULT_DISPOSITIONS
        )
        key = clean_api_key(self.api_key_edit.text()) or None
        if key is not None and (problem := api_key_problem(key)) is not None:
            self._fail(problem)
            return
        if self.sandbox_radio.isChecked():
            settings.account = None
            self._done(SettingsResult(settings, None))
            return
        caller_ids = [
            c.strip().replace(" ", "") for c in self.caller_ids_edit.text().split(",") if c.strip()
        ]
        if not caller_ids:
            self._fail(self.tr("Enter at least one caller ID assigned to your account."))
            return
        agent = self.agent_edit.text().strip()
        if not agent:
            self._fail(self.tr("Enter your CRM username or your phone number."))
            return
        if problem := self.base_url_error():
            self._fail(problem)
            return
        account = AccountSettings(
            base_url=check_base_url(self.base_url_edit.text()), caller_ids=caller_ids
        )
        if self.agent_kind.currentData() == "number":
            number = check_dial_number(agent)
            if not isinstance(number, DialNumber):
                self._fail(self.tr("Your phone number: {problem}").format(problem=number))
                return
            account.agent_number = number.national
        else:
            account.crm_username = agent
        if key is None and not self._key_stored:
            self._fail(self.tr("Enter your API key."))
            return
        settings.account = account
        if settings.caller_id not in caller_ids:
            settings.caller_id = caller_ids[0]
        self._done(SettingsResult(settings, key))

    def _done(self, result: SettingsResult) -> None:
        """Last, once all else is valid: a new hotkey is registered now, so that a chord another
        application holds is said here (the old hotkey keeps working) rather than after closing."""
        chord = result.settings.global_hotkey
        if (
            self.try_hotkey is not None
            and chord != self._original.global_hotkey
            and (refusal := self.try_hotkey(chord))
        ):
            self.hotkey.show_refusal(refusal)
            return
        self.chosen = result
        super().accept()
