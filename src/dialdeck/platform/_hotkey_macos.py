"""The system-wide hotkey on macOS: Carbon's ``RegisterEventHotKey`` (still the supported way,
and needs no accessibility permission), with an application event handler for
``kEventHotKeyPressed`` (``InstallApplicationEventHandler`` is a macro for ``InstallEventHandler``
on ``GetApplicationEventTarget()``). Type-check with ``mypy --platform darwin``; runs only on
macOS (the unit tests fake Carbon).

Each backend registers its chord with an id of its own and its handler answers only for that id
(``GetEventParameter`` → ``EventHotKeyID``), passing others on with ``eventNotHandledErr``: while
a new chord is tried the old one is still installed, and neither may swallow the other's press.
Carbon key codes are positions on the ANSI keyboard, not characters. A chord names a character
("Ctrl+Alt+A"), so its key code is looked up in the keyboard layout in use when it is registered
(``UCKeyTranslate`` over every key: on AZERTY, A is the ANSI Q position), at start and whenever
the chord is saved; keys the layout does not type unshifted (AZERTY's digits) and F-keys keep their
ANSI position. A switch of layout while Dialdeck runs is not followed (X11's backend does).
"""

from __future__ import annotations

import ctypes
import itertools
import sys
from collections.abc import Callable

from dialdeck.platform.hotkey import Backend, Hotkey, HotkeyError, HotkeyTaken

# Imported only there; this also tells mypy which platform the rest of the module is for.
assert sys.platform == "darwin"

carbon = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")
core_foundation = ctypes.CDLL("/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation")

K_EVENT_CLASS_KEYBOARD = int.from_bytes(b"keyb", "big")
K_EVENT_HOTKEY_PRESSED = 5
CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 0x100, 0x200, 0x800, 0x1000
EVENT_HOTKEY_EXCLUSIVE = 0x1
SIGNATURE = int.from_bytes(b"DlDk", "big")
K_EVENT_PARAM_DIRECT_OBJECT = int.from_bytes(b"----", "big")
TYPE_EVENT_HOTKEY_ID = int.from_bytes(b"hkid", "big")
NO_ERR, EVENT_NOT_HANDLED_ERR = 0, -9874
EVENT_HOTKEY_EXISTS_ERR = -9878  # another application registered it exclusively
_ids = itertools.count(1)
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
# ItemCount and ByteCount are unsigned long: 64 bits, as c_ulong is on macOS.
carbon.InstallEventHandler.argtypes = [ctypes.c_void_p, HANDLER, ctypes.c_ulong,
                                       ctypes.POINTER(EventTypeSpec), ctypes.c_void_p,
                                       ctypes.POINTER(ctypes.c_void_p)]  # fmt: skip
carbon.InstallEventHandler.restype = ctypes.c_int32
carbon.GetEventParameter.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32,
                                     ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p,
                                     ctypes.c_void_p]  # fmt: skip
carbon.GetEventParameter.restype = ctypes.c_int32
carbon.RegisterEventHotKey.restype = ctypes.c_int32
carbon.RegisterEventHotKey.argtypes = [ctypes.c_uint32, ctypes.c_uint32, EventHotKeyID,
                                       ctypes.c_void_p, ctypes.c_uint32,
                                       ctypes.POINTER(ctypes.c_void_p)]  # fmt: skip
carbon.UnregisterEventHotKey.argtypes = [ctypes.c_void_p]
carbon.RemoveEventHandler.argtypes = [ctypes.c_void_p]
# The keyboard layout in use (TextInputSources.h, UnicodeUtilities.h); UniCharCount is unsigned long.
carbon.TISCopyCurrentKeyboardLayoutInputSource.restype = ctypes.c_void_p
carbon.TISGetInputSourceProperty.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
carbon.TISGetInputSourceProperty.restype = ctypes.c_void_p
carbon.LMGetKbdType.restype = ctypes.c_uint8
carbon.UCKeyTranslate.argtypes = [ctypes.c_void_p, ctypes.c_uint16, ctypes.c_uint16,
                                  ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
                                  ctypes.POINTER(ctypes.c_uint32), ctypes.c_ulong,
                                  ctypes.POINTER(ctypes.c_ulong),
                                  ctypes.POINTER(ctypes.c_uint16)]  # fmt: skip
