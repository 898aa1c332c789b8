"""Where the agent left the window: its size and place, each named splitter, each named table's
columns. Read before the first paint and written at quit.

Qt's own ``saveGeometry``/``saveState`` blobs in an INI file through ``QSettings`` (C++: no
json import on the way to the window; written atomically). A missing, damaged or hand-edited
file only means Qt's defaults: nothing here can stop Dialdeck from starting or quitting.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QTableView, QWidget

log = logging.getLogger("dialdeck.ui")

WINDOW_KEY = "window/geometry"
MAX_STATE_BYTES = 16 * 1024  # Qt's blobs are tens of bytes per section; more is not ours


MAX_FILE_BYTES = 64 * 1024  # ours is about a kilobyte: a larger file is not ours to read
KEY_PREFIXES = ("splitters/", "columns/")  # and WINDOW_KEY itself


class WindowLayout:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._set_aside_if_damaged()
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        self._settings.allKeys()  # QSettings reads on first use: read now, to know its status
        if self._settings.status() is not QSettings.Status.NoError:  # unreadable: start afresh
            self._set_aside(f"unreadable ({self._settings.status().name})")
            self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        self._tracked: dict[str, QSplitter | QHeaderView] = {}

    def _set_aside_if_damaged(self) -> None:
        try:
            size = self.path.stat().st_size
        except OSError:
            return  # none yet (or unreadable: QSettings says so)
        if size > MAX_FILE_BYTES:
            self._set_aside(f"{size} bytes")

    def _set_aside(self, why: str) -> None:
        """Kept beside as ``window.ini.damaged`` (as a damaged settings file is), not read."""
        try:
            self.path.replace(self.path.with_name(self.path.name + ".damaged"))
        except OSError as exc:
            log.warning("damaged window layout %s (%s) not set aside: %s", self.path, why, exc)
            return
        log.warning("window layout %s was damaged (%s): set aside, defaults used", self.path, why)

    def restore_window(self, window: QWidget) -> None:
        """Before the window is shown. Qt moves a window saved on a screen that is gone (a
        docking station unplugged) back onto one that is there."""
        state = self._state(WINDOW_KEY)
        if state is not None and not window.restoreGeometry(state):
            log.info("saved window geometry not usable: Qt's default size")

    def track(self, widget: QWidget | None) -> None:
        """Restore, and remember from now on, ``widget``'s named splitters and table columns
        (their own ``objectName``; a table's key includes its column count, so a release that
        adds a column starts that table from its defaults)."""
        if widget is None:
            return
        for splitter in widget.findChildren(QSplitter):
            if name := splitter.objectName():
                self._track(f"splitters/{name}", splitter)
        for table in widget.findChildren(QTableView):
            if name := table.objectName():
                header = table.horizontalHeader()
                self._track(f"columns/{name}-{header.count()}", header)

    def _track(self, key: str, target: QSplitter | QHeaderView) -> None:
        if key in self._tracked and shiboken6.isValid(self._tracked[key]):
            return
        self._tracked[key] = target
        state = self._state(key)
        if state is not None and not target.restoreState(state):
            log.info("saved layout of %s not usable: its default", key)

    def save(self, window: QWidget) -> None:
        """Keys of views not built this session (a tab never opened) keep what they had."""
        for key in self._settings.allKeys():  # a hand-edited file's other keys: not ours
            if key != WINDOW_KEY and not key.startswith(KEY_PREFIXES):
                self._settings.remove(key)
        self._settings.setValue(WINDOW_KEY, window.saveGeometry())
        for key, target in self._tracked.items():
            if shiboken6.isValid(target):
                self._settings.setValue(key, target.saveState())
        self._settings.sync()
        if self._settings.status() is not QSettings.Status.NoError:
            log.warning("window layout not saved to %s: %s", self.path, self._settings.status())
            return
        with contextlib.suppress(OSError):  # like settings.json: the user's own (POSIX)
            self.path.chmod(0o600)

    def _state(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        if isinstance(value, QByteArray) and 0 < value.size() <= MAX_STATE_BYTES:
            return value
        if value is not None:
            log.info("ignored a damaged saved layout entry: %s", key)
        return None
