"""The History tab: every call, filtered, searched and sorted on the store's worker thread;
notes saved as typed; CSV export. Works with no network at all."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from dialdeck.core.history import (
    HistoryFilter,
    HistoryRow,
    SortKey,
    count_calls,
    export_csv,
    query_calls,
)
from dialdeck.core.storage_errors import storage_reason
from dialdeck.core.store import AsyncHistory, HistoryStore
from dialdeck.ui.describe import count
from dialdeck.ui.lazy_page import LazyView
from dialdeck.ui.paged_model import Spawn

if TYPE_CHECKING:
    from dialdeck.core.contact_names import ContactNames
    from dialdeck.ui.history_view import HistoryView

log = logging.getLogger("dialdeck.history.ui")


class HistoryController(QObject):
    notify = Signal(str)  # a short message for the status bar
    play_requested = Signal(int)  # recording id: the Recordings tab plays it
    call_back_requested = Signal(str)  # the number of a History row, to dial

    def __init__(self, history: AsyncHistory, spawn: Spawn, parent: QWidget) -> None:
        super().__init__(parent)
        self.history = history
        self.spawn = spawn
        self.parent_widget = parent
        # The tab's page: its view is built when first shown (or asked for): lazy_page.py.
        self._lazy = LazyView("historyPage", self._build_view)
        self.page = self._lazy.page
        self._started = False
        self._names: ContactNames | None = None
        self._dispositions: list[str] | None = None
        self._filter = HistoryFilter()
        # Refreshes are coalesced: a burst of call updates reloads the table once.
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(300)
        self._refresh.timeout.connect(self._refresh_now)
        self.row_menu: QMenu | None = None

    @property
    def history_view(self) -> HistoryView:
        return self._lazy.get()

    @property
    def _view(self) -> HistoryView | None:  # None until the tab is first opened
        return self._lazy.built

    def _build_view(self) -> HistoryView:
        from dialdeck.ui.history_view import HistoryView

        view = HistoryView(self.spawn)
        view.filter_changed.connect(self.set_filter)
        view.export_requested.connect(self.ask_export)
        view.notes_saved.connect(lambda u, n, d: self.spawn(self.save_notes(u, n, d)))
        view.play_requested.connect(self.play_requested)
        # "Call back": the row's context menu, or Ctrl+Enter on the selected row.
        view.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.table.customContextMenuRequested.connect(self._row_menu)
        self.call_back_action = QAction(self.tr("Call back"), view.table)
        self.call_back_action.setObjectName("callBackAction")
        self.call_back_action.setShortcuts(
            [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")]
        )
        self.call_back_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.call_back_action.triggered.connect(self.call_back_selected)
        view.table.addAction(self.call_back_action)
        if self._names is not None:
            self._show_names(view, self._names)
        if self._dispositions is not None:
            view.notes.set_dispositions(self._dispositions)
        if self._started:
            view.model.set_source(self._load_calls, self._count_calls)
        return view

    def ask_save_path(self, title: str, suggested: str, filters: str) -> str:
        """A hook tests replace (no native dialog in tests)."""
        return QFileDialog.getSaveFileName(self.parent_widget, title, suggested, filters)[0]

    def use_names(self, names: ContactNames) -> None:
        """The Number column shows "Name · number" for contacts (names read from the cache)."""
        self._names = names
        if self._view is not None:
            self._show_names(self._view, names)

    def _show_names(self, view: HistoryView, names: ContactNames) -> None:
        model = view.model
        model.columns = [
            replace(c, text=lambda r: names.describe_text(r.to_number), tooltip=c.text)
            if c.sort_key is SortKey.NUMBER
            else c
            for c in model.columns
        ]
        view.search_edit.setPlaceholderText(self.tr("Search names, numbers and notes"))
        view.describe_number = names.describe_text

    def set_dispositions(self, dispositions: list[str]) -> None:
        self._dispositions = list(dispositions)
        if self._view is not None:
            self._view.notes.set_dispositions(self._dispositions)

    def names_changed(self) -> None:
        if self._view is None:
            return
        model = self._view.model
        if model.rowCount():
            last = model.index(model.rowCount() - 1, model.columnCount() - 1)
            model.dataChanged.emit(model.index(0, 0), last)
        self._view.refresh_details()

    def selected_row(self) -> HistoryRow | None:
        index = self.history_view.table.currentIndex()
        return self.history_view.model.row_at(index.row()) if index.isValid() else None

    def call_back_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.call_back_requested.emit(row.to_number)

    def row_menu_at(self, pos: QPoint) -> QMenu | None:
        """The context menu of the row at ``pos`` (viewport coordinates), that row selected."""
        table = self.history_view.table
        index = table.indexAt(pos)
        if not index.isValid():
            return None
        table.setCurrentIndex(index)
        menu = QMenu(table)
        menu.setObjectName("historyRowMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(self.call_back_action)
        self.row_menu = menu
        return menu

    def _row_menu(self, pos: QPoint) -> None:
        if (menu := self.row_menu_at(pos)) is not None:
            menu.popup(self.history_view.table.viewport().mapToGlobal(pos))

    def start(self) -> None:
        """The database is open: the table may load (now, or when it is first shown)."""
        self._started = True
        if self._view is not None:
            self._view.model.set_source(self._load_calls, self._count_calls)

    def stop(self) -> None:
        self._started = False
        self._refresh.stop()
        if self._view is not None:
            self._view.model.detach()

    def changed(self) -> None:
        """Something in the history changed: reload soon (coalesced); a table not built yet
        reads the history when it is."""
        if self._view is not None:
            self._refresh.start()

    def _refresh_now(self) -> None:
        if self._view is not None:
            self._view.model.refresh()

    def set_filter(self, f: HistoryFilter) -> None:
        self._filter = f
        self.history_view.model.reload()

    async def _load_calls(
        self, last: HistoryRow | None, limit: int, key: Any, descending: bool
    ) -> list[HistoryRow]:
        after = last and last.cursor
        return await self.history.run(
            query_calls, self._filter, sort=key, descending=descending, after=after, limit=limit
        )

    async def _count_calls(self) -> int:
        return await self.history.run(count_calls, self._filter)

    # -- notes ---------------------------------------------------------------------------------

    async def save_notes(self, uuid: str, notes: str, disposition: str) -> None:
        try:
            await self.history.run(HistoryStore.set_notes, uuid, notes, disposition)
        except (sqlite3.Error, OSError) as exc:
            self.history_view.notes.save_failed(uuid, storage_reason(exc))
            return
        self.history_view.notes.saved(uuid, notes, disposition)
        self.history_view.model.replace_row(
            lambda r: r.uuid == uuid, lambda r: replace(r, notes=notes, disposition=disposition)
        )

    async def flush_notes(self) -> None:
        """At quit: notes typed moments ago are written before the database closes."""
        if self._view is None:
            return
        for uuid, (notes, disposition) in list(self._view.notes.pending.items()):
            await self.save_notes(uuid, notes, disposition)

    # -- export ----------------------------------------------------------------------------------

    def ask_export(self, f: HistoryFilter) -> None:
        """The file dialog runs here, in the slot, not inside a task: its nested event loop
        would let other tasks step while this one is current (asyncio refuses that)."""
        name = f"dialdeck-calls-{datetime.now():%Y%m%d-%H%M}.csv"
        path = self.ask_save_path(
            self.tr("Export calls as CSV"), str(Path.home() / name), "CSV (*.csv)"
        )
        if path:
            self.spawn(self.export_history(f, path))

    async def export_history(self, f: HistoryFilter, path: str) -> None:
        try:
            written = await self.history.run(export_csv, f, Path(path))
        except OSError as exc:
            self.notify.emit(
                self.tr("Could not save {path}: {reason}").format(path=path, reason=exc.strerror)
            )
            return
        self.notify.emit(
            self.tr("Exported {calls} to {path}").format(
                calls=count(written, "%Ln call", "%Ln calls"), path=path
            )
        )
