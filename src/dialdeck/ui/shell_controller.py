"""The desktop shell: the window, the tray, quick dial, tel: links, questions, quitting.

Every way of asking for a call (the tray's clipboard entry, quick dial, a link set to dial at
once, "Dial again" after a question) ends in :attr:`ShellController.dial_requested`; the
conductor hands it to the call controller, which applies the one-call-at-a-time rules.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from dialdeck.core.api.models import CallStatus
from dialdeck.core.dial_options import DialOptions
from dialdeck.core.numbers import (
    DialNumber,
    InvalidNumber,
    check_dial_number,
    find_dial_number,
    parse_dial_number,
)
from dialdeck.core.tel_uri import link_extension
from dialdeck.session import Session, SessionError
from dialdeck.ui import describe
from dialdeck.ui.main_window import MainWindow, Mode
from dialdeck.ui.participant_dialog import AddParticipantDialog, ParticipantAsk
from dialdeck.ui.questions import question_box
from dialdeck.ui.unavailable import explain_unavailable

if TYPE_CHECKING:
    from collections.abc import Callable

    from dialdeck.core.calls import TrackedCall
    from dialdeck.core.contact_names import ContactNames
    from dialdeck.core.contacts import Contact
    from dialdeck.core.recent_attempts import Attempt
    from dialdeck.core.settings import Settings
    from dialdeck.ui.quick_dial import QuickDial
    from dialdeck.ui.tray import TrayController

log = logging.getLogger("dialdeck.shell")

MISSED = (CallStatus.NO_ANSWER, CallStatus.BUSY)  # worth a call back


class ShellController(QObject):
    dial_requested = Signal(object, object, bool)  # DialNumber, DialOptions, confirmed
    participant_chosen = Signal(str, object)  # call_id, DialNumber
    quit_confirmed = Signal()
    notifications_toggled = Signal(bool)

    def __init__(self, window: MainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.tray: TrayController | None = None
        self.quick_dial: QuickDial | None = None
        self.dial_links_at_once = False
        self.close_to_tray = True
        self.confirm_box: QMessageBox | None = None
        self.participants = ParticipantAsk(window, self)
        self.participants.chosen.connect(self.participant_chosen)
        self.problem_boxes: list[QMessageBox] = []
        self._told_about_tray = False
        self._headlines: dict[str, str] = {}
        self._on_click: Callable[[], None] | None = None  # what clicking the last notification does
        self.names: ContactNames | None = None  # set by the conductor: names for numbers
        self.favourites: list[Contact] = []  # colleagues, offered when adding a participant
        window.close_requested.connect(self.close_window)
        window.quick_dial_requested.connect(lambda: self.open_quick_dial(""))
        window.call_panel.add_participant_requested.connect(self.ask_participant)

    # -- tray and quick dial ---------------------------------------------------------------------

    def start_tray(self, *, notifications: bool, recent: list[str], minimized: bool) -> None:
        from dialdeck.ui.quick_dial import QuickDial
        from dialdeck.ui.tray import TrayController

        tray = TrayController(self.window, self)
        tray.notifications = notifications
        tray.recent = list(recent)
        if self.names is not None:
            tray.name_for = self.names.label
        tray.quick_dial_requested.connect(self.open_quick_dial)
        tray.dial_requested.connect(self._dial_with_window_options)
        tray.toggle_window_requested.connect(self.toggle_window)
        tray.notifications_toggled.connect(self.notifications_toggled)
        tray.quit_requested.connect(self.window.quit_requested)  # one path: asks during a call
        tray.icon.messageClicked.connect(self.notification_clicked)
        self.tray = tray
        self.quick_dial = QuickDial()
        self.quick_dial.dial_requested.connect(
            lambda number, caller_id: self.dial_requested.emit(
                number, self._options(caller_id), False
            )
        )
        if tray.available:
            tray.show()
            if minimized:
                self.window.hide()
        else:
            self.window.statusBar().showMessage(
                self.tr("No system tray on this desktop: everything works from this window."),
                15_000,
            )

    def use_settings(self, settings: Settings) -> None:
        self.set_recent(settings.recent_numbers)
        self.dial_links_at_once = settings.dial_links_at_once
        self.close_to_tray = settings.close_to_tray
        if self.tray is not None:
            self.tray.notifications = settings.notifications
        self.window.dialer.set_defaults(settings.recording, settings.max_ring_time)

    def set_recent(self, numbers: list[str]) -> None:
        self.window.dialer.set_recent(numbers)
        if self.tray is not None:
            self.tray.recent = list(numbers)

    def show_session(self, session: Session) -> None:
        """The badge, caller IDs and sandbox controls for the mode just opened."""
        window = self.window
        if session.sandbox:
            window.set_mode(
                Mode.SANDBOX,
                self.tr("Sandbox: calls are simulated"),
                self.tr("No real calls are placed. Open Settings to use your CloudDialer account."),
            )
        else:
            window.set_mode(Mode.LIVE, self.tr("CloudDialer account"), session.base_url)
            if not session.has_key:
                window.dialer.show_problem(
                    self.tr("No API key yet: open Settings (Ctrl+,) to enter it.")
                )
        window.call_panel.set_sandbox_mode(session.sandbox)
        self.update_tray(session)

    def explain_unavailable(self, exc: SessionError) -> None:
        explain_unavailable(self.window, exc)

    def update_tray(self, session: Session | None) -> None:
        """The tray's dot: on a call, reconnecting, sandbox or idle."""
        from dialdeck.ui.tray import TrayState

        if self.tray is None or session is None:
            return
        calls = session.tracker.active
        if any(c.reconnecting for c in calls):
            state = TrayState.OFFLINE
        elif calls:
            state = TrayState.LIVE
        else:
            state = TrayState.SANDBOX if session.sandbox else TrayState.IDLE
        if state != self.tray.state:
            self.tray.set_state(state)

    def notify(self, title: str, text: str, on_click: Callable[[], None] | None = None) -> None:
        """A tray notification; clicking it runs ``on_click`` (once)."""
        self._on_click = on_click
        if self.tray is not None:
            self.tray.notify(title, text)

    def notification_clicked(self) -> None:
        action, self._on_click = self._on_click, None
        if action is not None:
            action()

    def selected_number(self) -> None:
        """The global hotkey: the number selected in any application (X11's PRIMARY selection,
        elsewhere the clipboard), dialled or offered in Quick dial exactly as a link would be."""
        clipboard = QGuiApplication.clipboard()
        selection = clipboard.supportsSelection()
        mode = QClipboard.Mode.Selection if selection else QClipboard.Mode.Clipboard
        text = clipboard.text(mode)[:200].strip()
        number = check_dial_number(text) if text else None
        if isinstance(number, DialNumber) and self.dial_links_at_once:
            self.dial_requested.emit(number, self._options(), False)
        elif not isinstance(number, DialNumber) and (found := find_dial_number(text)):
            # A number within other text ("Call Asha on 098765-43210"): offered, never dialled
            # at once, since it was picked out of words the agent did not check.
            self.open_quick_dial(found.display)
        else:
            self.open_quick_dial(text[:64])

    def call_back(self, number_text: str) -> None:
        """ "Call back" on a History row: the same entry point (and rules) as every dial."""
        try:
            number = parse_dial_number(number_text)
        except InvalidNumber as exc:
            self.window.tabs.setCurrentIndex(0)
            self.window.dialer.set_number(number_text)
            self.window.dialer.show_problem(str(exc))
            return
        self.window.tabs.setCurrentIndex(0)
        self.dial_requested.emit(number, self._options(), False)

    def notify_call(self, call: TrackedCall) -> None:
        """Tray notifications for the moments an agent cares about (never twice for one state)."""
        from dialdeck.core.calls import ParticipantFailed

        headline = describe.call_state(call)
        if self._headlines.get(call.call_id) == headline:
            return
        self._headlines[call.call_id] = headline
        if call.info is None or call.reconnecting:
            return
        who = self.describe_text(call.number)
        if describe.worth_notifying(call):
            missed = call.info.is_over and call.info.call_status in MISSED
            if missed:  # clicking it offers the number in Quick dial: one more Enter dials
                headline += " " + self.tr("Click to call back.")
            self.notify(
                who, headline, (lambda: self.open_quick_dial(call.number)) if missed else None
            )
        if any(isinstance(event, ParticipantFailed) for event in call.events):
            self.notify(who, self.tr("Your colleague could not be reached. The call goes on."))

    def open_quick_dial(self, number: str = "") -> None:
        if self.quick_dial is None:
            return
        combo = self.window.dialer.caller_id_combo
        choices = [(combo.itemText(i), str(combo.itemData(i))) for i in range(combo.count())]
        shown = check_dial_number(number) if number else None
        prefill = shown.display if isinstance(shown, DialNumber) else number
        self.quick_dial.open_with(prefill, choices, self.window.dialer.caller_id(), self.names)

    def _options(self, caller_id: str = "") -> DialOptions:
        """Entry points with no options of their own use the dialer's (recording, ring time)."""
        options = self.window.dialer.options()
        return DialOptions(caller_id or options.caller_id, options.recording, options.max_ring_time)

    def _dial_with_window_options(self, number: DialNumber) -> None:
        self.dial_requested.emit(number, self._options(), False)

    # -- the window --------------------------------------------------------------------------------

    def toggle_window(self) -> None:
        window = self.window
        if window.isVisible() and not window.isMinimized() and window.isActiveWindow():
            window.hide()
        else:
            self.bring_to_front()

    def bring_to_front(self) -> None:
        self.window.bring_to_front()

    def close_window(self) -> None:
        """The window's close button: stay in the tray if that is the setting and a tray exists."""
        if self.close_to_tray and self.tray is not None and self.tray.available:
            self.window.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.notify(
                    "Dialdeck", self.tr("Dialdeck keeps running here. Quit from this menu.")
                )
        else:
            self.window.quit_requested.emit()

    def keep_number(self, number: DialNumber, message: str) -> None:
        """A number that was not dialled now waits in the dialer, in front, with why."""
        self.window.dialer.keep_number(number, message)
        self.window.tabs.setCurrentIndex(0)
        self.bring_to_front()

    def handle_link(self, raw: str) -> None:
        """A number or tel:/callto: link from the command line or a second launch."""
        self.bring_to_front()
        self.window.tabs.setCurrentIndex(0)
        try:
            number = parse_dial_number(raw)
        except InvalidNumber as exc:
            self.window.dialer.set_number(raw)
            self.window.dialer.show_problem(str(exc))
            return
        self.window.dialer.set_number(number.display)
        if extension := link_extension(raw):  # CloudDialer rings numbers, not extensions
            self.window.statusBar().showMessage(
                self.tr(
                    "The link asks for extension {ext}: Dialdeck calls the main number; "
                    "ask for extension {ext} once connected."
                ).format(ext=extension),
                30_000,
            )
        if self.dial_links_at_once:
            self.dial_requested.emit(number, self._options(), False)

    # -- questions ---------------------------------------------------------------------------------

    def _question(self, name: str, title: str, text: str, yes: str) -> tuple[QMessageBox, object]:
        """Not modal: the tray and the dialer go on working while it asks."""
        box, button = question_box(self.window, name, title, text, yes)
        self.confirm_box = box
        return box, button

    def confirm_redial(self, number: DialNumber, options: DialOptions, attempt: Attempt) -> None:
        self.bring_to_front()
        box = self.confirm_box
        if box is not None and shiboken6.isValid(box) and box.isVisible():  # one at a time
            box.raise_()
            box.activateWindow()
            return
        when = describe.ago((datetime.now(UTC) - attempt.at).total_seconds())
        box, again = self._question(
            "confirmRedialBox",
            self.tr("Dial {number} again?").format(number=self.describe_text(number.display)),
            self.tr(
                "You dialled {number} {when} and CloudDialer never confirmed it: "
                "that call may have been placed and may be ringing now. Check your phone.\n\n"
                "Dial {number} again?"
            ).format(number=self.describe_text(number.display), when=when),
            self.tr("Dial again"),
        )
        box.finished.connect(
            lambda _r: (
                self.dial_requested.emit(number, options, True)
                if box.clickedButton() is again
                else None
            )
        )
        box.open()

    async def ask_reconnect(self, live: list[TrackedCall]) -> bool:
        """New account settings during a call: applying them stops following it here."""
        from dialdeck.ui.questions import ask

        return await ask(
            self.window,
            "confirmReconnectBox",
            self.tr("Change the account during a call?"),
            self.tr(
                "A call is live ({number}). Applying the new account settings now stops "
                "following it here: a real call goes on at CloudDialer, a simulated one ends. "
                "Your other changes are applied either way.\n\nApply the account change now?"
            ).format(number=", ".join(map(self.describe_text, (c.number for c in live)))),
            self.tr("Apply now"),
        )

    def describe_text(self, number: str) -> str:
        return self.names.describe_text(number) if self.names else number

    def confirm_quit(self, live: list[TrackedCall]) -> None:
        """Quitting during a call: the call goes on, Dialdeck stops showing it. Ask first."""
        self.bring_to_front()
        box, quit_button = self._question(
            "confirmQuitBox",
            self.tr("Quit during a call?"),
            self.tr(
                "A call is still live ({number}). If you quit, the call goes on, but Dialdeck "
                "stops showing it; its history and recording are completed the next time "
                "Dialdeck starts.\n\nQuit anyway?"
            ).format(number=", ".join(map(self.describe_text, (c.number for c in live)))),
            self.tr("Quit"),
        )
        box.finished.connect(
            lambda _r: self.quit_confirmed.emit() if box.clickedButton() is quit_button else None
        )
        box.open()

    def ask_participant(self, call_id: str) -> None:
        colleagues = [(c.label, national) for c in self.favourites for national in c.numbers]
        self.participants.ask(call_id, colleagues, self.names.describe if self.names else None)

    @property
    def participant_dialog(self) -> AddParticipantDialog | None:
        return self.participants.dialog

    def participant_call_changed(self, call: TrackedCall) -> None:
        """The call an open Add participant dialog is for is over: the dialog says so."""
        self.participants.call_changed(call)

    def tell_problem(
        self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning
    ) -> None:
        """A problem the agent must know about but that does not stop work: a non-modal box."""
        box = QMessageBox(icon, title, text, parent=self.window)
        box.setObjectName("problemBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem_boxes.append(box)
        box.finished.connect(lambda _r, b=box: self.problem_boxes.remove(b))
        box.open()

    def close(self) -> None:
        """At shutdown: the tray icon goes, the quick dial box is deleted."""
        if self.tray is not None:
            self.tray.hide()
        if self.quick_dial is not None:
            self.quick_dial.close()
            self.quick_dial.deleteLater()
