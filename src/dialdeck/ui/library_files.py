"""The Recordings tab's file actions: import audio files, export a copy, show in the folder.

File dialogs go through small hooks (``ask_open_paths``, ``ask_save_path``) that tests answer;
they run from slots, never inside a task (a dialog's nested event loop would step other tasks).
"""

from __future__ import annotations

import asyncio
import filecmp
import logging
import os
import shutil
import sqlite3
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
from dialdeck.core.storage_errors import storage_reason
from dialdeck.core.store import AsyncHistory
from dialdeck.ui.describe import count
from dialdeck.ui.paged_model import Spawn

log = logging.getLogger("dialdeck.library")
# What agents bring from other tools too: voice notes (.opus), phone recorders (.amr, .3gp).
AUDIO_FILTER = (
    "Audio (*.wav *.mp3 *.m4a *.aac *.ogg *.oga *.opus *.flac *.aif *.aiff *.au *.amr *.3gp"
    " *.webm);;All files (*)"
)
NAME_BYTES = 150  # of a copy's name, well under the 255 bytes most file systems allow


class AlreadyImported(Exception):
    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.title = title


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
        """Each file checked, copied and listed on its own: one that fails is said, with why,
        and the others still come in. The list shows what came in, whatever happened."""
        imported, problems = 0, []
        try:
            for source in sources:
                try:
                    await self._import_one(source)
                except NotAudioError as exc:
                    problems.append(f"{source.name}: {exc}")
                except AlreadyImported as exc:
                    problems.append(
                        self.tr("{name}: already in the library as “{title}”").format(
                            name=source.name, title=exc.title
                        )
                    )
                except (OSError, sqlite3.Error) as exc:
                    log.warning("import of %s failed: %s", source.name, exc)
                    problems.append(
                        self.tr("{name}: could not be copied into the library ({reason})").format(
                            name=source.name, reason=storage_reason(exc)
                        )
                    )
                else:
                    imported += 1
        finally:
            self.reload()
        message = count(imported, "Imported %n recording.", "Imported %n recordings.")
        if problems:
            message += " " + self.tr("Not imported: {list}").format(list="; ".join(problems))
        self.notify(message)
        return imported, problems

    async def _import_one(self, source: Path) -> None:
        info = await asyncio.to_thread(probe_audio, source)
        size = (await asyncio.to_thread(source.stat)).st_size
        for title, path in await self.history.run(library.imports_of_size, size):
            if await asyncio.to_thread(_same_bytes, source, Path(path)):
                raise AlreadyImported(title)  # the same file chosen twice: one copy is enough
        dest = await asyncio.to_thread(_copy_into, source, self.paths.recordings_dir)
        try:  # the copy has the source's size: copied whole, or not there at all
            title = _one_line(source.stem)
            await self.history.run(library.add_import, title, str(dest), size, info.duration)
        except BaseException:
            await asyncio.to_thread(dest.unlink, True)  # not listed: not kept either
            raise

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
            self.notify(self.tr("Could not export: {reason}").format(reason=storage_reason(exc)))
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
    """Copy atomically into the library under a name that does not clash, and that the file
    system takes however long the original's was (a failed copy leaves nothing behind)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem, suffix = _short(source.stem), _short(source.suffix.lower(), 16)
    dest = directory / f"import-{stem}{suffix}"
    counter = 1
    while dest.exists():
        counter += 1
        dest = directory / f"import-{stem}-{counter}{suffix}"
    part = dest.with_name(dest.name + ".part")
    try:
        shutil.copy2(source, part)
        os.replace(part, dest)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return dest


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:  # the earlier copy is gone or unreadable: not a reason to refuse this one
        return False


def _short(text: str, limit: int = NAME_BYTES) -> str:
    """``text`` cut to ``limit`` bytes of UTF-8, never inside a character, on one line."""
    return _one_line(text).encode()[:limit].decode(errors="ignore")


def _one_line(text: str) -> str:
    """A file name's line breaks and other control characters (legal on Linux and macOS) as
    spaces: a title or a copy's name never spans two lines of a table or a status bar."""
    return "".join(" " if ch < " " or ch == "\x7f" else ch for ch in text)
