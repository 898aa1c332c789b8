"""A table model that loads rows page by page from an async source.

Views ask for more rows as the user scrolls (``canFetchMore``/``fetchMore``); each page is loaded
on the store's worker thread and appended when it arrives, so a 100,000-row table never loads in
full and the GUI thread never waits. A generation counter drops pages that arrive after a reset.
Pages are keyset pages: the loader gets the last row loaded and continues after it, so the page at
row 99,800 costs what the first one does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QTableView

Index = QModelIndex | QPersistentModelIndex
Loader = Callable[
    [Any, int, Any, bool], Awaitable[list[Any]]
]  # the last row loaded (None: from the top), limit, sort key, descending
Counter = Callable[[], Awaitable[int]]
Spawn = Callable[[Coroutine[Any, Any, Any]], Any]

ROW_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    sort_key: Any = None  # None: not sortable
    right_aligned: bool = False
    tooltip: Callable[[Any], str] | None = None


def keep_selection(view: QAbstractItemView, key: Callable[[Any], Any]) -> None:
    """Re-select the same item (by key) after the model of ``view`` is reset by a refresh."""
    model = view.model()
    assert isinstance(model, PagedTableModel)
    remembered: list[Any] = []

    def before() -> None:
        remembered.clear()
        current = view.currentIndex()
        if current.isValid():
            remembered.append(key(model.row_at(current.row())))

    def after() -> None:
        if not remembered:
            return
        for number in range(model.rowCount()):
            if key(model.row_at(number)) == remembered[0]:
                view.selectRow(number) if isinstance(view, QTableView) else view.setCurrentIndex(
                    model.index(number, 0)
                )
                return

    model.modelAboutToBeReset.connect(before)
    model.modelReset.connect(after)


class PagedTableModel(QAbstractTableModel):
    loaded = Signal()  # a page or the total count arrived

    def __init__(self, columns: list[Column], spawn: Spawn, *, page_size: int = 200) -> None:
        super().__init__()
        self.columns = columns
        self.page_size = page_size
        self._spawn = spawn
        self._rows: list[Any] = []
        self._total: int | None = None
        self._exhausted = False
        self._loading = False
        self._generation = 0
        self._loader: Loader | None = None
        self._counter: Counter | None = None
        first_sortable = next((c.sort_key for c in columns if c.sort_key is not None), None)
        self.sort_key: Any = first_sortable
        self.descending = True

    # -- source ----------------------------------------------------------------------------------

    def set_source(self, loader: Loader, counter: Counter) -> None:
        self._loader, self._counter = loader, counter
        self.reload()

    def refresh(self) -> None:
        """The data changed but the query did not: load fresh rows, then swap them in at once
        (no empty flash; views restore their selection via :func:`keep_selection`)."""
        if self._loader is None:
            return
        self._generation += 1
        self._loading = True
        count = max(self.page_size, min(len(self._rows), 2_000))
        self._spawn(self._swap(self._generation, count))

    async def _swap(self, generation: int, count: int) -> None:
        assert self._loader is not None
        assert self._counter is not None
        try:
            rows = await self._loader(None, count, self.sort_key, self.descending)
            total = await self._counter()
        finally:
            if generation == self._generation:
                self._loading = False
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = rows
        self._total = total
        self._exhausted = len(rows) < count
        self.endResetModel()
        self.loaded.emit()

    def detach(self) -> None:
        """Stop loading (at shutdown): later reloads and scrolls fetch nothing."""
        self._generation += 1
        self._loader = self._counter = None

    def reload(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._total = None
        self._exhausted = False
        # Loading from before the reset: a view reacting to endResetModel() calls fetchMore(),
        # which must not start a second first page next to ours (rows would appear twice).
        self._loading = self._loader is not None
        self.endResetModel()
        if self._loader is not None:
            self._spawn(self._fetch(self._generation, 0, None))
            self._spawn(self._count(self._generation))

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def replace_row(self, predicate: Callable[[Any], bool], update: Callable[[Any], Any]) -> None:
        for number, item in enumerate(self._rows):
            if predicate(item):
                self._rows[number] = update(item)
                self.dataChanged.emit(
                    self.index(number, 0), self.index(number, self.columnCount() - 1)
                )

    def _load_page(self) -> None:
        self._loading = True
        last = self._rows[-1] if self._rows else None
        self._spawn(self._fetch(self._generation, len(self._rows), last))

    async def _fetch(self, generation: int, offset: int, last: Any) -> None:
        assert self._loader is not None
        try:
            rows = await self._loader(last, self.page_size, self.sort_key, self.descending)
        finally:
            if generation == self._generation:
                self._loading = False
        if generation != self._generation or offset != len(self._rows):
            return  # stale: another page or a reset got here first
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        if len(rows) < self.page_size:
            self._exhausted = True
        self.loaded.emit()

    async def _count(self, generation: int) -> None:
        assert self._counter is not None
        total = await self._counter()
        if generation == self._generation:
            self._total = total
            self.loaded.emit()

    # -- Qt model API ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(item)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column.right_aligned else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return item
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() or self._loader is None or self._loading or self._exhausted:
            return False
        return self._total is None or len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._load_page()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or self.columns[column].sort_key is None:
            return
        key = self.columns[column].sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload()
