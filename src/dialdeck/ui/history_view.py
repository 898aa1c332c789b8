"""The History tab: every call, searchable and filterable, with notes and a disposition."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.dispositions import DEFAULT_DISPOSITIONS
from dialdeck.core.history import HistoryFilter, HistoryRow, Outcome, SortKey, outcome_label
from dialdeck.core.library import RecState
from dialdeck.ui.describe import clock, count, full_when, number, short_when
from dialdeck.ui.flow_layout import FlowLayout
from dialdeck.ui.notes_editor import NotesEditor
from dialdeck.ui.paged_model import ROW_ROLE, Column, PagedTableModel, Spawn, keep_selection
from dialdeck.ui.widgets import row_table, search_field, show_table, with_empty_state

DISPOSITIONS = ("", *DEFAULT_DISPOSITIONS)  # "" first: no outcome picked yet
RECORDING_WORDS = {
    "local": "Saved",
    "pending": "Downloading…",
    "failed": "Failed",
    "missing": "Missing",
}


# What each column typically holds, for its default width (the last, Notes, stretches).
COLUMN_SAMPLES: tuple[tuple[str, ...], ...] = (
    ("30 Sep 23:59", "30 Sep 2025"),
    ("Asha Rao (Acme) · +91 98765 43210",),
    ("+91 98000 00000",),
    ("Not placed", "In progress", "No answer"),  # "Outcome unknown" is rare: elided
    ("0:00:00",),
    ("99",),
    (*RECORDING_WORDS.values(), "Retry at 00:00", "—"),
    ("Not interested",),
)


HIDDEN_AT_FIRST = (2, 5)  # Caller ID, Legs


def recording_word(row: HistoryRow) -> str:
    """As the Recordings tab says it: a failed download that will be tried again says when."""
    if row.recording_state is RecState.FAILED and row.recording_retry_at is not None:
        return f"Retry at {row.recording_retry_at.astimezone():%H:%M}"
    return RECORDING_WORDS.get(row.recording_state or "", "—")


def history_columns() -> list[Column]:
    return [
        Column(
            "When",
            lambda r: short_when(r.placed_at),
            SortKey.PLACED_AT,
            tooltip=lambda r: full_when(r.placed_at),
        ),
        Column("Number", lambda r: number(r.to_number), SortKey.NUMBER),
        Column("Caller ID", lambda r: number(r.from_number), SortKey.CALLER_ID),
        Column(
            "Outcome",
            lambda r: outcome_label(r).capitalize(),
            SortKey.OUTCOME,
            tooltip=lambda r: "\n".join(filter(None, (outcome_label(r).capitalize(), r.error))),
        ),
        Column(
            "Length",
            lambda r: "" if r.duration is None else clock(r.duration),
            SortKey.DURATION,
            True,
        ),
        Column("Legs", lambda r: str(r.legs) if r.legs else "", None, True),
        Column("Recording", recording_word),
        Column("Disposition", lambda r: r.disposition),
        Column("Notes", lambda r: r.notes.splitlines()[0] if r.notes else ""),
    ]


class HistoryView(QWidget):
    filter_changed = Signal(object)  # HistoryFilter
    export_requested = Signal(object)  # HistoryFilter
    notes_saved = Signal(str, str, str)  # uuid, notes, disposition
    play_requested = Signal(int)  # recording id

    def __init__(self, spawn: Spawn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyView")
        self.model = PagedTableModel(history_columns(), spawn)
        self.model.loaded.connect(self._update_summary)
        self.model.modelReset.connect(self._update_summary)

        self.search_edit, self._debounce = search_field(
            self,
            name="historySearch",
            placeholder=self.tr("Search numbers and notes"),
            accessible=self.tr("Search history"),
            on_settled=self._emit_filter,
        )

        self.since_check = QCheckBox(self.tr("From"))
        self.since_check.setObjectName("sinceCheck")
        self.since_edit = QDateEdit(QDate.currentDate().addDays(-30))
        self.since_edit.setObjectName("sinceEdit")
        self.until_check = QCheckBox(self.tr("To"))
        self.until_check.setObjectName("untilCheck")
        self.until_edit = QDateEdit(QDate.currentDate())
        self.until_edit.setObjectName("untilEdit")
        self.since_edit.setAccessibleName(self.tr("Calls from this day"))
        self.until_edit.setAccessibleName(self.tr("Calls up to this day"))
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.dateChanged.connect(lambda _d: self._emit_filter())
        for check in (self.since_check, self.until_check):
            check.toggled.connect(lambda _c: self._emit_filter())

        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("outcomeCombo")
        self.outcome_combo.setAccessibleName(self.tr("Outcome"))
        for outcome, label in (
            (Outcome.ANY, self.tr("Any outcome")), (Outcome.ANSWERED, self.tr("Answered")),
            (Outcome.NO_ANSWER, self.tr("No answer")), (Outcome.BUSY, self.tr("Busy")),
            (Outcome.FAILED, self.tr("Failed")), (Outcome.CANCELED, self.tr("Cancelled")),
            (Outcome.NOT_PLACED, self.tr("Not placed")), (Outcome.UNKNOWN, self.tr("Outcome unknown")),
            (Outcome.LIVE, self.tr("In progress")),
        ):  # fmt: skip
            self.outcome_combo.addItem(label, outcome.value)
        self.outcome_combo.currentIndexChanged.connect(lambda _i: self._emit_filter())
        self.recording_combo = QComboBox()
        self.recording_combo.setObjectName("hasRecordingCombo")
        self.recording_combo.setAccessibleName(self.tr("Recording"))
        for value, label in ((None, self.tr("With or without recording")), (True, self.tr("Has a recording")),
                             (False, self.tr("No recording"))):  # fmt: skip
            self.recording_combo.addItem(label, value)
        self.recording_combo.currentIndexChanged.connect(lambda _i: self._emit_filter())
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setObjectName("exportCsvButton")
        self.export_button.setToolTip(self.tr("Save every call that matches the filters as CSV"))
        self.export_button.clicked.connect(
            lambda: self.export_requested.emit(self.current_filter())
        )

        self.table = row_table(
            self.model, name="historyTable", accessible=self.tr("Call history"), always_shown=2
        )
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Each column fits typical content in this font (and its title with the sort arrow);
        # Number gets room for a contact's name. The agent's own widths are kept across starts
        # (window_layout.py).
        metrics = self.table.fontMetrics()
        for column, samples in enumerate(COLUMN_SAMPLES):
            text = max((metrics.horizontalAdvance(sample) for sample in samples), default=0)
            header.resizeSection(column, max(text + 16, header.sectionSizeHint(column)))
        # Caller ID and Legs matter less at a glance (the details beside say them): hidden at
        # first, to be shown from the header's menu (right-click).
        for column in HIDDEN_AT_FIRST:
            header.setSectionHidden(column, True)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        keep_selection(self.table, lambda row: row.uuid)

        self.empty = QLabel()
        self.empty.setObjectName("historyEmpty")
        self.stack = with_empty_state(self.table, self.empty)
        self.summary = QLabel()
        self.summary.setObjectName("historySummary")

        # Details of the selected call: notes and disposition, editable after the call.
        self.details = QGroupBox(self.tr("Selected call"))
        self.details.setObjectName("callDetails")
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.notes = NotesEditor(DISPOSITIONS, self)
        self.notes.save_requested.connect(self.notes_saved)
        self.notes_edit = self.notes.notes_edit
        self.disposition_combo = self.notes.disposition_combo
        self.save_notes_button = QPushButton(self.tr("Save notes"))
        self.save_notes_button.setObjectName("saveNotesButton")
        self.save_notes_button.setShortcut("Ctrl+S")
        self.save_notes_button.setToolTip(self.tr("Notes are saved as you type; Ctrl+S saves now"))
        self.save_notes_button.clicked.connect(self.notes.flush)
        self.play_button = QPushButton(self.tr("Play recording"))
        self.play_button.setObjectName("playRecordingButton")
        self.play_button.clicked.connect(self._play)
        details_layout = QVBoxLayout(self.details)  # a box layout gives wrapped text its height
        details_layout.addWidget(self.detail_label)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        details_layout.addLayout(form, 1)
        form.addRow(self.tr("Disposition"), self.disposition_combo)
        form.addRow(self.tr("Notes"), self.notes_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addStretch(1)
        buttons.addWidget(self.notes.state_label)
        buttons.addWidget(self.save_notes_button)
        form.addRow(buttons)
        self.details.setEnabled(False)

        # Two rows: the search box keeps its width on a narrow window.
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.export_button)
        filter_row = FlowLayout()  # wraps on a narrow window
        for pair in ((self.since_check, self.since_edit), (self.until_check, self.until_edit)):
            box = QWidget()  # a check box and its date stay together
            pair_layout = QHBoxLayout(box)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            for widget in pair:
                pair_layout.addWidget(widget)
            filter_row.addWidget(box)
        filter_row.addWidget(self.outcome_combo)
        filter_row.addWidget(self.recording_combo)
        filters = QVBoxLayout()
        filters.addLayout(search_row)
        filters.addLayout(filter_row)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.stack, 1)
        left_layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("historySplitter")
        splitter.addWidget(left)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([750, 250])  # the table first; in proportion to the window's width
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self._selected: HistoryRow | None = None
        # "Asha Rao (Acme) · +91 98765 43210" once the conductor gives History the names.
        self.describe_number: Callable[[str], str] = number

    def current_filter(self) -> HistoryFilter:
        return HistoryFilter(
            text=self.search_edit.text(),
            since=self._date(self.since_edit) if self.since_check.isChecked() else None,
            until=self._date(self.until_edit) if self.until_check.isChecked() else None,
            outcome=Outcome(self.outcome_combo.currentData()),
            has_recording=self.recording_combo.currentData(),
        )

    @staticmethod
    def _date(edit: QDateEdit) -> date:
        value = edit.date()
        return date(value.year(), value.month(), value.day())

    def _emit_filter(self) -> None:
        self._debounce.stop()
        self.filter_changed.emit(self.current_filter())

    def _update_summary(self) -> None:
        total = self.model.total
        filtered = self.current_filter() != HistoryFilter()
        if total == 0 and not self.model.loading:
            self.empty.setText(
                self.tr("No calls match these filters.")
                if filtered
                else self.tr("No calls yet: the calls you place appear here.")
            )
            self.stack.setCurrentWidget(self.empty)
        else:
            show_table(self.stack, self.table)
        self.summary.setText("" if total is None else count(total, "%Ln call", "%Ln calls"))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.data(current, ROW_ROLE) if current.isValid() else None
        self._selected = row
        self.details.setEnabled(row is not None)
        if row is None:
            self.notes.show_call(None, "", "")
            self.detail_label.clear()
            return
        self._show_details(row)
        self.notes.show_call(row.uuid, row.notes, row.disposition)
        self.play_button.setEnabled(row.recording_state is RecState.LOCAL)

    def refresh_details(self) -> None:
        """Names changed: the selected call's summary names its number again (notes untouched)."""
        if self._selected is not None:
            self._show_details(self._selected)

    def _show_details(self, row: HistoryRow) -> None:
        self.detail_label.setText(
            f"<b>{html.escape(self.describe_number(row.to_number))}</b>"
            f"<br>{full_when(row.placed_at)}"
            f"<br>{outcome_label(row).capitalize()}"
            + (f" · {clock(row.duration)}" if row.duration else "")
            + (f"<br><i>{html.escape(row.error)}</i>" if row.error else "")
        )

    def _play(self) -> None:
        if self._selected is not None and self._selected.recording_id is not None:
            self.play_requested.emit(self._selected.recording_id)
