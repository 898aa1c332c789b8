"""The system-wide hotkey on Windows: ``RegisterHotKey``; ``WM_HOTKEY`` through a native event
filter. Type-check with ``mypy --platform win32``; runs only on Windows (the unit tests fake
user32).

Registered with no window, the hotkey belongs to the calling thread: ``WM_HOTKEY`` is posted to
that thread's queue, so registering and unregistering happen on the GUI thread, whose message loop
Qt runs (:class:`GlobalHotkey` checks). Qt's event dispatcher hands every message it takes from
the queue, thread messages (``hwnd`` NULL) included, to native event filters as
``windows_generic_MSG`` before dispatching it (``windows_dispatcher_MSG`` is only for Qt's own
internal window). While Windows runs a modal loop of its own (a window being moved or resized, a
native file dialog) thread messages are dropped: the hotkey does nothing then. The id is in the
range an application must use (0x0000–0xBFFF; 0xC000 and up belong to shared DLLs).
"""

from __future__ import annotations

import ctypes
import itertools
import sys
from collections.abc import Callable
from ctypes import wintypes
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication

from dialdeck.platform.hotkey import Backend, Hotkey, HotkeyError, HotkeyTaken

# Imported only there; this also tells mypy which platform the rest of the module is for.
assert sys.platform == "win32"

WM_HOTKEY = 0x0312
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
_ids = itertools.count(0x0D1A)  # below 0xBFFF: an application's range

user32 = ctypes.WinDLL("user32", use_last_error=True)
user32.RegisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int, wintypes.UINT, wintypes.UINT]
user32.RegisterHotKey.restype = wintypes.BOOL
user32.UnregisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int]
user32.UnregisterHotKey.restype = wintypes.BOOL


def virtual_key(key: str) -> int:
    if key.startswith("F") and len(key) > 1:
        return 0x70 + int(key[1:]) - 1  # VK_F1…
    return ord(key.upper())  # 'A'…'Z' and '0'…'9' are their own virtual keys


class _Filter(QAbstractNativeEventFilter):
    def __init__(self, hotkey_id: int, fire: Callable[[], None]) -> None:
        super().__init__()
        self.hotkey_id, self.fire = hotkey_id, fire

    def nativeEventFilter(self, eventType: Any, message: Any) -> Any:
        # Thread messages come from the dispatcher's loop only, as windows_generic_MSG.
        if bytes(eventType) == b"windows_generic_MSG":
            msg = wintypes.MSG.from_address(int(message))
            if msg.message == WM_HOTKEY and not msg.hWnd and msg.wParam == self.hotkey_id:
                self.fire()
                return True, 0
        return False, 0


class Windows(Backend):
    def __init__(self, fire: Callable[[], None]) -> None:
        super().__init__(fire)
        self.hotkey_id = 0
        self.filter: _Filter | None = None

    def register(self, hotkey: Hotkey) -> None:
        if hotkey.key == "F12":  # RegisterHotKey docs: reserved for debuggers at all times
            raise HotkeyError("Windows keeps F12 for debuggers: choose another key")
        mods = MOD_NOREPEAT
        mods |= (MOD_CONTROL if hotkey.ctrl else 0) | (MOD_ALT if hotkey.alt else 0)
        mods |= (MOD_SHIFT if hotkey.shift else 0) | (MOD_WIN if hotkey.meta else 0)
        hotkey_id = next(_ids)
        if not user32.RegisterHotKey(None, hotkey_id, mods, virtual_key(hotkey.key)):
            error = ctypes.get_last_error()
            if error == ERROR_HOTKEY_ALREADY_REGISTERED:
                raise HotkeyTaken(hotkey)
            raise HotkeyError(f"Windows refused the hotkey {hotkey} (error {error})")
        self.hotkey_id = hotkey_id
        self.filter = _Filter(hotkey_id, self.fire)
        app = QCoreApplication.instance()
        assert app is not None
        app.installNativeEventFilter(self.filter)

    def close(self) -> None:
        if self.filter is not None:
            app = QCoreApplication.instance()
            if app is not None:
                app.removeNativeEventFilter(self.filter)
            self.filter = None
        if self.hotkey_id:
            user32.UnregisterHotKey(None, self.hotkey_id)
            self.hotkey_id = 0
