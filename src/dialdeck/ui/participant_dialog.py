"""Add a participant / transfer: one number through the same pipeline as the dialer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.numbers import DialNumber, check_dial_number
from dialdeck.ui.widgets import elide_long_items, number_field

if TYPE_CHECKING:
    from dialdeck.core.calls import TrackedCall


class AddParticipantDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        favourites: Sequence[tuple[str, str]] = (),  # (name, national number)
        describe: Callable[[DialNumber], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.describe = describe or (lambda number: number.display)
        self._colleagues = {national: name for name, national in favourites}
        # Wide enough that its wrapped explanation never needs more lines than it gets.
        self.setMinimumWidth(380)
        self.setObjectName("addParticipantDialog")
        self.setWindowTitle(self.tr("Add participant / Transfer"))
        self.number: DialNumber | None = None
        self._ended = False  # the call ended while the dialog was open
        explain = QLabel(
            self.tr(
                "Dialdeck rings this number into the call. To transfer, talk to your colleague "
                "first, then hang up: the customer and your colleague stay connected."
            )
        )
        explain.setWordWrap(True)
        self.number_edit = number_field()
        self.number_edit.setObjectName("participantNumberEdit")
        self.number_edit.setAccessibleName(self.tr("Colleague's number"))
        self.number_edit.setPlaceholderText(self.tr("Colleague's number"))
        self.preview = QLabel(" ")
        self.preview.setObjectName("participantPreview")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Ring colleague"))
        ok.setObjectName("ringParticipantButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.number_edit.textChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.number_edit)
        # Colleagues (contacts marked favourite): a click fills the number.
        self.favourites_list = QListWidget()
        self.favourites_list.setObjectName("favouritesList")
        self.favourites_list.setAccessibleName(self.tr("Colleagues"))
        elide_long_items(self.favourites_list)
        for name, national in favourites:
            number = check_dial_number(national)
            shown = number.display if isinstance(number, DialNumber) else national
            item = QListWidgetItem(f"{name} · {shown}")
            item.setToolTip(item.text())
            item.setData(Qt.ItemDataRole.UserRole, shown)
            self.favourites_list.addItem(item)
        self.favourites_list.itemClicked.connect(self._use_favourite)
        self.favourites_list.itemActivated.connect(self._use_favourite)
        self.favourites_list.setVisible(bool(favourites))
        self.favourites_list.setMaximumHeight(140)
        favourites_label = QLabel(self.tr("Colleagues:"))
        favourites_label.setVisible(bool(favourites))
        layout.addWidget(favourites_label)
        layout.addWidget(self.favourites_list)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self._check("")
        # A window's minimum height ignores wrapped text: measure it at the minimum width.
        layout.activate()
        self.setMinimumHeight(layout.totalHeightForWidth(self.minimumWidth()))

    def _check(self, text: str) -> None:
        result = check_dial_number(text)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if isinstance(result, DialNumber):
            self.number = result
            colleague = self._colleagues.get(result.national)
            shown = f"{colleague} · {result.display}" if colleague else self.describe(result)
            self.preview.setText(self.tr("Will ring {number}").format(number=shown))
            self.preview.setProperty("state", "ok")
        else:
            self.number = None
            self.preview.setText(str(result) if text.strip() else " ")
            self.preview.setProperty("state", "error")
        self.preview.style().unpolish(self.preview)
        self.preview.style().polish(self.preview)
        ok.setEnabled(self.number is not None and not self._ended)

    def _use_favourite(self, item: QListWidgetItem) -> None:
        self.number_edit.setText(str(item.data(Qt.ItemDataRole.UserRole)))
        self.number_edit.setFocus()

    def call_ended(self) -> None:
        """The call this dialog adds to is over: say so and ring no one (what was typed stays,
        to copy into the dialer)."""
        self._ended = True
        self.preview.setText(self.tr("The call has ended: there is no one to add a colleague to."))
        self.preview.setProperty("state", "error")
        self.preview.style().unpolish(self.preview)
        self.preview.style().polish(self.preview)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def accept(self) -> None:
        if self.number is not None and not self._ended:
            super().accept()


class ParticipantAsk(QObject):
    """The Add participant dialog, for one call at a time: opened, told when its call ends
    meanwhile, forgotten once closed."""

    chosen = Signal(str, object)  # call_id, DialNumber

    def __init__(self, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.dialog: AddParticipantDialog | None = None
        self._call_id = ""

    def ask(
        self,
        call_id: str,
        favourites: Sequence[tuple[str, str]],
        describe: Callable[[DialNumber], str] | None,
    ) -> None:
        dialog = AddParticipantDialog(self.window, favourites, describe)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self.chosen.emit(call_id, dialog.number) if dialog.number is not None else None
        )
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.dialog, self._call_id = dialog, call_id
        dialog.open()

    def call_changed(self, call: TrackedCall) -> None:
        if self.dialog is not None and call.call_id == self._call_id and call.is_over:
            self.dialog.call_ended()

    def _forget(self, dialog: AddParticipantDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
