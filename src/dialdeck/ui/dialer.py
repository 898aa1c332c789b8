"""The dialer: number field with live preview, keypad, caller ID, recording, recent numbers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.dial_options import DialOptions
from dialdeck.core.numbers import DialNumber, InvalidNumber, check_dial_number
from dialdeck.ui.icons import set_icon
from dialdeck.ui.widgets import elide_long_items, number_field

KEYPAD = [("1", ""), ("2", "ABC"), ("3", "DEF"), ("4", "GHI"), ("5", "JKL"), ("6", "MNO"),
          ("7", "PQRS"), ("8", "TUV"), ("9", "WXYZ"), ("*", ""), ("0", "+"), ("#", "")]  # fmt: skip
DIAL_KEYS = set("0123456789*#+")


class DialerPanel(QWidget):
    """Passive widget: emits :attr:`dial_requested`; the controller decides what happens."""

    dial_requested = Signal(object, object)  # DialNumber, DialOptions: a complete request
    number_settled = Signal(object)  # DialNumber: a valid number stayed in the field a moment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dialerPanel")
        self.setMinimumWidth(320)
        self._busy = False
        self._ready = False  # services not started yet: typing works, dialling waits
        self._said_not_ready = False  # the preview says why Enter did nothing: stale once ready
        # "Asha Rao (Acme) · +91 98765 43210": set by the conductor once contacts are loaded.
        self.describe_number: Callable[[DialNumber], str] = lambda number: number.display
        self._unavailable = ""  # why dialling cannot work at all right now
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(300)
        self._settle.timeout.connect(self._on_settled)

        self.number_edit = number_field()
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setPlaceholderText(self.tr("Number or tel: link"))
        self.number_edit.setAccessibleName(self.tr("Phone number"))
        # One way to clear, not three: the labelled Clear button beside the field (and Esc).
        big = QFont(self.number_edit.font())
        big.setPointSizeF(big.pointSizeF() * 1.5)
        self.number_edit.setFont(big)
        self.number_edit.setMinimumHeight(40)
        self.number_edit.textChanged.connect(self._on_text_changed)
        self.number_edit.returnPressed.connect(self.request_dial)

        self.preview = QLabel(" ")
        self.preview.setObjectName("numberPreview")
        self.preview.setAccessibleName(self.tr("Number check"))
        self.preview.setWordWrap(True)

        keypad = QGridLayout()
        keypad.setSpacing(6)
        self.keys: dict[str, QToolButton] = {}
        for index, (digit, letters) in enumerate(KEYPAD):
            button = QToolButton()
            button.setText(f"{digit}\n{letters}" if letters else digit)
            button.setObjectName(
                f"key_{ {'*': 'star', '#': 'hash'}.get(digit, digit) }".replace(" ", "")
            )
            button.setAccessibleName(self.tr("Key {digit}").format(digit=digit))
            button.setMinimumSize(QSize(64, 48))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep focus in the number field
            button.clicked.connect(lambda _=False, d=digit: self.press(d))
            keypad.addWidget(button, index // 3, index % 3)
            self.keys[digit] = button

        self.backspace_button = QToolButton()
        self.backspace_button.setObjectName("backspaceButton")
        set_icon(self.backspace_button, "backspace")
        self.backspace_button.setToolTip(self.tr("Delete last digit (Backspace)"))
        self.backspace_button.setAccessibleName(self.tr("Delete last digit"))
        self.backspace_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.backspace_button.clicked.connect(self.backspace)
        self.clear_button = QToolButton()
        self.clear_button.setObjectName("clearButton")
        set_icon(self.clear_button, "clear")
        self.clear_button.setText(self.tr("Clear"))
        self.clear_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.clear_button.setToolTip(self.tr("Clear the number (Esc)"))
        self.clear_button.setAccessibleName(self.tr("Clear number"))
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.clicked.connect(self.clear)

        self.caller_id_combo = QComboBox()
        self.caller_id_combo.setObjectName("callerIdCombo")
        self.caller_id_combo.setAccessibleName(self.tr("Caller ID"))
        # Filled once connected (the account's numbers, or the sandbox's): empty until then.
        self.caller_id_combo.setPlaceholderText(self.tr("Connecting…"))
        self.recording_check = QCheckBox(self.tr("Record the call"))
        self.recording_check.setObjectName("recordingCheck")
        self.recording_check.setChecked(True)
        self.ring_time_spin = QSpinBox()
        self.ring_time_spin.setObjectName("ringTimeSpin")
        self.ring_time_spin.setRange(5, 120)
        self.ring_time_spin.setValue(30)
        self.ring_time_spin.setSuffix(self.tr(" s"))
        self.ring_time_spin.setAccessibleName(self.tr("Ring time in seconds"))

        self.dial_button = QPushButton(self.tr("Dial"))
        set_icon(self.dial_button, "call", QPalette.ColorRole.ButtonText)
        self.dial_button.setObjectName("dialButton")
        self.dial_button.setAccessibleName(self.tr("Dial"))
        self.dial_button.setToolTip(self.tr("Place the call (Enter)"))
        self.dial_button.setMinimumHeight(44)
        self.dial_button.setDefault(True)
        self.dial_button.clicked.connect(self.request_dial)

        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentList")
        self.recent_list.setAccessibleName(self.tr("Recent numbers"))
        self.recent_list.setMaximumHeight(140)
        elide_long_items(self.recent_list)
        self.recent_list.itemActivated.connect(self._on_recent_activated)
        self.redial_button = QToolButton()
        self.redial_button.setObjectName("redialButton")
        set_icon(self.redial_button, "redial")
        self.redial_button.setText(self.tr("Redial"))
        self.redial_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.redial_button.setToolTip(self.tr("Put the last number back in the dialer (Ctrl+R)"))
        self.redial_button.setAccessibleName(self.tr("Redial"))
        self.redial_button.clicked.connect(self.redial)
        self.redial_button.setEnabled(False)  # until the recent numbers are known (set_recent)
        QShortcut(QKeySequence("Ctrl+R"), self, self.redial)

        number_row = QHBoxLayout()
        number_row.addWidget(self.number_edit, 1)
        number_row.addWidget(self.backspace_button)
        number_row.addWidget(self.clear_button)
        options = QFormLayout()
        options.addRow(self.tr("Caller ID"), self.caller_id_combo)
        options.addRow(self.tr("Ring for"), self.ring_time_spin)
        options.addRow("", self.recording_check)
        recent_header = QHBoxLayout()
        recent_label = QLabel(self.tr("Recent"))
        recent_label.setObjectName("sectionLabel")
        recent_header.addWidget(recent_label, 1)
        recent_header.addWidget(self.redial_button)

        layout = QVBoxLayout(self)
        layout.addLayout(number_row)
        layout.addWidget(self.preview)
        layout.addLayout(keypad)
        layout.addLayout(options)
        layout.addWidget(self.dial_button)
        layout.addLayout(recent_header)
        layout.addWidget(self.recent_list)
        self._on_text_changed("")
        self._update_dial_button()
        # Digits typed while another dialer control has focus go to the number field (the ring
        # time spin box keeps its digits: it is a number input itself).
        for widget in (
            self.recent_list,
            self.caller_id_combo,
            self.recording_check,
            self.dial_button,
            self.redial_button,
        ):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text()
            if (
                text
                and text in DIAL_KEYS
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self.press(text)
                return True
        return super().eventFilter(watched, event)

    # -- what the controller calls -------------------------------------------------------------

    def set_ready(self, ready: bool) -> None:
        self._ready = ready
        if ready:
            self._unavailable = ""
            if self._said_not_ready:  # "Still connecting…" is over: say what Enter does now
                self._said_not_ready = False
                self._on_text_changed(self.number_edit.text())
        self._update_dial_button()

    def set_unavailable(self, reason: str) -> None:
        """Dialling cannot work now (e.g. the sandbox could not start): say why, every time."""
        self._unavailable = reason
        self._ready = False
        self.show_problem(reason)
        self._said_not_ready = True
        self._update_dial_button()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.dial_button.setText(self.tr("Dialling…") if busy else self.tr("Dial"))
        self._update_dial_button()

    def set_caller_ids(self, caller_ids: list[str], preferred: str = "") -> None:
        self.caller_id_combo.clear()
        for caller_id in caller_ids:
            shown = check_dial_number(caller_id)
            self.caller_id_combo.addItem(
                shown.display if isinstance(shown, DialNumber) else caller_id, caller_id
            )
        if preferred in caller_ids:
            self.caller_id_combo.setCurrentIndex(caller_ids.index(preferred))
        elif caller_ids:  # with a placeholder, Qt would leave none chosen
            self.caller_id_combo.setCurrentIndex(0)

    def caller_id(self) -> str:
        value = self.caller_id_combo.currentData()
        return value if isinstance(value, str) else ""

    def set_recent(self, numbers: list[str]) -> None:
        """Recent numbers, each with its contact's name ("Asha Rao (Acme) · +91 98765 43210")."""
        self.recent_list.clear()
        for national in numbers:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, national)
            self.recent_list.addItem(item)
        self._name_recent()
        self.redial_button.setEnabled(bool(numbers))

    def _name_recent(self) -> None:
        for row in range(self.recent_list.count()):
            item = self.recent_list.item(row)
            national = str(item.data(Qt.ItemDataRole.UserRole))
            number = check_dial_number(national)
            text = self.describe_number(number) if isinstance(number, DialNumber) else national
            if item.text() != text:
                item.setText(text)
                item.setToolTip(text)

    def set_number(self, text: str) -> None:
        self.number_edit.setText(text)
        self.number_edit.setFocus()

    def show_problem(self, message: str) -> None:
        """An error from dialling (not from the number itself), shown where the agent looks."""
        self._show(message, error=True)

    def show_note(self, message: str) -> None:
        """Information about the number in the field (e.g. why it was not dialled yet)."""
        self._show(message, error=False)

    def show_last_call(self, national: str, hint: str) -> None:
        """When the number shown was called recently: say so under it ("called 2 min ago: …")."""
        shown = check_dial_number(self.number_edit.text())
        if hint and isinstance(shown, DialNumber) and shown.national == national:
            will_call = self.tr("Will call {number}").format(number=self.describe_number(shown))
            self._show(f"{will_call}\n{hint}", error=False)

    def set_defaults(self, recording: bool, max_ring_time: int) -> None:
        self.recording_check.setChecked(recording)
        self.ring_time_spin.setValue(max_ring_time)

    def keep_number(self, number: DialNumber, message: str) -> None:
        """A number that was not dialled now waits here, ready for Enter, with why."""
        self.set_number(number.display)
        self.show_note(message.format(number=self.describe_number(number)))

    def clear_if_showing(self, number: DialNumber) -> None:
        """Clear only the number just dialled: one that arrived meanwhile stays."""
        shown = check_dial_number(self.number_edit.text())
        if isinstance(shown, DialNumber) and shown.national == number.national:
            self.clear()

    def options(self) -> DialOptions:
        """How the agent wants the next call placed (caller ID, recording, ring time)."""
        return DialOptions(
            self.caller_id(), self.recording_check.isChecked(), self.ring_time_spin.value()
        )

    # -- user actions ----------------------------------------------------------------------------

    def press(self, key: str) -> None:
        self.number_edit.insert(key)
        self.number_edit.setFocus()

    def backspace(self) -> None:
        self.number_edit.backspace()

    def clear(self) -> None:
        self.number_edit.clear()
        self.number_edit.setFocus()

    def redial(self) -> None:
        if self.recent_list.count():
            self.set_number(str(self.recent_list.item(0).data(Qt.ItemDataRole.UserRole)))

    def is_ready(self) -> bool:
        return self._ready and not self._busy

    def request_dial(self) -> None:
        if self._busy:
            return  # one call per intent: the request in flight is the answer
        if not self._ready:
            self._show(
                self._unavailable
                or self.tr("Still connecting to CloudDialer: press Enter again in a moment"),
                error=True,
            )
            self._said_not_ready = True
            return
        result = check_dial_number(self.number_edit.text())
        if isinstance(result, InvalidNumber):
            self._show(str(result), error=True)
            self.number_edit.setFocus()
            return
        self.dial_requested.emit(result, self.options())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits typed anywhere in the dialer go to the number field; Esc clears."""
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            return
        text = event.text()
        if text and text in DIAL_KEYS:
            self.press(text)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # The number field already dialled on its returnPressed, then passed the key on:
            # dialling again here opened a second "Dial again?" (yes twice: two more calls).
            if not self.number_edit.hasFocus():
                self.request_dial()
            return
        super().keyPressEvent(event)

    # -- internals -------------------------------------------------------------------------------

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        self.set_number(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_text_changed(self, text: str) -> None:
        if not text.strip():
            self._show(
                self.tr("Indian numbers: 98765 43210, +91…, 0…, or a tel: link"),
                error=False,
                hint=True,
            )
        else:
            result = check_dial_number(text)
            if isinstance(result, DialNumber):
                shown = self.describe_number(result)
                self._show(self.tr("Will call {number}").format(number=shown), error=False)
                self._settle.start()
            else:
                self._show(str(result), error=True)
        self._update_dial_button()

    def refresh_names(self) -> None:
        """Names changed: the preview and the recent numbers name them again (a problem shown
        stays)."""
        self._name_recent()
        if self.preview.property("state") == "ok" and self.number_edit.text().strip():
            self._on_text_changed(self.number_edit.text())

    def _on_settled(self) -> None:
        number = check_dial_number(self.number_edit.text())
        if isinstance(number, DialNumber):
            self.number_settled.emit(number)

    def _show(self, message: str, *, error: bool, hint: bool = False) -> None:
        self.preview.setText(message)
        self.preview.setProperty("state", "error" if error else ("hint" if hint else "ok"))
        self.preview.style().unpolish(self.preview)
        self.preview.style().polish(self.preview)

    def _update_dial_button(self) -> None:
        valid = isinstance(check_dial_number(self.number_edit.text()), DialNumber)
        self.dial_button.setEnabled(self._ready and not self._busy and valid)
