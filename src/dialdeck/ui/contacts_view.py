"""The Contacts tab: every contact in name order, searched as you type, called with Enter.

A passive widget: it shows pages the controller loads (:class:`PagedTableModel`) and emits
complete requests (call this number, star this contact, delete that one); it never touches the
database or a controller.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.contacts import Contact
from dialdeck.ui.describe import count, number
from dialdeck.ui.paged_model import ROW_ROLE, Column, PagedTableModel, Spawn, keep_selection
from dialdeck.ui.widgets import row_table, search_field, show_table

STAR, NO_STAR = "★", "☆"
FAVOURITE_COLUMN = 0


def contact_columns() -> list[Column]:
    return [
        Column(
            "★",
            lambda c: STAR if c.favourite else NO_STAR,
            tooltip=lambda c: "Colleague (favourite)" if c.favourite else "Not a favourite",
        ),
        Column("Name", lambda c: c.name),
        Column("Company", lambda c: c.company),
        Column("Numbers", numbers_text, tooltip=numbers_tooltip),
    ]


def numbers_text(contact: Contact) -> str:
    """The numbers that can be called, then those that cannot, marked as such."""
    marked = [f"{raw} (cannot be called)" for raw in contact.undialable]
    return ", ".join([*(number(n) for n in contact.numbers), *marked])


def numbers_tooltip(contact: Contact) -> str:
    if not contact.undialable:
        return ""
    return (
        "Dialdeck calls Indian numbers only (CloudDialer's rule); "
        f"{', '.join(contact.undialable)} cannot be called."
    )


class ContactsView(QWidget):
    search_changed = Signal(str)
    call_requested = Signal(str)  # a national number
    favourite_requested = Signal(object, bool)  # Contact, favourite or not
    delete_requested = Signal(object)  # Contact
    import_requested = Signal()

    def __init__(self, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactsView")
        self.model = PagedTableModel(contact_columns(), spawn)
        self.model.loaded.connect(self._update_state)
        self.model.modelReset.connect(self._update_state)

        self.search_edit, self._debounce = search_field(
            self,
            name="contactsSearch",
            placeholder=self.tr("Search names, companies and numbers (Ctrl+F)"),
            accessible=self.tr("Search contacts"),
            on_settled=self._emit_search,
        )
        self.search_edit.setToolTip(self.tr("Any number format finds the contact (Ctrl+F)"))

        self.table = row_table(
            self.model, name="contactsTable", accessible=self.tr("Contacts"), always_shown=2
        )  # the star and the name stay
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FAVOURITE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 200)
        header.resizeSection(2, 160)
        header.setStretchLastSection(True)
        self.table.setToolTip(
            self.tr("Enter or double-click calls the contact; Ctrl+D stars; Delete removes")
        )
        # Not ``activated``: with a single-click style that would dial on any click.
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.clicked.connect(self._on_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        keep_selection(self.table, lambda c: c.id)

        self.call_button = QPushButton(self.tr("Call"))
        self.call_button.setObjectName("callContactButton")
        self.call_button.setAccessibleName(self.tr("Call the selected contact"))
        self.call_button.setToolTip(self.tr("Call the selected contact (Enter or double-click)"))
        self.call_button.clicked.connect(self.call_selected)
        self.favourite_button = QPushButton(self.tr("Favourite"))
        self.favourite_button.setObjectName("favouriteContactButton")
        self.favourite_button.setCheckable(True)
        self.favourite_button.setAccessibleName(self.tr("Favourite colleague"))
        self.favourite_button.setToolTip(
            self.tr("A colleague: offered first when adding a participant (Ctrl+D)")
        )
        self.favourite_button.clicked.connect(self._favourite_clicked)
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setObjectName("deleteContactButton")
        self.delete_button.setAccessibleName(self.tr("Delete the selected contact"))
        self.delete_button.setToolTip(self.tr("Delete the selected contact (Delete)"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.call_action = self._table_action("Return", self.call_selected)
        self.call_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.favourite_action = self._table_action("Ctrl+D", self.toggle_favourite)
        self.delete_action = self._table_action("Del", self.delete_selected)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.import_button = QPushButton(self.tr("Import contacts…"))
        self.import_button.setObjectName("contactsImportButton")
        self.import_button.setAccessibleName(self.tr("Import contacts"))
        self.import_button.setToolTip(self.tr("Import a CSV or vCard file"))
        self.import_button.clicked.connect(self.import_requested)
        self.empty = QWidget()
        self.empty.setObjectName("contactsEmpty")
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.summary = QLabel()
        self.summary.setObjectName("contactsSummary")

        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for button in (self.call_button, self.favourite_button, self.delete_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._update_buttons()
        self._update_state()

    def _table_action(self, keys: str, slot: object) -> QAction:
        action = QAction(self.table)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.table.addAction(action)
        return action

    # -- what is selected ------------------------------------------------------------------------

    def selected(self) -> Contact | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row: Contact = self.model.data(index, ROW_ROLE)
        return row

    def call_selected(self) -> None:
        contact = self.selected()
        if contact is not None and contact.numbers:
            self.call_requested.emit(contact.numbers[0])

    def toggle_favourite(self) -> None:
        contact = self.selected()
        if contact is not None:
            self.favourite_requested.emit(contact, not contact.favourite)

    def delete_selected(self) -> None:
        contact = self.selected()
        if contact is not None:
            self.delete_requested.emit(contact)

    def _favourite_clicked(self, checked: bool) -> None:
        contact = self.selected()
        if contact is not None:
            self.favourite_requested.emit(contact, checked)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.column() != FAVOURITE_COLUMN:  # a double click on the star only stars
            self.call_selected()

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == FAVOURITE_COLUMN:
            self.toggle_favourite()

    def _on_current(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()

    def update_contact(self, contact: Contact) -> None:
        """One contact changed (its star): the row and the buttons show it at once."""
        self.model.replace_row(lambda c: c.id == contact.id, lambda _c: contact)
        self._update_buttons()

    def _update_buttons(self) -> None:
        contact = self.selected()
        self.call_button.setEnabled(contact is not None and bool(contact.numbers))
        self.call_button.setToolTip(
            self.tr("{name} has no Indian number to call").format(name=contact.name)
            if contact is not None and not contact.numbers
            else self.tr("Call the selected contact (Enter or double-click)")
        )
        self.favourite_button.setEnabled(contact is not None)
        self.favourite_button.setChecked(contact is not None and contact.favourite)
        self.delete_button.setEnabled(contact is not None)

    # -- search and empty state ------------------------------------------------------------------

    def _emit_search(self) -> None:
        self._debounce.stop()
        self.search_changed.emit(self.search_edit.text())

    def _update_state(self) -> None:
        total = self.model.total
        searching = bool(self.search_edit.text().strip())
        if total == 0 and not self.model.loading:
            self.empty_label.setText(
                self.tr("No contacts match “{text}”.").format(text=self.search_edit.text().strip())
                if searching
                else self.tr("No contacts yet — Contacts ▸ Import contacts…")
            )
            self.import_button.setVisible(not searching)
            self.stack.setCurrentWidget(self.empty)
        else:
            show_table(self.stack, self.table)
        self.summary.setText("" if total is None else count(total, "%Ln contact", "%Ln contacts"))
        self._update_buttons()
