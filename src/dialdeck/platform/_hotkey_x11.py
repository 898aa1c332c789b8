"""The system-wide hotkey on X11: a passive key grab on the root window (``xcb_grab_key``) through
ctypes on libxcb, on a connection of our own whose socket a :class:`QSocketNotifier` watches.

* The grab is repeated with Caps Lock and Num Lock, which X counts as modifiers.
* A key another client already grabbed is refused by the server (BadAccess), and said.
* Grabs are by keycode, resolved from the key's keysym with the keyboard mapping of the moment.
  When the mapping changes (``setxkbmap``, ``xmodmap``, a layout switch in the desktop: X sends
  every client a ``MappingNotify``), the keycodes are resolved again and the grab moved, so the
  configured key keeps working; if the new key is held elsewhere, that is reported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSocketNotifier

from dialdeck.platform.hotkey import Backend, Hotkey, HotkeyError, HotkeyTaken

log = logging.getLogger("dialdeck.hotkey")


_SHIFT, _LOCK, _CONTROL, _MOD1, _MOD2, _MOD4 = 1, 2, 4, 8, 16, 64
_KEY_PRESS, _MAPPING_NOTIFY = 2, 34
_MAPPING_MODIFIER, _MAPPING_KEYBOARD = 0, 1
_GRAB_MODE_ASYNC = 1


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _VoidCookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _GenericEvent(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("pad0", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16)]  # fmt: skip


class _MappingNotifyEvent(ctypes.Structure):
    _fields_ = [("response_type", ctypes.c_uint8), ("pad0", ctypes.c_uint8),
                ("sequence", ctypes.c_uint16), ("request", ctypes.c_uint8),
                ("first_keycode", ctypes.c_uint8), ("count", ctypes.c_uint8)]  # fmt: skip


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


class X11(Backend):
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
        self.hotkey: Hotkey | None = None

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
        self.hotkey = hotkey
        try:
            self._grab(hotkey)
        except HotkeyError:
            self.close()
            raise
        xcb.xcb_flush(conn)
        fd = xcb.xcb_get_file_descriptor(conn)
        self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._drain)
        self._drain()  # events read while checking the grabs wait in xcb's queue

    def _grab(self, hotkey: Hotkey) -> None:
        """Grab every key that types ``hotkey.key`` now; raise (grabbing nothing) when impossible."""
        xcb, conn = self.xcb, self.conn
        keycodes = self._keycodes(_x11_keysym(hotkey.key))
        if not keycodes:
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
                    self._ungrab()
                    raise HotkeyTaken(hotkey)
                self.grabs.append((keycode, mods | extra))

    def _ungrab(self) -> None:
        for keycode, mods in self.grabs:
            self.xcb.xcb_ungrab_key(self.conn, keycode, self.root, mods)
        self.grabs = []

    def _regrab(self) -> None:
        """The keyboard mapping changed: the key may be elsewhere now; grab it where it is."""
        if self.hotkey is None or self.conn is None:
            return
        self._ungrab()
        try:
            self._grab(self.hotkey)
        except HotkeyError as exc:
            log.warning("hotkey lost after a keyboard change: %s", exc)
            self.report(f"{exc} (after the keyboard layout changed)")
        else:
            log.info("hotkey %s grabbed again after a keyboard change", self.hotkey)
        self.xcb.xcb_flush(self.conn)

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
        pressed = remapped = False
        while self.conn is not None:
            event = self.xcb.xcb_poll_for_event(self.conn)
            if not event:
                break
            kind = event.contents.response_type & 0x7F
            pressed |= kind == _KEY_PRESS
            if kind == _MAPPING_NOTIFY:
                request = ctypes.cast(event, ctypes.POINTER(_MappingNotifyEvent)).contents.request
                remapped |= request in (_MAPPING_KEYBOARD, _MAPPING_MODIFIER)
            self.libc.free(ctypes.cast(event, ctypes.c_void_p))
        if remapped:  # once for a burst of notifications (setxkbmap sends several)
            self._regrab()
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
        self.hotkey = None