carbon.UCKeyTranslate.restype = ctypes.c_int32
core_foundation.CFDataGetBytePtr.argtypes = [ctypes.c_void_p]
core_foundation.CFDataGetBytePtr.restype = ctypes.c_void_p
core_foundation.CFRelease.argtypes = [ctypes.c_void_p]
K_UC_KEY_ACTION_DISPLAY = 3
K_UC_KEY_TRANSLATE_NO_DEAD_KEYS_MASK = 1
MAIN_BLOCK = 51  # key codes 0-50: letters, digits, punctuation; the keypad's start at 65


def layout_data_key() -> ctypes.c_void_p:
    """The CFString constant naming a layout's key map (a symbol Carbon exports)."""
    return ctypes.c_void_p.in_dll(carbon, "kTISPropertyUnicodeKeyLayoutData")


def layout_key_codes() -> dict[str, int]:
    """Which key of the main block types each character, unshifted, in the keyboard layout in
    use (upper case; never the keypad: its digits are not the 1 key). Empty when the input source
    has no key map (some input methods) or anything here fails: the ANSI positions apply."""
    try:
        source = carbon.TISCopyCurrentKeyboardLayoutInputSource()
    except (AttributeError, OSError):
        return {}
    if not source:
        return {}
    try:
        data = carbon.TISGetInputSourceProperty(source, layout_data_key())
        layout = core_foundation.CFDataGetBytePtr(data) if data else None
        if not layout:
            return {}
        keyboard = carbon.LMGetKbdType()
        found: dict[str, int] = {}
        chars = (ctypes.c_uint16 * 4)()
        for code in range(MAIN_BLOCK):
            dead, length = ctypes.c_uint32(0), ctypes.c_ulong(0)
            status = carbon.UCKeyTranslate(
                layout, code, K_UC_KEY_ACTION_DISPLAY, 0, keyboard,
                K_UC_KEY_TRANSLATE_NO_DEAD_KEYS_MASK, ctypes.byref(dead), len(chars),
                ctypes.byref(length), chars,
            )  # fmt: skip
            if status == NO_ERR and length.value == 1:
                found.setdefault(chr(chars[0]).upper(), code)
        return found
    except (AttributeError, OSError, TypeError, ValueError):
        return {}
    finally:
        core_foundation.CFRelease(source)


def key_code(key: str) -> int | None:
    """The key code to register for ``key`` (a chord's key as Qt names it: "A", "1", "F9")."""
    typed = layout_key_codes().get(key) if len(key) == 1 else None
    return typed if typed is not None else KEY_CODES.get(key)


class MacOS(Backend):
    def __init__(self, fire: Callable[[], None]) -> None:
        super().__init__(fire)
        self.handler_ref = ctypes.c_void_p()
        self.hotkey_ref = ctypes.c_void_p()
        self.hotkey_id = next(_ids)
        # Kept referenced: Carbon calls it for as long as the handler is installed.
        self.callback = HANDLER(self._pressed)

    def _pressed(self, _call_ref: int | None, event: int | None, _data: int | None) -> int:
        pressed = EventHotKeyID()
        status = carbon.GetEventParameter(
            event, K_EVENT_PARAM_DIRECT_OBJECT, TYPE_EVENT_HOTKEY_ID, None,
            ctypes.sizeof(pressed), None, ctypes.byref(pressed),
        )  # fmt: skip
        if status != NO_ERR or (pressed.signature, pressed.id) != (SIGNATURE, self.hotkey_id):
            return EVENT_NOT_HANDLED_ERR  # another handler's hotkey: pass it on
        self.fire()
        return NO_ERR

    def register(self, hotkey: Hotkey) -> None:
        code = key_code(hotkey.key)
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
            code, mods, EventHotKeyID(SIGNATURE, self.hotkey_id), target, EVENT_HOTKEY_EXCLUSIVE,
            ctypes.byref(self.hotkey_ref),
        )  # fmt: skip
        if status != 0:
            self.close()
            if status == EVENT_HOTKEY_EXISTS_ERR:
                raise HotkeyTaken(hotkey)
            raise HotkeyError(f"macOS refused the hotkey {hotkey} (error {status})")

    def close(self) -> None:
        if self.hotkey_ref.value:
            carbon.UnregisterEventHotKey(self.hotkey_ref)
            self.hotkey_ref = ctypes.c_void_p()
        if self.handler_ref.value:
            carbon.RemoveEventHandler(self.handler_ref)
            self.handler_ref = ctypes.c_void_p()
