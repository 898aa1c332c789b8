"""The live call panel: state in plain words, a running timer, every leg with its own badge."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.api import LegRole, LegStatus
from dialdeck.ui import describe
from dialdeck.ui.call_list import CallList
from dialdeck.ui.empty_call import no_call_yet_label
from dialdeck.ui.icons import set_icon
from dialdeck.ui.wrap_up import WrapUpBox

if TYPE_CHECKING:
    from dialdeck.core.api.models import Leg
    from dialdeck.core.calls import TrackedCall

BADGE_COLOURS = {
    # Mid-tones that read on light and dark backgrounds alike.
    LegStatus.DIALING: "#d69e2e",
    LegStatus.JOINED: "#38a169",
    LegStatus.LEFT: "#8a94a6",
    LegStatus.FAILED: "#e53e3e",
}
COLUMNS = ("Who", "Number", "Status", "For")


class ClockLabel(QLabel):
    """The call timer, fixed to the size of its widest text: a new second repaints only the
    label. (Sized to its text, every tick re-laid out the window and repainted every widget.)"""

    WIDEST = "88:88:88"

    def fit(self) -> None:
        margins = self.contentsMargins()
        extra = 2 * self.margin() + 2
        width = self.fontMetrics().horizontalAdvance(self.WIDEST)
        self.setFixedSize(
            width + margins.left() + margins.right() + extra,
            self.fontMetrics().height() + margins.top() + margins.bottom() + extra,
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.fit()


class CallPanel(QWidget):
    add_participant_requested = Signal(str)  # call_id
    hang_up_requested = Signal(str, str, int)  # call_id, role ("" for by leg), leg position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # "Asha Rao (Acme) · +91 98765 43210": set by the conductor once contacts are loaded.
        self.describe_number: Callable[[str], str] = lambda number: number
        self.setObjectName("callPanel")
        self._focus: str | None = None
        self.sandbox_mode = False

        self.stack = QStackedWidget()
        self.empty_state = no_call_yet_label()

        self.calls_list = CallList()
        self.calls_list.setObjectName("callsList")
        self.calls_list.setAccessibleName(self.tr("Tracked calls"))
        self.calls_list.setMaximumHeight(84)
        self.calls_list.currentItemChanged.connect(self._on_list_focus)

        self.state_label = QLabel()
        self.state_label.setObjectName("callStateLabel")
        self.state_label.setAccessibleName(self.tr("Call state"))
        self.state_label.setWordWrap(True)
        headline = QFont(self.state_label.font())
        headline.setPointSizeF(headline.pointSizeF() * 1.6)
        headline.setBold(True)
        self.state_label.setFont(headline)
        self.number_label = QLabel()
        self.number_label.setObjectName("callNumberLabel")
        self.number_label.setWordWrap(True)  # a contact's long name must not widen the panel
        self.timer_label = ClockLabel("0:00")
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.timer_label.setObjectName("callTimerLabel")
        self.timer_label.setAccessibleName(self.tr("Call duration"))
        timer_font = QFont(self.timer_label.font())
        timer_font.setPointSizeF(timer_font.pointSizeF() * 1.6)
        timer_font.setStyleHint(QFont.StyleHint.Monospace)
        self.timer_label.setFont(timer_font)
        self.timer_label.fit()
        self.notice_label = QLabel()
        self.notice_label.setObjectName("callNoticeLabel")
        self.notice_label.setWordWrap(True)
        self.notice_label.hide()
        # Reconnecting is its own line: the headline keeps saying what the call is doing.
        self.reconnecting_label = QLabel()  # its words: describe.reconnecting
        self.reconnecting_label.setObjectName("reconnectingLabel")
        self.reconnecting_label.setAccessibleName(self.tr("Connection"))
        self.reconnecting_label.setWordWrap(True)  # "…slow down: checking again at …" is long
        self.reconnecting_label.hide()
        # A call the platform refused never gets an entry: its reason shows here, above
        # whatever was in view, until the next call is placed.
        self.dial_problem_label = QLabel()
        self.dial_problem_label.setObjectName("dialProblemLabel")
        self.dial_problem_label.setAccessibleName(self.tr("Last dial"))
        self.dial_problem_label.setWordWrap(True)
        self.dial_problem_label.setProperty("state", "error")
        self.dial_problem_label.hide()

        self.legs_table = QTableWidget(0, len(COLUMNS))
        self.legs_table.setObjectName("legsTable")
        self.legs_table.setAccessibleName(self.tr("Call participants"))
        self.legs_table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.legs_table.verticalHeader().hide()
        self.legs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.legs_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.legs_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.legs_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

        self.add_participant_button = QPushButton(self.tr("Add participant / Transfer…"))
        set_icon(self.add_participant_button, "person-add")
        self.add_participant_button.setObjectName("addParticipantButton")
        self.add_participant_button.setAccessibleName(self.tr("Add participant or transfer"))
        self.add_participant_button.setToolTip(
            self.tr(
                "Bring a colleague into the call; hang up yourself afterwards for a warm transfer (Ctrl+T)"
            )
        )
        self.add_participant_button.setShortcut("Ctrl+T")
        self.add_participant_button.clicked.connect(self._on_add_participant)

        self.sandbox_box = QGroupBox(self.tr("Sandbox controls (simulated calls only)"))
        self.sandbox_box.setObjectName("sandboxControls")
        sandbox_row = QHBoxLayout(self.sandbox_box)
        self.hangup_customer_button = QPushButton(self.tr("Customer hangs up"))
        self.hangup_customer_button.setObjectName("hangupCustomerButton")
        self.hangup_agent_button = QPushButton(self.tr("You hang up"))
        self.hangup_agent_button.setObjectName("hangupAgentButton")
        self.hangup_participant_button = QPushButton(self.tr("Colleague hangs up"))
        self.hangup_participant_button.setObjectName("hangupParticipantButton")
        for button, role in (
            (self.hangup_customer_button, "destination"),
            (self.hangup_agent_button, "agent"),
            (self.hangup_participant_button, "participant"),
        ):
            button.clicked.connect(lambda _=False, r=role: self._on_hang_up(r))
            sandbox_row.addWidget(button)
        self.sandbox_box.hide()

        details = QWidget()
        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.reconnecting_label)
        titles.addWidget(self.state_label)
        titles.addWidget(self.number_label)
        top.addLayout(titles, 1)
        top.addWidget(self.timer_label, 0, Qt.AlignmentFlag.AlignTop)
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.calls_list)
        details_layout.addLayout(top)
        details_layout.addWidget(self.notice_label)
        details_layout.addWidget(self.legs_table, 1)
        details_layout.addWidget(self.add_participant_button)
        self.wrap_up = WrapUpBox(parent=self)
        details_layout.addWidget(self.wrap_up)
        details_layout.addWidget(self.sandbox_box)

        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(details)
        layout = QVBoxLayout(self)
        layout.addWidget(self.dial_problem_label)
        layout.addWidget(self.stack)

        # Timers tick locally once a second: no network involved, nothing blocks.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._refresh_times)
        self._refresh_buttons()

    # -- what the controller calls -------------------------------------------------------------

    @property
    def focused(self) -> TrackedCall | None:
        return self.calls_list.calls.get(self._focus) if self._focus else None

    def set_sandbox_mode(self, enabled: bool) -> None:
        self.sandbox_mode = enabled
        self._refresh_buttons()

    def update_call(self, call: TrackedCall, *, focus: bool = False) -> None:
        new = self.calls_list.upsert(call, self._list_text(call))
        if focus or self._focus is None:
            self._set_focus(call.call_id)
        elif call.call_id == self._focus:
            self._show(call)
        if new:
            self.calls_list.prune(keep=self._focus)
        self.calls_list.setVisible(self.calls_list.count() > 1)
        if not self._ticker.isActive():
            self._ticker.start()

    def refresh_names(self) -> None:
        """Names changed: the calls list and the call in view show them again."""
        for call in self.calls_list.calls.values():
            self.calls_list.set_text(call.call_id, self._list_text(call))
        if (focused := self.focused) is not None:
            self.number_label.setText(self.describe_number(focused.number))
            for row, leg in enumerate(focused.info.legs if focused.info else ()):
                if (item := self.legs_table.item(row, 1)) is not None:
                    item.setText(self._leg_number(leg))

    def set_dial_problem(self, text: str) -> None:
        """Why the last dial was not placed ("" once another call is placed)."""
        self.dial_problem_label.setText(text)
        self.dial_problem_label.setVisible(bool(text))

    def show_notice_for(self, call_id: str, text: str, error: bool) -> None:
        """A notice about one call: shown only while that call is the one in view, and never
        about a call the agent has left or that ended (it would stay there for good)."""
        call = self.calls_list.calls.get(call_id)
        if call_id == self._focus and not (call is not None and self._agent_done(call)):
            self.show_notice(text, error=error)

    def show_notice(self, text: str, *, error: bool = False) -> None:
        self.notice_label.setText(text)
        self.notice_label.setProperty("state", "error" if error else "info")
        self.notice_label.style().unpolish(self.notice_label)
        self.notice_label.style().polish(self.notice_label)
        self.notice_label.setVisible(bool(text))

    # -- internals -------------------------------------------------------------------------------

    def _set_focus(self, call_id: str) -> None:
        self._focus = call_id
        self.calls_list.select(call_id)
        self.notice_label.hide()
        self.stack.setCurrentIndex(1)
        call = self.calls_list.calls[call_id]
        self._show(call)

    def _on_list_focus(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is not None:
            call_id = str(current.data(Qt.ItemDataRole.UserRole))
            if call_id != self._focus:
                self._set_focus(call_id)

    def _list_text(self, call: TrackedCall) -> str:
        return f"{self.describe_number(call.number)} · {describe.call_state(call)}"

    def _show(self, call: TrackedCall) -> None:
        self.state_label.setText(describe.call_state(call))
        if self.state_label.property("reconnecting") != call.reconnecting:
            self.state_label.setProperty("reconnecting", call.reconnecting)
            self.state_label.style().unpolish(self.state_label)
            self.state_label.style().polish(self.state_label)
        self.reconnecting_label.setText(describe.reconnecting(call))
        self.reconnecting_label.setVisible(call.reconnecting)
        if self._agent_done(call):
            # "Your colleague joined: hang up to transfer" and the like are about a call the
            # agent is in: once they hung up, or the call ended, such a notice is stale.
            self.notice_label.hide()
        self.number_label.setText(self.describe_number(call.number))
        legs = call.info.legs if call.info else ()
        if self.legs_table.rowCount() != len(legs):
            self.legs_table.setRowCount(len(legs))
        for row, leg in enumerate(legs):
            values = (
                describe.role(leg.role),
                self._leg_number(leg),
                describe.leg_status(leg.status),
                "",
            )
            for column, value in enumerate(values):
                item = self.legs_table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.legs_table.setItem(row, column, item)
                if item.text() != value:  # in-place updates: no flicker, selection kept
                    item.setText(value)
            badge = self.legs_table.item(row, 2)
            colour = BADGE_COLOURS.get(leg.status)
            if colour and badge is not None:
                badge.setForeground(QColor(colour))
                font = badge.font()
                font.setBold(True)
                badge.setFont(font)
        self.wrap_up.show_for(call)
        self._refresh_times()
        self._refresh_buttons()

    def _leg_number(self, leg: Leg) -> str:  # the customer and colleagues with their names
        agent = leg.role is LegRole.AGENT
        return describe.number(leg.number) if agent else self.describe_number(leg.number)

    @staticmethod
    def _agent_done(call: TrackedCall) -> bool:
        info = call.info
        if info is None:
            return False  # placing, or outcome unknown: its notice is the news
        if info.is_over:
            return True
        return any(
            leg.role is LegRole.AGENT and leg.status in (LegStatus.LEFT, LegStatus.FAILED)
            for leg in info.legs
        )

    def _refresh_times(self) -> None:
        call = self.focused
        if call is None:
            return
        now = datetime.now(UTC)
        followed = time.monotonic() - call.started_at
        self.timer_label.setText(describe.clock(describe.call_seconds(call.info, followed, now)))
        for row, since in enumerate(call.leg_since[: self.legs_table.rowCount()]):
            item = self.legs_table.item(row, 3)
            if item is not None:
                leg_over = call.is_over
                item.setText("" if leg_over else describe.clock((now - since).total_seconds()))
        if all(c.is_over for c in self.calls_list.calls.values()):
            self._ticker.stop()

    def _refresh_buttons(self) -> None:
        call = self.focused
        live = call is not None and call.is_live
        self.add_participant_button.setEnabled(live)
        # The simulator's controls, for a simulated call only (not an account's, in either mode).
        self.sandbox_box.setVisible(call is not None and call.simulated)
        active = call is not None and not call.is_over
        legs = call.info.legs if call and call.info else ()

        def has(role: LegRole) -> bool:
            return any(
                leg.role is role and leg.status in (LegStatus.DIALING, LegStatus.JOINED)
                for leg in legs
            )

        self.hangup_customer_button.setEnabled(active and has(LegRole.DESTINATION))
        self.hangup_agent_button.setEnabled(active and has(LegRole.AGENT))
        self.hangup_participant_button.setEnabled(active and has(LegRole.PARTICIPANT))

    def _on_add_participant(self) -> None:
        call = self.focused
        if call is not None and call.is_live:
            self.add_participant_requested.emit(call.call_id)

    def _on_hang_up(self, role: str) -> None:
        call = self.focused
        if call is None or call.info is None:
            return
        # The most recent active leg in that role (for participants: the newest colleague).
        for position in range(len(call.info.legs) - 1, -1, -1):
            leg = call.info.legs[position]
            if leg.role.value == role and leg.status in (LegStatus.DIALING, LegStatus.JOINED):
                self.hang_up_requested.emit(call.call_id, role, position)
                return
