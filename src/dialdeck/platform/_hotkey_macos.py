"""The system-wide hotkey on macOS: Carbon's ``RegisterEventHotKey`` (still the supported way,
and needs no accessibility permission), with an application event handler for
``kEventHotKeyPressed``. Type-check with ``mypy --platform darwin``; runs only on macOS."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

from dialdeck.platform.hotkey import Backend, Hotkey, HotkeyError

# Imported only there; this also tells mypy which platform the rest of the module is for.
assert sys.platform == "darwin"

carbon = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")

K_EVENT_CLASS_KEYBOARD = int.from_bytes(b"keyb", "big")
K_EVENT_HOTKEY_PRESSED = 5
CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 0x100, 0x200, 0x800, 0x1000
EVENT_HOTKEY_EXCLUSIVE = 0x1
SIGNATURE = int.from_bytes(b"DlDk", "big")
# ANSI virtual key codes (Events.h): the layout's position, as Carbon hotkeys want them.
KEY_CODES = dict(zip("ASDFHGZXCV", (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)) | {
    "B": 11, "Q": 12, "W": 13, "E": 14, "R": 15, "Y": 16, "T": 17, "1": 18, "2": 19, "3": 20,
    "4": 21, "6": 22, "5": 23, "9": 25, "7": 26, "8": 28, "0": 29, "O": 31, "U": 32, "I": 34,
    "P": 35, "L": 37, "J": 38, "K": 40, "N": 45, "M": 46, "F1": 122, "F2": 120, "F3": 99,
    "F4": 118, "F5": 96, "F6": 97, "F7": 98, "F8": 100, "F9": 101, "F10": 109, "F11": 103,
    "F12": 111,
}  # fmt: skip


class EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


class EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


HANDLER = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
carbon.GetApplicationEventTarget.restype = ctypes.c_void_p
carbon.InstallEventHandler.argtypes = [ctypes.c_void_p, HANDLER, ctypes.c_uint32,
                                       ctypes.POINTER(EventTypeSpec), ctypes.c_void_p,
                                       ctypes.POINTER(ctypes.c_void_p)]  # fmt: skip
carbon.RegisterEventHotKey.argtypes = [ctypes.c_uint32, ctypes.c_uint32, EventHotKeyID,
                                       ctypes.c_void_p, ctypes.c_uint32,
                                       ctypes.POINTER(ctypes.c_void_p)]  # fmt: skip
carbon.UnregisterEventHotKey.argtypes = [ctypes.c_void_p]
carbon.RemoveEventHandler.argtypes = [ctypes.c_void_p]


class MacOS(Backend):
    def __init__(self, fire: Callable[[], None]) -> None:
        super().__init__(fire)
        self.handler_ref = ctypes.c_void_p()
        self.hotkey_ref = ctypes.c_void_p()
        # Kept referenced: Carbon calls it for as long as the handler is installed.
        self.callback = HANDLER(self._pressed)

    def _pressed(self, _call_ref: int | None, _event: int | None, _data: int | None) -> int:
        self.fire()
        return 0  # noErr

    def register(self, hotkey: Hotkey) -> None:
        code = KEY_CODES.get(hotkey.key)
        if code is None:
            raise HotkeyError(f"“{hotkey.key}” cannot be a hotkey on this Mac")
        mods = (CMD_KEY if hotkey.ctrl else 0) | (OPTION_KEY if hotkey.alt else 0)
        mods |= (SHIFT_KEY if hotkey.shift else 0) | (CONTROL_KEY if hotkey.meta else 0)
        target = carbon.GetApplicationEventTarget()
        spec = EventTypeSpec(K_EVENT_CLASS_KEYBOARD, K_EVENT_HOTKEY_PRESSED)
        status = carbon.InstallEventHandler(
            target, self.callback, 1, ctypes.byref(spec), None, ctypes.byref(self.handler_ref)
        )
        if status != 0:
            raise HotkeyError(f"macOS refused the hotkey handler (error {status})")
        status = carbon.RegisterEventHotKey(
            code, mods, EventHotKeyID(SIGNATURE, 1), target, EVENT_HOTKEY_EXCLUSIVE,
            ctypes.byref(self.hotkey_ref),
        )  # fmt: skip
        if status != 0:
            self.close()
            raise HotkeyError(f"{hotkey} is already used by another application")

    def close(self) -> None:
        if self.hotkey_ref.value:
            carbon.UnregisterEventHotKey(self.hotkey_ref)
            self.hotkey_ref = ctypes.c_void_p()
        if self.handler_ref.value:
            carbon.RemoveEventHandler(self.handler_ref)
            self.handler_ref = ctypes.c_void_p()
