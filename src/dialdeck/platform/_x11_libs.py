"""ctypes bindings for the parts of libxcb, libxcb-xkb and libxkbcommon(-x11) the X11 hotkey uses.

All four ship with every desktop that runs Qt's xcb platform plugin (it links them), so the hotkey
needs nothing that Dialdeck's Qt does not already need. Only the signatures are here; what they
are for is in ``_hotkey_x11``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from dataclasses import dataclass
from typing import Any

from dialdeck.platform.hotkey import HotkeyError

P, U8, U16, U32, I32 = (
    ctypes.c_void_p,
    ctypes.c_uint8,
    ctypes.c_uint16,
    ctypes.c_uint32,
    ctypes.c_int32,
)

XKB_USE_CORE_KBD = 0x100
XKB_NEW_KEYBOARD_NOTIFY, XKB_MAP_NOTIFY, XKB_STATE_NOTIFY = 0, 1, 2  # xkbType of an XKB event
XKB_EVENT_MASKS = 1 << XKB_NEW_KEYBOARD_NOTIFY | 1 << XKB_MAP_NOTIFY | 1 << XKB_STATE_NOTIFY
XKB_ALL_MAP_PARTS = 0xFF
XKB_GROUP_STATE = 1 << 4  # the effective group, in StateNotify's detail mask
XKB_STATE_LAYOUT_EFFECTIVE = 1 << 7
XKB_CONTEXT_NO_FILES = (
    1 | 2
)  # no include paths, no RMLVO from the environment: the keymap is read from the server


class ScreenIterator(ctypes.Structure):
    _fields_ = [("data", P), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class VoidCookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class GenericEvent(ctypes.Structure):
    _fields_ = [("response_type", U8), ("pad0", U8), ("sequence", U16)]


class XkbEvent(ctypes.Structure):
    """The head common to the XKB events, and StateNotify's effective group (byte 13)."""

    _fields_ = [("response_type", U8), ("xkb_type", U8), ("sequence", U16), ("time", U32),
                ("device_id", U8), ("mods", U8), ("base_mods", U8), ("latched_mods", U8),
                ("locked_mods", U8), ("group", U8)]  # fmt: skip


class MappingNotifyEvent(ctypes.Structure):
    _fields_ = [("response_type", U8), ("pad0", U8), ("sequence", U16), ("request", U8),
                ("first_keycode", U8), ("count", U8)]  # fmt: skip


def _library(name: str, version: int) -> ctypes.CDLL:
    # The usual soname first: find_library runs ldconfig in a child process (~1 ms each).
    try:
        return ctypes.CDLL(f"lib{name}.so.{version}")
    except OSError:
        pass
    try:
        return ctypes.CDLL(ctypes.util.find_library(name) or f"lib{name}.so")
    except OSError as exc:
        raise HotkeyError(f"System-wide hotkeys need lib{name} ({exc})") from None


def _declare(lib: ctypes.CDLL, signatures: dict[str, tuple[Any, list[Any]]]) -> None:
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes


@dataclass(frozen=True)
class X11Libs:
    xcb: ctypes.CDLL
    xcb_xkb: ctypes.CDLL
    xkb: ctypes.CDLL  # libxkbcommon
    xkb_x11: ctypes.CDLL
    libc: ctypes.CDLL


@functools.cache  # once per process: each registration (a change in Settings) reuses them
def load() -> X11Libs:
    xcb, xcb_xkb = _library("xcb", 1), _library("xcb-xkb", 1)
    xkb, xkb_x11 = _library("xkbcommon", 0), _library("xkbcommon-x11", 0)
    _declare(xcb, {
        "xcb_connect": (P, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
        "xcb_disconnect": (None, [P]),
        "xcb_flush": (ctypes.c_int, [P]),
        "xcb_get_file_descriptor": (ctypes.c_int, [P]),
        "xcb_connection_has_error": (ctypes.c_int, [P]),
        "xcb_get_setup": (P, [P]),
        "xcb_setup_roots_iterator": (ScreenIterator, [P]),
        "xcb_grab_key_checked": (VoidCookie, [P, U8, U32, U16, U8, U8, U8]),
        "xcb_ungrab_key": (VoidCookie, [P, U8, U32, U16]),
        "xcb_request_check": (P, [P, VoidCookie]),
        "xcb_poll_for_event": (ctypes.POINTER(GenericEvent), [P]),
    })  # fmt: skip
    _declare(xcb_xkb, {
        "xcb_xkb_select_events_checked": (VoidCookie, [P, U16, U16, U16, U16, U16, U16, P]),
    })  # fmt: skip
    _declare(xkb, {
        "xkb_context_new": (P, [ctypes.c_int]),
        "xkb_context_unref": (None, [P]),
        "xkb_keymap_unref": (None, [P]),
        "xkb_state_unref": (None, [P]),
        "xkb_state_serialize_layout": (U32, [P, ctypes.c_int]),
        "xkb_keymap_min_keycode": (U32, [P]),
        "xkb_keymap_max_keycode": (U32, [P]),
        "xkb_keymap_num_levels_for_key": (U32, [P, U32, U32]),
        "xkb_keymap_key_get_syms_by_level": (ctypes.c_int,
                                             [P, U32, U32, U32, ctypes.POINTER(ctypes.POINTER(U32))]),
    })  # fmt: skip
    out16, out8 = ctypes.POINTER(U16), ctypes.POINTER(U8)
    _declare(xkb_x11, {
        "xkb_x11_setup_xkb_extension": (ctypes.c_int, [P, U16, U16, ctypes.c_int, out16, out16, out8, out8]),
        "xkb_x11_get_core_keyboard_device_id": (I32, [P]),
        "xkb_x11_keymap_new_from_device": (P, [P, P, I32, ctypes.c_int]),
        "xkb_x11_state_new_from_device": (P, [P, P, I32]),
    })  # fmt: skip
    libc = ctypes.CDLL(None)
    libc.free.argtypes = [P]
    return X11Libs(xcb, xcb_xkb, xkb, xkb_x11, libc)
