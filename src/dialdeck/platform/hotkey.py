"""A system-wide hotkey (default Ctrl+Alt+D): pressed in any application, it brings the selected
number to Dialdeck.

Registered natively, per system:

* X11: a passive key grab on the root window (``xcb_grab_key``) through ctypes on libxcb, on a
  connection of our own whose socket a :class:`QSocketNotifier` watches. The grab is repeated with
  Caps Lock and Num Lock, which X counts as modifiers. A key another client already grabbed is
  refused by the server (BadAccess), and said.
* Windows: ``RegisterHotKey``; its ``WM_HOTKEY`` arrives through a native event filter.
* macOS: Carbon's ``RegisterEventHotKey`` with an application event handler (``Ctrl`` means
  Command there, as everywhere in Qt).

Wayland has no way for an application to grab a key for itself: :meth:`GlobalHotkey.register`
says so (Quick dial from the tray still works).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal
from PySide6.QtGui import QGuiApplication

DEFAULT_HOTKEY = "Ctrl+Alt+D"


class HotkeyError(Exception):
    """Why the hotkey could not be registered, for the agent."""


@dataclass(frozen=True)
class Hotkey:
    key: str  # "D", "7", "F9"
    ctrl: bool = False
    alt: bool = False
    shift: bool = False
    meta: bool = False

    def __str__(self) -> str:
        names = [n for n, on in (("Ctrl", self.ctrl), ("Alt", self.alt), ("Shift", self.shift),
                                 ("Meta", self.meta)) if on]  # fmt: skip
        return "+".join([*names, self.key])


_MODIFIERS = {"ctrl": "ctrl", "control": "ctrl", "alt": "alt", "option": "alt", "shift": "shift",
              "meta": "meta", "super": "meta", "win": "meta", "cmd": "ctrl"}  # fmt: skip


def parse_hotkey(text: str) -> Hotkey:
    """ "Ctrl+Alt+D" → :class:`Hotkey`; a letter, digit or F1–F12 with at least one modifier."""
    parts = [p.strip() for p in text.split("+") if p.strip()]
    if not parts:
        raise HotkeyError("No hotkey set")
    *mods, key = parts
    flags: dict[str, bool] = {}
    for mod in mods:
        name = _MODIFIERS.get(mod.casefold())
        if name is None:
            raise HotkeyError(f"Unknown modifier “{mod}” (use Ctrl, Alt, Shift or Meta)")
        flags[name] = True
    key = key.upper()
    is_function = key.startswith("F") and key[1:].isdigit() and 1 <= int(key[1:]) <= 12
    if not (len(key) == 1 and key.isascii() and key.isalnum()) and not is_function:
        raise HotkeyError(f"“{key}” cannot be a hotkey: use a letter, a digit or F1–F12")
    if not flags and not is_function:
        raise HotkeyError("A hotkey needs Ctrl, Alt or Meta, or it would steal a key from typing")
    return Hotkey(key, **flags)


class GlobalHotkey(QObject):
    """One system-wide hotkey for this process; :attr:`activated` when pressed anywhere."""

    activated = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backend: Backend | None = None
        self.hotkey: Hotkey | None = None

    @staticmethod
    def headless() -> bool:
        """No keyboard at all (tests, screenshots): nothing to register, nothing to explain."""
        return QGuiApplication.platformName() in ("offscreen", "minimal", "minimalegl")

    def register(self, text: str) -> str:
        """Register ``text`` (replacing any earlier hotkey); "" when done, else why not."""
        self.unregister()
        if not text.strip():
            return ""
        try:
            hotkey = parse_hotkey(text)
            backend = _backend_for(QGuiApplication.platformName(), self.activated.emit)
            backend.register(hotkey)
        except HotkeyError as exc:
            return str(exc)
        self._backend, self.hotkey = backend, hotkey
        return ""

    def unregister(self) -> None:
        backend, self._backend, self.hotkey = self._backend, None, None
        if backend is not None:
            backend.close()


class Backend:
    def __init__(self, fire: Callable[[], None]) -> None:
        self.fire = fire

    def register(self, hotkey: Hotkey) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _backend_for(platform: str, fire: Callable[[], None]) -> Backend:
    if platform == "xcb":
        return _X11(fire)
    if sys.platform == "win32" and platform == "windows":
        from dialdeck.platform._hotkey_windows import Windows  # type-checked: mypy --platform win32

        return Windows(fire)
    if sys.platform == "darwin" and platform == "cocoa":
        from dialdeck.platform._hotkey_macos import MacOS  # mypy --platform darwin

        return MacOS(fire)
    if platform.startswith("wayland"):
        raise HotkeyError(
            "Wayland does not let applications set system-wide hotkeys: use Quick dial from "
            "the tray icon instead"
        )
    raise HotkeyError(f"System-wide hotkeys are not available here ({platform or 'no display'})")


# --- X11 ------------------------------------------------------------------------------------------

_SHIFT, _LOCK, _CONTROL, _MOD1, _MOD2, _MOD4 = 1, 2, 4, 8, 16, 64
_KEY_PRESS = 2
_GRAB_MODE_ASYNC = 1


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _VoidCookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _GenericEvent(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("pad0", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16)]  # fmt: skip


def _library(name: str) -> ctypes.CDLL:
    path = ctypes.util.find_library(name)
    try:
        return ctypes.CDLL(path or f"lib{name}.so.1")
    except OSError as exc:
        raise HotkeyError(f"System-wide hotkeys need lib{name} ({exc})") from None


def _x11_keysym(key: str) -> int:
    if key.startswith("F") and len(key) > 1:
        return 0xFFBE + int(key[1:]) - 1  # XK_F1…
    return ord(key.lower())  # XK_a… and XK_0… are their ASCII codes


class _X11(Backend):
    def __init__(self, fire: Callable[[], None]) -> None:
        super().__init__(fire)
        xcb, self.libc = _library("xcb"), ctypes.CDLL(None)
        self.keysyms = _library("xcb-keysyms")
        xcb.xcb_connect.restype = ctypes.c_void_p
        xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
        for name in ("xcb_disconnect", "xcb_flush", "xcb_get_file_descriptor",
                     "xcb_connection_has_error"):  # fmt: skip
            getattr(xcb, name).argtypes = [ctypes.c_void_p]
        xcb.xcb_get_setup.restype = ctypes.c_void_p
        xcb.xcb_get_setup.argtypes = [ctypes.c_void_p]
        xcb.xcb_setup_roots_iterator.restype = _ScreenIterator
        xcb.xcb_setup_roots_iterator.argtypes = [ctypes.c_void_p]
        key_args: list[Any] = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint16,
                    ctypes.c_uint8, ctypes.c_uint8, ctypes.c_uint8]  # fmt: skip
        xcb.xcb_grab_key_checked.restype = _VoidCookie
        xcb.xcb_grab_key_checked.argtypes = key_args
        xcb.xcb_ungrab_key.restype = _VoidCookie
        xcb.xcb_ungrab_key.argtypes = [ctypes.c_void_p, ctypes.c_uint8, ctypes.c_uint32,
                                       ctypes.c_uint16]  # fmt: skip
        xcb.xcb_request_check.restype = ctypes.c_void_p
        xcb.xcb_request_check.argtypes = [ctypes.c_void_p, _VoidCookie]
        xcb.xcb_poll_for_event.restype = ctypes.POINTER(_GenericEvent)
        xcb.xcb_poll_for_event.argtypes = [ctypes.c_void_p]
        self.keysyms.xcb_key_symbols_alloc.restype = ctypes.c_void_p
        self.keysyms.xcb_key_symbols_alloc.argtypes = [ctypes.c_void_p]
        self.keysyms.xcb_key_symbols_free.argtypes = [ctypes.c_void_p]
        self.keysyms.xcb_key_symbols_get_keycode.restype = ctypes.POINTER(ctypes.c_uint8)
        self.keysyms.xcb_key_symbols_get_keycode.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        self.libc.free.argtypes = [ctypes.c_void_p]
        self.xcb = xcb
        self.conn: int | None = None
        self.notifier: QSocketNotifier | None = None
        self.grabs: list[tuple[int, int]] = []  # (keycode, modifiers)
        self.root = 0

    def register(self, hotkey: Hotkey) -> None:
        xcb = self.xcb
        conn = xcb.xcb_connect(None, None)
        if not conn or xcb.xcb_connection_has_error(conn):
            if conn:
                xcb.xcb_disconnect(conn)
            raise HotkeyError("Cannot connect to the X server for the hotkey")
        self.conn = conn
        screen = xcb.xcb_setup_roots_iterator(xcb.xcb_get_setup(conn)).data
        self.root = ctypes.cast(screen, ctypes.POINTER(ctypes.c_uint32))[0]  # xcb_screen_t.root
        keycodes = self._keycodes(_x11_keysym(hotkey.key))
        if not keycodes:
            self.close()
            raise HotkeyError(f"No key on this keyboard types “{hotkey.key}”")
        mods = ((_CONTROL if hotkey.ctrl else 0) | (_MOD1 if hotkey.alt else 0)
                | (_SHIFT if hotkey.shift else 0) | (_MOD4 if hotkey.meta else 0))  # fmt: skip
        for keycode in keycodes:
            for extra in (0, _LOCK, _MOD2, _LOCK | _MOD2):  # Caps Lock and Num Lock on or off
                cookie = xcb.xcb_grab_key_checked(conn, 1, self.root, mods | extra, keycode,
                                                  _GRAB_MODE_ASYNC, _GRAB_MODE_ASYNC)  # fmt: skip
                error = xcb.xcb_request_check(conn, cookie)
                if error:
                    self.libc.free(error)
                    self.close()
                    raise HotkeyError(f"{hotkey} is already used by another application")
                self.grabs.append((keycode, mods | extra))
        xcb.xcb_flush(conn)
        fd = xcb.xcb_get_file_descriptor(conn)
        self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._drain)
        self._drain()  # events read while checking the grabs wait in xcb's queue

    def _keycodes(self, keysym: int) -> list[int]:
        symbols = self.keysyms.xcb_key_symbols_alloc(self.conn)
        try:
            found = self.keysyms.xcb_key_symbols_get_keycode(symbols, keysym)
            codes: list[int] = []
            if found:
                while found[len(codes)]:
                    codes.append(found[len(codes)])
                self.libc.free(ctypes.cast(found, ctypes.c_void_p))
            return codes
        finally:
            self.keysyms.xcb_key_symbols_free(symbols)

    def _drain(self, *_args: Any) -> None:
        pressed = False
        while self.conn is not None:
            event = self.xcb.xcb_poll_for_event(self.conn)
            if not event:
                break
            pressed |= (event.contents.response_type & 0x7F) == _KEY_PRESS
            self.libc.free(ctypes.cast(event, ctypes.c_void_p))
        if pressed:  # one action for however many presses were queued
            self.fire()

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        conn, self.conn = self.conn, None
        if conn is not None:
            for keycode, mods in self.grabs:
                self.xcb.xcb_ungrab_key(conn, keycode, self.root, mods)
            self.xcb.xcb_flush(conn)
            self.xcb.xcb_disconnect(conn)
        self.grabs = []
