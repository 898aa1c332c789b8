"""The system-wide hotkey on X11: a passive key grab on the root window (``xcb_grab_key``) through
ctypes on libxcb, on a connection of our own whose socket a :class:`QSocketNotifier` watches.

* The grab is repeated with Caps Lock and Num Lock, which X counts as modifiers.
* A key another client already grabbed is refused by the server (BadAccess), and said.
* Grabs are by keycode: the keys that type the hotkey's key in the keyboard layout in use, read
  from the server's XKB keymap with libxkbcommon. X matches a grab by keycode and modifiers only,
  whatever the layout, so the grab follows the keyboard:
  - a new keymap (``setxkbmap``, ``xmodmap``, the desktop's layout settings: XKB sends
    NewKeyboardNotify or MapNotify) is read again;
  - a switch between layouts loaded together (``setxkbmap -layout us,fr`` and Alt+Shift or the
    desktop's layout indicator) only changes the XKB group, which StateNotify reports;
  and in both cases the grab moves to the key that now types the hotkey's key, so Ctrl+Alt+Q is
  the key marked Q in every layout, and the key that typed Q before is left to other applications.
  If the new key is held by another application, that is reported.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSocketNotifier

from dialdeck.platform import _x11_libs as x
from dialdeck.platform.hotkey import Backend, Hotkey, HotkeyError, HotkeyTaken

log = logging.getLogger("dialdeck.hotkey")


_SHIFT, _LOCK, _CONTROL, _MOD1, _MOD2, _MOD4 = 1, 2, 4, 8, 16, 64
_KEY_PRESS, _MAPPING_NOTIFY = 2, 34
_MAPPING_MODIFIER, _MAPPING_KEYBOARD = 0, 1
_GRAB_MODE_ASYNC = 1


def _x11_keysym(key: str) -> int:
    if key.startswith("F") and len(key) > 1:
        return 0xFFBE + int(key[1:]) - 1  # XK_F1…
    return ord(key.lower())  # XK_a… and XK_0… are their ASCII codes


class X11(Backend):
    def __init__(self, fire: Callable[[], None]) -> None:
        super().__init__(fire)
        self.libs = x.load()
        self.conn: int | None = None
        self.notifier: QSocketNotifier | None = None
        self.grabs: list[tuple[int, int]] = []  # (keycode, modifiers)
        self.root = 0
        self.hotkey: Hotkey | None = None
        self.device = 0  # the core keyboard's XKB device id
        self.xkb_event = 0  # the response type of XKB's events on this connection
        self.context: int | None = None
        self.keymap: int | None = None
        self.group = 0  # the layout in use, an index into the keymap's layouts

    def register(self, hotkey: Hotkey) -> None:
        xcb = self.libs.xcb
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
            self._follow_the_keyboard()
            self._grab(hotkey, self._keycodes(hotkey))
        except HotkeyError:
            self.close()
            raise
        xcb.xcb_flush(conn)
        fd = xcb.xcb_get_file_descriptor(conn)
        self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._drain)
        self._drain()  # events read while checking the grabs wait in xcb's queue

    def _follow_the_keyboard(self) -> None:
        """Turn on XKB for this connection, ask for its keymap, layout-switch and map events, and
        read the keymap and the layout in use."""
        libs, conn = self.libs, self.conn
        base_event = ctypes.c_uint8()
        if not libs.xkb_x11.xkb_x11_setup_xkb_extension(conn, 1, 0, 0, None, None,
                                                        ctypes.byref(base_event), None):  # fmt: skip
            raise HotkeyError("The X server has no keyboard extension (XKB) for the hotkey")
        self.xkb_event = base_event.value
        self.device = libs.xkb_x11.xkb_x11_get_core_keyboard_device_id(conn)
        # Every keymap event, but StateNotify only when the layout changes (its detail mask),
        # not at each press of Shift in any application.
        group_only = (ctypes.c_uint16 * 2)(x.XKB_GROUP_STATE, x.XKB_GROUP_STATE)
        select_all = x.XKB_EVENT_MASKS & ~(1 << x.XKB_STATE_NOTIFY)
        cookie = libs.xcb_xkb.xcb_xkb_select_events_checked(
            conn, x.XKB_USE_CORE_KBD, x.XKB_EVENT_MASKS, 0, select_all,
            x.XKB_ALL_MAP_PARTS, x.XKB_ALL_MAP_PARTS, ctypes.cast(group_only, ctypes.c_void_p))  # fmt: skip
        self._check(cookie, "Cannot follow the keyboard layout for the hotkey")
        self.context = libs.xkb.xkb_context_new(x.XKB_CONTEXT_NO_FILES)
        self._read_keymap()

    def _read_keymap(self) -> None:
        libs = self.libs
        keymap = libs.xkb_x11.xkb_x11_keymap_new_from_device(
            self.context, self.conn, self.device, 0
        )
        if not keymap:
            raise HotkeyError("Cannot read the keyboard layout from the X server")
        if self.keymap:
            libs.xkb.xkb_keymap_unref(self.keymap)
        self.keymap = keymap
        state = libs.xkb_x11.xkb_x11_state_new_from_device(keymap, self.conn, self.device)
        if state:
            self.group = libs.xkb.xkb_state_serialize_layout(state, x.XKB_STATE_LAYOUT_EFFECTIVE)
            libs.xkb.xkb_state_unref(state)

    def _check(self, cookie: x.VoidCookie, message: str) -> None:
        error = self.libs.xcb.xcb_request_check(self.conn, cookie)
        if error:
            self.libs.libc.free(error)
            raise HotkeyError(message)

    def _keycodes(self, hotkey: Hotkey) -> list[int]:
        """The keys that type ``hotkey.key`` in the layout in use: unshifted if any does (on AZERTY
        the digits are shifted, so those then)."""
        keysym = _x11_keysym(hotkey.key)
        xkb, keymap, group = self.libs.xkb, self.keymap, self.group
        syms = ctypes.POINTER(ctypes.c_uint32)()
        by_level: dict[int, list[int]] = {}
        low, high = xkb.xkb_keymap_min_keycode(keymap), xkb.xkb_keymap_max_keycode(keymap)
        for keycode in range(low, min(high, 255) + 1):  # core grabs take 8-bit keycodes
            for level in range(xkb.xkb_keymap_num_levels_for_key(keymap, keycode, group)):
                count = xkb.xkb_keymap_key_get_syms_by_level(keymap, keycode, group, level,
                                                             ctypes.byref(syms))  # fmt: skip
                if any(syms[i] == keysym for i in range(count)):
                    by_level.setdefault(level, []).append(keycode)
        codes = by_level[min(by_level)] if by_level else []
        if not codes:
            raise HotkeyError(f"No key on this keyboard types “{hotkey.key}”")
        return codes

    def _grab(self, hotkey: Hotkey, keycodes: list[int]) -> None:
        """Grab ``keycodes`` with the hotkey's modifiers; raise (grabbing nothing) when refused."""
        xcb, conn = self.libs.xcb, self.conn
        mods = ((_CONTROL if hotkey.ctrl else 0) | (_MOD1 if hotkey.alt else 0)
                | (_SHIFT if hotkey.shift else 0) | (_MOD4 if hotkey.meta else 0))  # fmt: skip
        for keycode in keycodes:
            for extra in (0, _LOCK, _MOD2, _LOCK | _MOD2):  # Caps Lock and Num Lock on or off
                cookie = xcb.xcb_grab_key_checked(conn, 1, self.root, mods | extra, keycode,
                                                  _GRAB_MODE_ASYNC, _GRAB_MODE_ASYNC)  # fmt: skip
                error = xcb.xcb_request_check(conn, cookie)
                if error:
                    self.libs.libc.free(error)
                    self._ungrab()
                    raise HotkeyTaken(hotkey)
                self.grabs.append((keycode, mods | extra))

    def _ungrab(self) -> None:
        for keycode, mods in self.grabs:
            self.libs.xcb.xcb_ungrab_key(self.conn, keycode, self.root, mods)
        self.grabs = []

    def _regrab(self, new_keymap: bool) -> None:
        """The keymap or the layout in use changed: the key may be elsewhere now; grab it there."""
        if self.hotkey is None or self.conn is None:
            return
        try:
            if new_keymap:
                self._read_keymap()
            keycodes = self._keycodes(self.hotkey)
            if {code for code, _mods in self.grabs} == set(keycodes):
                return  # the same key (D is D in QWERTY and AZERTY): keep the grab, no gap
            self._ungrab()
            self._grab(self.hotkey, keycodes)
        except HotkeyError as exc:
            self._ungrab()
            log.warning("hotkey lost after a keyboard change: %s", exc)
            self.report(f"{exc} (after the keyboard layout changed)")
        else:
            log.info("hotkey %s grabbed again after a keyboard change", self.hotkey)
        self.libs.xcb.xcb_flush(self.conn)

    def _drain(self, *_args: Any) -> None:
        pressed = new_keymap = new_group = False
        while self.conn is not None:
            event = self.libs.xcb.xcb_poll_for_event(self.conn)
            if not event:
                break
            kind = event.contents.response_type & 0x7F
            pressed |= kind == _KEY_PRESS
            if kind == _MAPPING_NOTIFY:
                request = ctypes.cast(event, ctypes.POINTER(x.MappingNotifyEvent)).contents.request
                new_keymap |= request in (_MAPPING_KEYBOARD, _MAPPING_MODIFIER)
            elif kind == self.xkb_event:
                xkb = ctypes.cast(event, ctypes.POINTER(x.XkbEvent)).contents
                if xkb.xkb_type == x.XKB_STATE_NOTIFY:
                    new_group |= xkb.group != self.group
                    self.group = xkb.group
                else:
                    new_keymap = True
            self.libs.libc.free(ctypes.cast(event, ctypes.c_void_p))
        if new_keymap or new_group:  # once for a burst of notifications (setxkbmap sends several)
            self._regrab(new_keymap)
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
                self.libs.xcb.xcb_ungrab_key(conn, keycode, self.root, mods)
            self.libs.xcb.xcb_flush(conn)
            self.libs.xcb.xcb_disconnect(conn)
        self.grabs = []
        self.hotkey = None
        if self.keymap:
            self.libs.xkb.xkb_keymap_unref(self.keymap)
        if self.context:
            self.libs.xkb.xkb_context_unref(self.context)
        self.keymap = self.context = None
