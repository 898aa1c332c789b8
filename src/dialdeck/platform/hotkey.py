"""A system-wide hotkey (default Ctrl+Alt+D): pressed in any application, it brings the selected
number to Dialdeck.

Registered natively, per system:

* X11: a passive key grab on the root window (``xcb_grab_key``), see ``_hotkey_x11``.
* Windows: ``RegisterHotKey``; its ``WM_HOTKEY`` arrives through a native event filter.
* macOS: Carbon's ``RegisterEventHotKey`` with an application event handler (``Ctrl`` means
  Command there, as everywhere in Qt).

Wayland has no way for an application to grab a key for itself: :meth:`GlobalHotkey.register`
says so (Quick dial from the tray still works).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal
from PySide6.QtGui import QGuiApplication

DEFAULT_HOTKEY = "Ctrl+Alt+D"


class HotkeyError(Exception):
    """Why the hotkey could not be registered, for the agent."""


class HotkeyTaken(HotkeyError):
    """Another application holds the chord (X11 BadAccess, Windows, macOS): choose another."""

    def __init__(self, hotkey: Hotkey) -> None:
        super().__init__(f"{hotkey} is already used by another application")


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
    if not (flags.get("ctrl") or flags.get("alt") or flags.get("meta")) and not is_function:
        # Shift alone would steal a capital letter from typing in every application.
        raise HotkeyError("A hotkey needs Ctrl, Alt or Meta, or it would steal a key from typing")
    return Hotkey(key, **flags)


class GlobalHotkey(QObject):
    """One system-wide hotkey for this process; :attr:`activated` when pressed anywhere."""

    activated = Signal()
    problem = Signal(str)  # the registered hotkey stopped working (a keyboard change), and why

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backend: Backend | None = None
        self.hotkey: Hotkey | None = None

    @staticmethod
    def headless() -> bool:
        """No keyboard at all (tests, screenshots): nothing to register, nothing to explain."""
        return QGuiApplication.platformName() in ("offscreen", "minimal", "minimalegl")

    def register(self, text: str) -> str:
        """:meth:`change` to ``text``; "" when done, else why not."""
        try:
            self.change(text)
        except HotkeyError as exc:
            return str(exc)
        return ""

    def change(self, text: str) -> None:
        """Register ``text`` in place of the current hotkey ("" for none).

        The new chord is registered before the old one is released: when it is refused
        (:class:`HotkeyTaken` when another application holds it) the old hotkey still works.
        """
        if not text.strip():
            self.unregister()
            return
        hotkey = parse_hotkey(text)
        if hotkey == self.hotkey:
            return  # registering it again would collide with ourselves
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() != app.thread():
            # Windows ties the hotkey to the registering thread's message queue, Carbon and the
            # X11 socket notifier to the main loop: only the GUI thread will do.
            raise HotkeyError("The hotkey can only be registered from the main thread")
        backend = _backend_for(QGuiApplication.platformName(), self.activated.emit)
        backend.report = self.problem.emit
        backend.register(hotkey)
        self.unregister()
        self._backend, self.hotkey = backend, hotkey

    def unregister(self) -> None:
        backend, self._backend, self.hotkey = self._backend, None, None
        if backend is not None:
            backend.close()


class Backend:
    def __init__(self, fire: Callable[[], None]) -> None:
        self.fire = fire
        self.report: Callable[[str], None] = lambda _why: None  # trouble after registering

    def register(self, hotkey: Hotkey) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _backend_for(platform: str, fire: Callable[[], None]) -> Backend:
    if platform == "xcb":
        from dialdeck.platform._hotkey_x11 import X11

        return X11(fire)
    try:  # a missing or odd system library is a hotkey that cannot be set, never a crash
        if sys.platform == "win32" and platform == "windows":
            from dialdeck.platform._hotkey_windows import Windows  # mypy --platform win32

            return Windows(fire)
        if sys.platform == "darwin" and platform == "cocoa":
            from dialdeck.platform._hotkey_macos import MacOS  # mypy --platform darwin

            return MacOS(fire)
    except (OSError, AttributeError) as exc:
        raise HotkeyError(f"System-wide hotkeys are not available here ({exc})") from None
    if platform.startswith("wayland"):
        raise HotkeyError(
            "Wayland does not let applications set system-wide hotkeys: use Quick dial from "
            "the tray icon instead"
        )
    raise HotkeyError(f"System-wide hotkeys are not available here ({platform or 'no display'})")
