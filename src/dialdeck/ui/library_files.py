"""The Recordings tab's file actions: import audio files, export a copy, show in the folder.

File dialogs go through small hooks (``ask_open_paths``, ``ask_save_path``) that tests answer;
they run from slots, never inside a task (a dialog's nested event loop would step other tasks).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from dialdeck.core import library
from dialdeck.core.audio import NotAudioError, probe_audio
from dialdeck.core.library import RecordingRow
from dialdeck.core.paths import AppPaths
from dialdeck.core.store import AsyncHistory
from dialdeck.ui.describe import count
from dialdeck.ui.paged_model import Spawn

AUDIO_FILTER = "Audio (*.wav *.mp3 *.m4a *.ogg *.oga *.flac *.aif *.aiff *.au);;All files (*)"


class LibraryFiles(QObject):
    def __init__(
        self,
        history: AsyncHistory,
        paths: AppPaths,
        spawn: Spawn,
        parent: QWidget,
        notify: Callable[[str], None],
        reload: Callable[[], None],
    ) -> None:
        """``notify``: a message for the status bar; ``reload``: the library changed."""
        super().__init__(parent)
        self.history, self.paths, self.spawn = history, paths, spawn
        self.parent_widget = parent
        self.notify, self.reload = notify, reload

    # -- hooks tests can replace ---------------------------------------------------------------

    def ask_save_path(self, title: str, suggested: str, filters: str) -> str:
        return QFileDialog.getSaveFileName(self.parent_widget, title, suggested, filters)[0]

    def ask_open_paths(self, title: str, filters: str) -> list[str]:
        return QFileDialog.getOpenFileNames(self.parent_widget, title, "", filters)[0]

    # -- actions ---------------------------------------------------------------------------------

    def ask_import(self) -> None:
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
        self.reload()
        message = count(imported, "Imported %n recording.", "Imported %n recordings.")
        if problems:
            message += " " + self.tr("Not imported: {list}").format(list="; ".join(problems))
        self.notify(message)
        return imported, problems

    def ask_export(self, row: RecordingRow) -> None:
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
            self.notify(self.tr("Could not export: {reason}").format(reason=exc.strerror or exc))
            return
        self.notify(self.tr("Saved a copy to {path}").format(path=dest))

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
