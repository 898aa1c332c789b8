"""The Contacts tab's controller: pages and searches read off the GUI thread, stars and deletes
written there, and what they change told to everyone who shows names (names_changed) or offers
colleagues (favourites_changed) through :class:`ContactsController`.

Calling a contact goes where History's "Call back" goes (:meth:`ShellController.call_back`):
the same entry point, the same confirmations.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from dialdeck.core import contact_list, contacts
from dialdeck.core.contacts import Contact
from dialdeck.core.storage_errors import storage_reason
from dialdeck.core.store import AsyncHistory
from dialdeck.ui.lazy_page import LazyView
from dialdeck.ui.questions import ask
from dialdeck.ui.tasks import Tasks

if TYPE_CHECKING:
    from dialdeck.ui.contacts_controller import ContactsController
    from dialdeck.ui.contacts_view import ContactsView
    from dialdeck.ui.main_window import MainWindow
    from dialdeck.ui.shell_controller import ShellController

log = logging.getLogger("dialdeck.contacts.tab")


class ContactsTab(QObject):
    call_requested = Signal(str)  # a national number, dialled like History's "Call back"
    notify = Signal(str)  # a short message for the status bar

    def __init__(
        self, history: AsyncHistory, tasks: Tasks, contacts_ui: ContactsController, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.history, self.tasks, self.contacts_ui = history, tasks, contacts_ui
        self.parent_widget = parent
        # The tab's page: its view is built when first shown (or asked for): lazy_page.py.
        self._lazy = LazyView("contactsPage", self._build_view)
        self.page = self._lazy.page
        self._started = False
        self._text = ""
        contacts_ui.imported.connect(lambda _title, _text: self._refresh_now())

    @property
    def view(self) -> ContactsView:
        return self._lazy.get()

    @property
    def _view(self) -> ContactsView | None:  # None until the tab is first opened
        return self._lazy.built

    def _build_view(self) -> ContactsView:
        from dialdeck.ui.contacts_view import ContactsView

        view = ContactsView(self.tasks.spawn)
        view.search_changed.connect(self.set_search)
        view.call_requested.connect(self.call_requested)
        view.favourite_requested.connect(
            lambda c, on: self.tasks.spawn(self.set_favourite(c, on), "favourite")
        )
        view.delete_requested.connect(lambda c: self.tasks.spawn(self.delete(c), "delete contact"))
        view.import_requested.connect(self.contacts_ui.import_contacts)
        if self._started:
            view.model.set_source(self._load, self._count)
        return view

    def attach(self, window: MainWindow, shell: ShellController) -> None:
        """The tab beside History and Recordings (its list loads once the tab is first shown);
        its calls go through the shell's call back."""
        window.tabs.addTab(self.page, self.tr("Contacts"))
        self.call_requested.connect(shell.call_back)
        self.notify.connect(lambda text: window.statusBar().showMessage(text, 10_000))
        self.start()

    def start(self) -> None:
        """The database is open: the list may load (now, or when it is first shown)."""
        self._started = True
        if self._view is not None:
            self._view.model.set_source(self._load, self._count)

    def stop(self) -> None:
        self._started = False
        if self._view is not None:
            self._view.model.detach()

    def _refresh_now(self) -> None:
        if self._view is not None:
            self._view.model.refresh()

    def set_search(self, text: str) -> None:
        self._text = text
        self.view.model.reload()

    async def _load(
        self, last: Contact | None, limit: int, _key: Any, _desc: bool
    ) -> list[Contact]:
        after = contact_list.cursor(last) if last is not None else None
        return await self.history.run(
            contact_list.query_contacts, self._text, after=after, limit=limit
        )

    async def _count(self) -> int:
        return await self.history.run(contact_list.count_contacts, self._text)

    # -- editing ---------------------------------------------------------------------------------

    async def set_favourite(self, contact: Contact, favourite: bool) -> None:
        try:
            await self.history.run(contacts.set_favourite, contact.id, favourite)
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)
            self.view.update_contact(contact)  # the button shows the star as stored
            return
        self.view.update_contact(replace(contact, favourite=favourite))
        await self.contacts_ui.edited()

    async def delete(self, contact: Contact) -> bool:
        if not await ask(
            self.parent_widget,
            "deleteContactBox",
            self.tr("Delete contact"),
            self.tr("Delete “{name}”? Calls to their numbers stay in History.").format(
                name=contact.label
            ),
            self.tr("Delete"),
        ):
            return False
        try:
            await self.history.run(contact_list.delete_contact, contact.id)
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)
            return False
        self.view.model.refresh()
        await self.contacts_ui.edited()
        self.notify.emit(self.tr("Deleted {name}").format(name=contact.label))
        return True

    def _failed(self, exc: BaseException) -> None:
        log.warning("contact not saved: %s", exc)
        self.notify.emit(
            self.tr("The contact could not be saved: {reason}").format(reason=storage_reason(exc))
        )
