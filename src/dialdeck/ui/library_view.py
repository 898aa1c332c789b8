"""The Recordings tab: the library (downloaded and imported recordings) and the player."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dialdeck.core.contact_names import ContactNames
from dialdeck.core.library import RecordingRow, RecState
from dialdeck.ui.describe import clock, full_when, recording_title, short_when
from dialdeck.ui.paged_model import ROW_ROLE, Column, PagedTableModel, Spawn, keep_selection
from dialdeck.ui.player import Player
from dialdeck.ui.player_widget import PlayerWidget
from dialdeck.ui.widgets import row_table, scrolling, search_field, show_table, with_empty_state

STATE_WORDS = {
    "local": "Saved",
    "pending": "Waiting to download",
    "failed": "Download failed",
    "missing": "File missing",
}


def _size(value: int | None) -> str:
    if not value:
        return ""
    return f"{value / 1e6:.1f} MB" if value >= 1e5 else f"{value / 1e3:.0f} kB"


def _state(row: RecordingRow) -> str:
    words = STATE_WORDS.get(row.state.value, row.state.value)
    if row.state is RecState.FAILED and row.next_try_at is not None:
        words += f" (retry at {row.next_try_at.astimezone():%H:%M})"
    return words


def library_columns() -> list[Column]:
    return [
        Column("Recording", lambda r: r.title),
        Column(
            "Date", lambda r: short_when(r.created_at), tooltip=lambda r: full_when(r.created_at)
        ),
        Column("Length", lambda r: clock(r.duration) if r.duration else "", None, True),
        Column("Size", lambda r: _size(r.size), None, True),
        Column("Bookmarks", lambda r: str(r.bookmarks) if r.bookmarks else "", None, True),
        Column("State", _state, tooltip=lambda r: r.error or ""),
    ]


class LibraryView(QWidget):
    search_changed = Signal(str)
    selected = Signal(object)  # RecordingRow | None
    import_requested = Signal()
    show_in_folder_requested = Signal(object)
    export_requested = Signal(object)
    delete_requested = Signal(object)

    def __init__(self, spawn: Spawn, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryView")
        self.model = PagedTableModel(library_columns(), spawn)
        self.model.loaded.connect(self._update_empty)
        self.model.modelReset.connect(self._update_empty)

        self.search_edit, _ = search_field(
            self,
            name="librarySearch",
            placeholder=self.tr("Search titles, names, numbers and notes"),
            accessible=self.tr("Search recordings"),
            on_settled=lambda: self.search_changed.emit(self.search_edit.text()),
        )

        self.import_button = QPushButton(self.tr("Import audio…"))
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self.import_requested)
        self.folder_button = QPushButton(self.tr("Show in folder"))
        self.folder_button.setObjectName("showInFolderButton")
        self.folder_button.clicked.connect(lambda: self._emit_for(self.show_in_folder_requested))
        self.export_button = QPushButton(self.tr("Export copy…"))
        self.export_button.setObjectName("exportRecordingButton")
        self.export_button.clicked.connect(lambda: self._emit_for(self.export_requested))
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.setObjectName("deleteRecordingButton")
        self.delete_button.clicked.connect(lambda: self._emit_for(self.delete_requested))

        self.progress = QProgressBar()
        self.progress.setObjectName("downloadProgress")
        self.progress.setAccessibleName(self.tr("Recording download progress"))
        self.progress.setFormat(self.tr("Downloading recording… %p%"))
        self.progress.hide()

        self.table = row_table(self.model, name="libraryTable", accessible=self.tr("Recordings"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(self.model.columns)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        keep_selection(self.table, lambda row: row.id)
        self.model.modelReset.connect(self._forget_gone_row)  # after keep_selection's restore
        self.table.activated.connect(lambda _i: player.play())

        self.empty = QLabel(
            self.tr(
                "No recordings yet.\n\nRecordings of your calls are saved here automatically,\nready to replay without a network."
            )
        )
        self.empty.setObjectName("libraryEmpty")
        self.stack = with_empty_state(self.table, self.empty)

        self.player_widget = PlayerWidget(player)
        self.player_widget.install_shortcuts(self)

        toolbar = QHBoxLayout()
        toolbar.addWidget(self.search_edit, 1)
        toolbar.addWidget(self.import_button)
        toolbar.addWidget(self.folder_button)
        toolbar.addWidget(self.export_button)
        toolbar.addWidget(self.delete_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(toolbar)
        top_layout.addWidget(self.progress)
        top_layout.addWidget(self.stack, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("recordingsSplitter")
        splitter.addWidget(top)
        splitter.addWidget(scrolling(self.player_widget, name="playerScroll"))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._current: RecordingRow | None = None
        self.names: ContactNames | None = None
        self._update_buttons()

    @property
    def current(self) -> RecordingRow | None:
        return self._current

    # -- names -------------------------------------------------------------------------------------

    def use_names(self, names: ContactNames) -> None:
        """A call's recording is titled with the current name for its number, read when shown
        (like History), so recordings saved before the contact was imported are named too."""
        self.names = names
        self.model.columns = [
            replace(self.model.columns[0], text=self.title_for),
            *self.model.columns[1:],
        ]

    def title_for(self, row: RecordingRow) -> str:
        return recording_title(row, self.names)

    def refresh_names(self) -> None:
        """Names changed (an import, an edit, a delete): the titles are read again."""
        model = self.model
        if model.rowCount():
            model.dataChanged.emit(model.index(0, 0), model.index(model.rowCount() - 1, 0))

    def select_id(self, rec_id: int) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == rec_id:
                self.table.selectRow(row)
                return True
        return False

    def show_progress(self, done: int, total: int | None) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        else:
            self.progress.setRange(0, 0)  # busy indicator: size unknown
        self.progress.setVisible(total is None or done < total)

    def hide_progress(self) -> None:
        self.progress.hide()

    def _emit_for(self, signal: SignalInstance) -> None:
        if self._current is not None:
            signal.emit(self._current)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._current = self.model.data(current, ROW_ROLE) if current.isValid() else None
        self._update_buttons()
        self.selected.emit(self._current)

    def _forget_gone_row(self) -> None:
        """A refresh that left no row current (the one shown was deleted, or a new search):
        Show in folder, Export and Delete no longer act on it. The player plays on."""
        if not self.table.currentIndex().isValid() and self._current is not None:
            self._current = None
            self._update_buttons()

    def _update_buttons(self) -> None:
        local = self._current is not None and self._current.state is RecState.LOCAL
        self.folder_button.setEnabled(local)
        self.export_button.setEnabled(local)
        self.delete_button.setEnabled(self._current is not None)

    def _update_empty(self) -> None:
        empty = self.model.total == 0 and not self.search_edit.text()
        if empty:
            self.stack.setCurrentWidget(self.empty)
        else:
            show_table(self.stack, self.table)
