"""The Recordings tab: downloads, the library, the player, bookmarks, import/export, retention.

Everything here works with no network at all; only downloads wait for one. File dialogs go
through small hooks (``ask_save_path``, ``ask_open_paths``) that tests answer, run from slots,
never inside a task; delete questions are awaited (``ui/questions.py``), with Cancel the default.
Selecting a recording loads it in a "latest wins" slot: choosing another one cancels the earlier
load, so the player never ends up holding a recording that is not the selected one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from dialdeck.core import library
from dialdeck.core.audio import AudioCheckError, NotAudioError, probe_audio
from dialdeck.core.downloads import RecordingDownloader
from dialdeck.core.library import RecordingRow, RecState
from dialdeck.core.paths import AppPaths
from dialdeck.core.retention import RetentionPolicy, plan
from dialdeck.core.store import AsyncHistory
from dialdeck.core.waveform import cached_peaks
from dialdeck.ui.describe import count
from dialdeck.ui.library_view import LibraryView
from dialdeck.ui.player import Player
from dialdeck.ui.questions import ask
from dialdeck.ui.tasks import Tasks

log = logging.getLogger("dialdeck.library")
AUDIO_FILTER = "Audio (*.wav *.mp3 *.m4a *.ogg *.oga *.flac *.aif *.aiff *.au);;All files (*)"


class RecordingsController(QObject):
    notify = Signal(str)  # a short message for the status bar / tray
    recording_saved = Signal(str)  # title
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
        self.library_view = view = LibraryView(tasks.spawn, self.player)
        self._search = ""
        self._loaded_id: int | None = None
        view.search_changed.connect(self.set_search)
        view.selected.connect(lambda row: self.tasks.latest("load recording", self.load(row)))
        view.import_requested.connect(self._ask_import)
        view.export_requested.connect(self._ask_export)
        view.show_in_folder_requested.connect(self.show_in_folder)
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
        # Refreshes are coalesced: a burst of updates reloads the table once.
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(300)
        self._refresh.timeout.connect(view.model.refresh)
        # Failed downloads are retried when due, also without any new call.
        self._retry = QTimer(self)
        self._retry.setInterval(60_000)
        self._retry.timeout.connect(self._run_due)
        self._retry.start()

    # -- hooks tests can replace ---------------------------------------------------------------

    def ask_save_path(self, title: str, suggested: str, filters: str) -> str:
        return QFileDialog.getSaveFileName(self.parent_widget, title, suggested, filters)[0]

    def ask_open_paths(self, title: str, filters: str) -> list[str]:
        return QFileDialog.getOpenFileNames(self.parent_widget, title, "", filters)[0]

    # -- loading ---------------------------------------------------------------------------------

    def start(self) -> None:
        self.library_view.model.set_source(self._load_recordings, self._count_recordings)

    def stop(self) -> None:
        """Before the database closes: no more timers, loads or downloads from here."""
        self._refresh.stop()
        self._retry.stop()
        self.library_view.model.detach()
        self.player.unload()

    def changed(self) -> None:
        self._refresh.start()

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
        self.library_view.show_progress(done, total)

    def _on_download_changed(self, rec_id: int) -> None:
        self.spawn(self._after_download(rec_id))

    async def _after_download(self, rec_id: int) -> None:
        row = await self.history.run(library.get, rec_id)
        if self.downloader is None or not self.downloader.busy:
            self.library_view.hide_progress()
        self.changed()
        self.history_changed.emit()  # History shows each call's recording state
        if row is not None and row.state == RecState.LOCAL:
            self.recording_saved.emit(self.library_view.title_for(row))
            await self.apply_retention()

    # -- player ----------------------------------------------------------------------------------

    def play_recording(self, rec_id: int) -> None:
        self.shown.emit()
        if not self.library_view.select_id(rec_id):
            self.tasks.latest("load recording", self._load_by_id(rec_id))

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
            widget.clear(self.library_view.title_for(row))
            widget.show_message(row.error or self.tr("This recording is not downloaded yet."))
            return
        path = Path(row.path)
        try:
            info = await asyncio.to_thread(probe_audio, path)
        except NotAudioError as exc:
            widget.clear(self.library_view.title_for(row))
            widget.show_message(
                self.tr("This recording cannot be played: {reason}.").format(reason=exc)
            )
            if not isinstance(exc, AudioCheckError):  # a failed check says nothing of the file
                await self.history.run(library.mark_missing, row.id, str(exc))
                self.changed()
            return
        self._loaded_id = row.id
        widget.show_recording(self.library_view.title_for(row))
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

    # -- import, export, folder, delete ---------------------------------------------------------

    def _ask_import(self) -> None:
        paths = self.ask_open_paths(self.tr("Import recordings"), AUDIO_FILTER)
        if paths:
            self.spawn(self.import_files([Path(p) for p in paths]))

    async def import_files(self, sources: list[Path]) -> tuple[int, list[str]]:
        imported, problems = 0, []
        for source in sources:
            try:
                info = await asyncio.to_thread(probe_audio, source)
            except NotAudioError as exc:
                problems.append(f"{source.name}: {exc}")
                continue
            dest = await asyncio.to_thread(_copy_into, source, self.paths.recordings_dir)
            stat = await asyncio.to_thread(dest.stat)
            await self.history.run(
                library.add_import, source.stem, str(dest), stat.st_size, info.duration
            )
            imported += 1
        self.library_view.model.reload()
        message = count(imported, "Imported %n recording.", "Imported %n recordings.")
        if problems:
            message += " " + self.tr("Not imported: {list}").format(list="; ".join(problems))
        self.notify.emit(message)
        return imported, problems

    def _ask_export(self, row: RecordingRow) -> None:
        if not row.path:
            return
        suffix = Path(row.path).suffix
        path = self.ask_save_path(
            self.tr("Export a copy"), str(Path.home() / f"{row.title}{suffix}"), AUDIO_FILTER
        )
        if path:
            self.spawn(self.export_copy(row, Path(path)))

    async def export_copy(self, row: RecordingRow, dest: Path) -> None:
        assert row.path
        try:
            await asyncio.to_thread(shutil.copy2, row.path, dest)
        except OSError as exc:
            self.notify.emit(
                self.tr("Could not export: {reason}").format(reason=exc.strerror or exc)
            )
            return
        self.notify.emit(self.tr("Saved a copy to {path}").format(path=dest))

    def show_in_folder(self, row: RecordingRow) -> None:
        if not row.path:
            return
        path = os.path.normpath(row.path)
        if sys.platform == "win32":
            QProcess.startDetached("explorer", [f"/select,{path}"])
        elif sys.platform == "darwin":
            QProcess.startDetached("open", ["-R", path])
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))

    async def delete(self, row: RecordingRow) -> bool:
        detail = self.tr(" It has notes or bookmarks, which will be lost.") if row.protected else ""
        if not await ask(
            self.parent_widget,
            "deleteRecordingBox",
            self.tr("Delete recording"),
            self.tr("Delete “{title}”?").format(title=self.library_view.title_for(row)) + detail,
            self.tr("Delete"),
        ):
            return False
        await self._delete_files([row])
        self.library_view.model.reload()
        self.history_changed.emit()
        return True

    async def _delete_files(self, rows: list[RecordingRow]) -> None:
        for row in rows:
            if self.player.path is not None and row.path and Path(row.path) == self.player.path:
                self.player.unload()  # release the file first (Windows cannot delete open files)
                self.library_view.player_widget.clear()
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


def _copy_into(source: Path, directory: Path) -> Path:
    """Copy atomically into the library under a name that does not clash."""
    directory.mkdir(parents=True, exist_ok=True)
    dest = directory / f"import-{source.stem}{source.suffix.lower()}"
    counter = 1
    while dest.exists():
        counter += 1
        dest = directory / f"import-{source.stem}-{counter}{source.suffix.lower()}"
    part = dest.with_name(dest.name + ".part")
    shutil.copy2(source, part)
    os.replace(part, dest)
    return dest
