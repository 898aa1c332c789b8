"""The Recordings tab: downloads, the library, the player, bookmarks, deletes, retention (file
import and export: ``library_files.py``).

Everything here works with no network at all; only downloads wait for one. The tab's view is
built when the tab is first opened; downloads, retention and the player work without it. Delete
questions are awaited (``ui/questions.py``), with Cancel the default.
Selecting a recording loads it in a "latest wins" slot: choosing another one cancels the earlier
load, so the player never ends up holding a recording that is not the selected one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from dialdeck.core import library
from dialdeck.core.audio import AudioCheckError, NotAudioError, probe_audio
from dialdeck.core.downloads import RecordingDownloader
from dialdeck.core.library import RecordingRow, RecState
from dialdeck.core.paths import AppPaths
from dialdeck.core.retention import RetentionPolicy, plan
from dialdeck.core.store import AsyncHistory
from dialdeck.core.waveform import cached_peaks
from dialdeck.ui.describe import count, recording_title
from dialdeck.ui.lazy_page import LazyView
from dialdeck.ui.library_files import LibraryFiles
from dialdeck.ui.player import Player
from dialdeck.ui.questions import ask
from dialdeck.ui.tasks import Tasks

if TYPE_CHECKING:
    from dialdeck.core.contact_names import ContactNames
    from dialdeck.ui.library_view import LibraryView

log = logging.getLogger("dialdeck.library")


class RecordingsController(QObject):
    notify = Signal(str)  # a short message for the status bar / tray
    recording_saved = Signal(int, str)  # recording id, title
    shown = Signal()  # the agent asked to see a recording: bring the Recordings tab forward
    history_changed = Signal()  # recordings were deleted: History's "Recording" column changed

    def __init__(
        self,
        history: AsyncHistory,
        paths: AppPaths,
        tasks: Tasks,
        parent: QWidget,
        *,
        player: Player | None = None,
    ) -> None:
        super().__init__(parent)
        self.history = history
        self.paths = paths
        self.tasks = tasks
        self.spawn = tasks.spawn
        self.parent_widget = parent
        self.downloader: RecordingDownloader | None = None
        self.retention = RetentionPolicy()
        self.player = player or Player(self)
        # The tab's page: its view is built when first shown (or asked for): lazy_page.py.
        # Downloads, retention and the player work without it.
        self._lazy = LazyView("recordingsPage", self._build_view)
        self.page = self._lazy.page
        self._started = False
        self.names: ContactNames | None = None
        self._search = ""
        self._loaded_id: int | None = None
        self._select_when_listed: int | None = None  # asked to play before its row was listed
        self.files = LibraryFiles(
            history, paths, tasks.spawn, parent, self.notify.emit, self._reload
        )
        # Refreshes are coalesced: a burst of updates reloads the table once.
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(300)
        self._refresh.timeout.connect(self._refresh_now)
        # Failed downloads are retried when due, also without any new call.
        self._retry = QTimer(self)
        self._retry.setInterval(60_000)
        self._retry.timeout.connect(self._run_due)
        self._retry.start()

    @property
    def library_view(self) -> LibraryView:
        return self._lazy.get()

    @property
    def _view(self) -> LibraryView | None:  # None until the tab is first opened
        return self._lazy.built

    def _build_view(self) -> LibraryView:
        from dialdeck.ui.library_view import LibraryView

        view = LibraryView(self.spawn, self.player)
        view.model.loaded.connect(self._select_listed)
        view.search_changed.connect(self.set_search)
        view.selected.connect(self._on_selected)
        view.import_requested.connect(self.files.ask_import)
        view.export_requested.connect(self.files.ask_export)
        view.show_in_folder_requested.connect(self.files.show_in_folder)
        view.delete_requested.connect(lambda row: self.spawn(self.delete(row)))
        view.player_widget.bookmark_requested.connect(
            lambda pos, text: self.spawn(self.add_bookmark(pos, text))
        )
        view.player_widget.bookmark_edit_requested.connect(
            lambda bookmark_id, text: self.spawn(self.update_bookmark(bookmark_id, text))
        )
        view.player_widget.bookmark_delete_requested.connect(
            lambda bookmark_id: self.spawn(self.delete_bookmark(bookmark_id))
        )
        if self.names is not None:
            view.use_names(self.names)
        if self._started:
            view.model.set_source(self._load_recordings, self._count_recordings)
        return view

    def use_names(self, names: ContactNames) -> None:
        """Recordings of calls are titled with the contact's current name (read when shown)."""
        self.names = names
        if self._view is not None:
            self._view.use_names(names)

    def names_changed(self) -> None:
        if self._view is not None:
            self._view.refresh_names()

    def title_for(self, row: RecordingRow) -> str:
        return recording_title(row, self.names)

    # -- loading ---------------------------------------------------------------------------------

    def start(self) -> None:
        """The database is open: the table may load (now, or when it is first shown)."""
        self._started = True
        if self._view is not None:
            self._view.model.set_source(self._load_recordings, self._count_recordings)

    def stop(self) -> None:
        """Before the database closes: no more timers, loads or downloads from here."""
        self._started = False
        self._refresh.stop()
        self._retry.stop()
        if self._view is not None:
            self._view.model.detach()
        self.player.unload()

    def changed(self) -> None:
        """The library changed: reload soon (coalesced); a table not built yet reads the
        library when it is."""
        if self._view is not None:
            self._refresh.start()

    def _refresh_now(self) -> None:
        if self._view is not None:
            self._view.model.refresh()

    def _reload(self) -> None:
        if self._view is not None:
            self._view.model.reload()

    def set_search(self, text: str) -> None:
        self._search = text
        self.library_view.model.reload()

    async def _load_recordings(
        self, last: RecordingRow | None, limit: int, _key: Any, _descending: bool
    ) -> list[RecordingRow]:
        return await self.history.run(
            library.list_recordings, self._search, after=last and last.cursor, limit=limit
        )

    async def _count_recordings(self) -> int:
        return await self.history.run(library.count_recordings, self._search)

    # -- downloads -------------------------------------------------------------------------------

    def use_downloader(self, downloader: RecordingDownloader | None) -> None:
        self.downloader = downloader
        if downloader is not None:
            downloader.on_progress = self._on_progress
            downloader.on_changed = self._on_download_changed
            downloader.on_problem = self.notify.emit  # our disk refused a recording
            self._run_due()

    def _run_due(self) -> None:
        if self.downloader is not None:
            self.spawn(self.downloader.run_due())

    async def queue_recording(self, call_uuid: str, url: str, title: str) -> None:
        if self.downloader is not None:
            await self.downloader.add(call_uuid, url, title)

    def _on_progress(self, _rec_id: int, done: int, total: int | None) -> None:
        if self._view is not None:
            self._view.show_progress(done, total)

    def _on_download_changed(self, rec_id: int) -> None:
        self.spawn(self._after_download(rec_id))

    async def _after_download(self, rec_id: int) -> None:
        row = await self.history.run(library.get, rec_id)
        if self._view is not None and (self.downloader is None or not self.downloader.busy):
            self._view.hide_progress()
        self.changed()
        self.history_changed.emit()  # History shows each call's recording state
        if row is not None and row.state == RecState.LOCAL:
            self.recording_saved.emit(row.id, self.title_for(row))
            await self.apply_retention()

    # -- player ----------------------------------------------------------------------------------

    def play_recording(self, rec_id: int) -> None:
        self.shown.emit()
        view = self.library_view
        if not view.select_id(rec_id):
            if view.model.loading:  # the tab was just built, or is reloading: select it when
                self._select_when_listed = rec_id  # listed, so Export and Delete apply to it
            self.tasks.latest("load recording", self._load_by_id(rec_id))

    def _on_selected(self, row: RecordingRow) -> None:
        self._select_when_listed = None  # the agent's choice wins over an earlier request
        self.tasks.latest("load recording", self.load(row))

    def _select_listed(self) -> None:
        rec_id, self._select_when_listed = self._select_when_listed, None
        if rec_id is not None and self._view is not None:
            self._view.select_id(rec_id)

    async def _load_by_id(self, rec_id: int) -> None:
        await self.load(await self.history.run(library.get, rec_id))

    async def load(self, row: RecordingRow | None) -> None:
        widget = self.library_view.player_widget
        if row is None:
            return
        if row.id == self._loaded_id and self.player.path is not None:
            return
        self.player.unload()
        self._loaded_id = None
        if row.state != RecState.LOCAL or not row.path:
            widget.clear(self.title_for(row))
            widget.show_message(row.error or self.tr("This recording is not downloaded yet."))
            return
        path = Path(row.path)
        try:
            info = await asyncio.to_thread(probe_audio, path)
        except NotAudioError as exc:
            widget.clear(self.title_for(row))
            widget.show_message(
                self.tr("This recording cannot be played: {reason}.").format(reason=exc)
            )
            if not isinstance(exc, AudioCheckError):  # a failed check says nothing of the file
                await self.history.run(library.mark_missing, row.id, str(exc))
                self.changed()
            return
        self._loaded_id = row.id
        widget.show_recording(self.title_for(row))
        self.player.load(path)
        widget.set_bookmarks(await self.history.run(library.bookmarks, row.id))
        if info.container == "wav":
            try:
                peaks = await asyncio.to_thread(
                    cached_peaks, path, self.paths.data_dir / "waveforms"
                )
            except (NotAudioError, OSError) as exc:
                widget.waveform.set_peaks([], str(exc))
            else:
                if self._loaded_id == row.id:
                    widget.waveform.set_peaks(peaks)
        else:
            widget.waveform.set_peaks([], self.tr("Overview available for WAV recordings"))

    async def delete_bookmark(self, bookmark_id: int) -> None:
        rec_id = self._loaded_id
        await self.history.run(library.delete_bookmark, bookmark_id)
        if rec_id is not None:
            self.library_view.player_widget.set_bookmarks(
                await self.history.run(library.bookmarks, rec_id)
            )
            self.library_view.model.replace_row(
                lambda r: r.id == rec_id, lambda r: replace(r, bookmarks=max(0, r.bookmarks - 1))
            )

    async def update_bookmark(self, bookmark_id: int, text: str) -> None:
        rec_id = self._loaded_id
        await self.history.run(library.update_bookmark, bookmark_id, text)
        if rec_id is not None:
            self.library_view.player_widget.set_bookmarks(
                await self.history.run(library.bookmarks, rec_id)
            )

    async def add_bookmark(self, position_ms: int, text: str) -> None:
        if self._loaded_id is None:
            return
        rec_id = self._loaded_id
        await self.history.run(library.add_bookmark, rec_id, position_ms, text)
        self.library_view.player_widget.set_bookmarks(
            await self.history.run(library.bookmarks, rec_id)
        )
        self.library_view.model.replace_row(
            lambda r: r.id == rec_id, lambda r: replace(r, bookmarks=r.bookmarks + 1)
        )

    # -- delete, retention (import, export and the folder: library_files.py) --------------------

    async def delete(self, row: RecordingRow) -> bool:
        detail = self.tr(" It has notes or bookmarks, which will be lost.") if row.protected else ""
        if not await ask(
            self.parent_widget,
            "deleteRecordingBox",
            self.tr("Delete recording"),
            self.tr("Delete “{title}”?").format(title=self.title_for(row)) + detail,
            self.tr("Delete"),
        ):
            return False
        await self._delete_files([row])
        self._reload()
        self.history_changed.emit()
        return True

    async def _delete_files(self, rows: list[RecordingRow]) -> None:
        for row in rows:
            if self.player.path is not None and row.path and Path(row.path) == self.player.path:
                self.player.unload()  # release the file first (Windows cannot delete open files)
                if self._view is not None:
                    self._view.player_widget.clear()
                self._loaded_id = None
            if row.path:
                await asyncio.to_thread(Path(row.path).unlink, True)
            await self.history.run(library.delete, row.id)

    async def apply_retention(self) -> int:
        """Delete what the retention rule says; ask before touching annotated or playing ones."""
        if self.retention.keeps_everything:
            return 0
        rows = await self.history.run(library.all_local)
        playing = str(self.player.path) if self.player.path else None
        decided = plan(rows, self.retention, datetime.now(UTC), playing)
        doomed = list(decided.delete)
        if decided.needs_confirmation and await ask(
            self.parent_widget,
            "retentionBox",
            self.tr("Recordings past your retention limit"),
            count(
                len(decided.needs_confirmation),
                "A recording past the limit has notes or bookmarks, or is playing. Delete it too?",
                "%n recordings past the limit have notes or bookmarks, or are playing. "
                "Delete them too?",
            ),
            self.tr("Delete"),
        ):
            doomed += decided.needs_confirmation
        if doomed:
            await self._delete_files(doomed)
            self.changed()
            self.history_changed.emit()
            log.info("retention deleted %d recordings", len(doomed))
        return len(doomed)
