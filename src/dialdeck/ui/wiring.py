"""Signal wiring between controllers and the widgets they serve, one area per function.

The conductor (``ui/controller.py``) calls each of these once, so every connection of, say, the
wrap-up editor or the History tab is found in one place, and the conductor keeps only the order
of start-up and shutdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from dialdeck.core.calls import TrackedCall
    from dialdeck.core.paths import AppPaths
    from dialdeck.core.store import AsyncHistory
    from dialdeck.ui.call_controller import CallController
    from dialdeck.ui.contacts_controller import ContactsController
    from dialdeck.ui.contacts_tab_controller import ContactsTab
    from dialdeck.ui.history_controller import HistoryController
    from dialdeck.ui.main_window import MainWindow
    from dialdeck.ui.recent_call import RecentCallLookup
    from dialdeck.ui.recordings_controller import RecordingsController
    from dialdeck.ui.shell_controller import ShellController
    from dialdeck.ui.tasks import Tasks

STATUS_MS = 10_000  # how long a tab's passing message stays in the status bar


def connect_call_panel(
    window: MainWindow,
    calls: CallController,
    shell: ShellController,
    recent: RecentCallLookup,
    tasks: Tasks,
) -> None:
    """The live panel, its wrap-up editor and the dialer's "called 2 min ago" hint."""
    panel, wrap_up = window.call_panel, window.call_panel.wrap_up

    def call_updated(call: TrackedCall, focus: bool) -> None:
        panel.update_call(call, focus=focus)
        shell.notify_call(call)
        shell.participant_call_changed(call)
        shell.update_tray(calls.session)

    def busy_changed(busy: bool) -> None:
        if busy:  # a new call is being placed: the last call's outcome and refusal are old news
            window.statusBar().clearMessage()
            panel.set_dial_problem("")

    calls.call_updated.connect(call_updated)
    calls.busy_changed.connect(busy_changed)
    panel.hang_up_requested.connect(calls.sandbox_hang_up)
    calls.call_notice.connect(panel.show_notice_for)
    calls.busy_changed.connect(window.dialer.set_busy)
    calls.dial_refused.connect(panel.set_dial_problem)
    calls.dial_failed.connect(window.dialer.show_problem)
    window.dialer.number_settled.connect(recent.look_up)
    recent.found.connect(window.dialer.show_last_call)
    wrap_up.editor.save_requested.connect(
        lambda u, n, d: tasks.spawn(calls.save_wrap_up(u, n, d), "save wrap-up")
    )
    calls.wrap_up_saved.connect(wrap_up.editor.saved)
    calls.wrap_up_failed.connect(wrap_up.editor.save_failed)
    wrap_up.notes_wanted.connect(
        lambda uuid: tasks.latest("wrap-up notes", calls.load_wrap_up(uuid))
    )
    calls.wrap_up_loaded.connect(wrap_up.load)


def connect_contacts(
    window: MainWindow,
    contacts: ContactsController,
    calls: CallController,
    shell: ShellController,
) -> None:
    """Names for numbers everywhere a number is shown, read from one cache."""
    names = contacts.names
    window.dialer.describe_number = names.describe
    window.call_panel.describe_number = names.describe_text
    calls.name_for = names.name_only
    calls.describe_number = names.describe_text
    shell.names = names
    window.import_contacts_requested.connect(contacts.import_contacts)
    contacts.names_changed.connect(window.dialer.refresh_names)
    contacts.names_changed.connect(window.call_panel.refresh_names)
    contacts.favourites_changed.connect(lambda found: setattr(shell, "favourites", found))
    contacts.import_failed.connect(shell.tell_problem)
    contacts.imported.connect(
        lambda title, text: shell.tell_problem(title, text, QMessageBox.Icon.Information)
    )


def build_tabs(
    window: MainWindow,
    history_db: AsyncHistory,
    paths: AppPaths,
    tasks: Tasks,
    calls: CallController,
    contacts: ContactsController,
    shell: ShellController,
) -> tuple[HistoryController, RecordingsController, ContactsTab]:
    """History, Recordings and Contacts: their controllers now, after the window is shown; their
    views when first opened (:class:`~dialdeck.ui.lazy_page.LazyPage`)."""
    from dialdeck.ui.contacts_tab_controller import ContactsTab
    from dialdeck.ui.history_controller import HistoryController
    from dialdeck.ui.recordings_controller import RecordingsController

    status = window.statusBar()
    history = HistoryController(history_db, tasks.spawn, window)
    recordings = RecordingsController(history_db, paths, tasks, window)
    window.tabs.addTab(history.page, window.tr("History"))
    window.tabs.addTab(recordings.page, window.tr("Recordings"))
    history.notify.connect(lambda text: status.showMessage(text, STATUS_MS))
    history.play_requested.connect(recordings.play_recording)
    history.call_back_requested.connect(shell.call_back)
    history.use_names(contacts.names)
    contacts.names_changed.connect(history.names_changed)
    recordings.use_names(contacts.names)
    contacts.names_changed.connect(recordings.names_changed)
    contacts_tab = ContactsTab(history_db, tasks, contacts, window)
    contacts_tab.attach(window, shell)  # the tab, its list loading, its calls
    recordings.notify.connect(lambda text: status.showMessage(text, STATUS_MS))
    recordings.shown.connect(lambda: window.show_tab(recordings.page))
    recordings.history_changed.connect(history.changed)

    def open_saved(rec_id: int) -> None:  # clicking "Recording saved" shows it, ready to play
        shell.bring_to_front()
        recordings.play_recording(rec_id)

    recordings.recording_saved.connect(
        lambda rec_id, text: shell.notify(
            window.tr("Recording saved"), text, on_click=lambda: open_saved(rec_id)
        )
    )
    calls.calls_changed.connect(history.changed)
    calls.calls_changed.connect(recordings.changed)
    calls.recording_ready.connect(
        lambda uuid, url, title: tasks.spawn(
            recordings.queue_recording(uuid, url, title), "queue recording"
        )
    )
    return history, recordings, contacts_tab
