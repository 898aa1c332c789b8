"""Contacts in the UI: importing a file, and names for numbers wherever a number is shown.

Widgets read names synchronously from :attr:`ContactsController.names` (a Qt-free cache); a number
they ask about and the cache does not know yet is fetched in one batch on the database thread
(a moment later, coalesced), and :attr:`names_changed` tells them to repaint. An import clears the
cache, so every name on screen is read again.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from dialdeck.core import contacts
from dialdeck.core.contact_files import UnreadableFile
from dialdeck.core.contact_names import ContactNames
from dialdeck.core.contacts import Contact, ImportReport
from dialdeck.core.storage_errors import storage_reason
from dialdeck.core.store import AsyncHistory
from dialdeck.ui.tasks import Tasks

log = logging.getLogger("dialdeck.contacts.ui")

FILE_FILTER = "Contacts (*.csv *.vcf *.vcard *.txt);;All files (*)"


class ContactsController(QObject):
    names_changed = Signal()
    favourites_changed = Signal(object)  # list[Contact]
    imported = Signal(str, str)  # title, the import report for the agent
    import_failed = Signal(str, str)  # title, why

    def __init__(self, history: AsyncHistory, tasks: Tasks, parent: QWidget) -> None:
        super().__init__(parent)
        self.history, self.tasks, self.parent_widget = history, tasks, parent
        self.names = ContactNames()
        self.names.on_wanted = self._schedule
        self.favourites: list[Contact] = []
        self._fetching = False
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(30)
        self._soon.timeout.connect(self.fetch_wanted)
        self.stopped = False

    def choose_file(self) -> Path | None:
        """A hook tests replace (no native dialog in tests)."""
        path, _ = QFileDialog.getOpenFileName(
            self.parent_widget, self.tr("Import contacts"), str(Path.home()), FILE_FILTER
        )
        return Path(path) if path else None

    def start(self) -> None:
        self.tasks.spawn(self.load_favourites(), "favourites")

    def stop(self) -> None:
        self.stopped = True
        self._soon.stop()

    # -- importing ---------------------------------------------------------------------------------

    def import_contacts(self) -> None:
        path = self.choose_file()
        if path is not None:
            self.tasks.spawn(self.import_file(path), "import contacts")

    async def import_file(self, path: Path) -> ImportReport | None:
        title = self.tr("Importing {name}").format(name=path.name)
        try:
            report = await self.history.run(contacts.import_file, path)
        except UnreadableFile as exc:
            self.import_failed.emit(title, str(exc))
            return None
        except (sqlite3.Error, OSError) as exc:
            self.import_failed.emit(
                title,
                self.tr("The contacts could not be saved: {reason}").format(
                    reason=storage_reason(exc)
                ),
            )
            return None
        await self.edited()
        self.imported.emit(self.tr("Contacts imported from {name}").format(name=path.name),
                           report.summary())  # fmt: skip
        return report

    async def edited(self) -> None:
        """Contacts were imported, starred or deleted: every name on screen and the colleagues
        offered for a transfer are read again."""
        self.names.clear()
        self.names_changed.emit()  # widgets repaint, asking again for the names they show
        await self.load_favourites()

    async def load_favourites(self) -> None:
        try:
            self.favourites = await self.history.run(contacts.favourites)
        except (sqlite3.Error, RuntimeError) as exc:  # RuntimeError: history not open
            log.warning("favourites not read: %s", exc)
            return
        self.favourites_changed.emit(self.favourites)

    # -- names -------------------------------------------------------------------------------------

    def _schedule(self) -> None:
        if not self.stopped and not self._soon.isActive():
            self._soon.start()

    def fetch_wanted(self) -> None:
        """Fetch, in one batch, the numbers widgets asked about since the last fetch."""
        if self._fetching or self.stopped:
            return
        wanted = self.names.take_wanted()
        if wanted:
            self._fetching = True
            self.tasks.spawn(self._fetch(wanted, self.names.generation), "contact names")

    async def _fetch(self, wanted: list[str], generation: int) -> None:
        try:
            found = await self.history.run(contacts.lookup_many, wanted)
        except RuntimeError:  # history not open yet (or closed): asked again when next shown
            return
        except sqlite3.Error as exc:
            log.warning("names not read: %s", exc)
            found = dict.fromkeys(wanted)  # shown as numbers; not asked again in a loop
        finally:
            self._fetching = False
        if self.names.store(found, generation) and any(found.values()):
            self.names_changed.emit()
        self.fetch_wanted()  # what was asked meanwhile
