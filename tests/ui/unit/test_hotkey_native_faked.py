"""The Windows and macOS hotkey backends, loaded here with their system libraries faked (user32,
Carbon): what they ask the system for, how they read its answers and events, and what they undo.

This checks the Python side against the documented APIs; the real calls run only on those
systems (see the report in the module docstrings for what that leaves unverified).
"""

from __future__ import annotations

import ctypes
import importlib.util
import sys
import threading
from collections.abc import Callable
from ctypes import wintypes
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dialdeck.platform.hotkey import GlobalHotkey, HotkeyError, HotkeyTaken, parse_hotkey

PLATFORM = Path(__file__).parents[3] / "src" / "dialdeck" / "platform"


class FakeFunction:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.answer: Callable[..., Any] = lambda *_args: 0
        self.argtypes: list[Any] | None = None
        self.restype: Any = None

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.answer(*args)


class FakeLibrary:
    def __init__(self) -> None:
        self.functions: dict[str, FakeFunction] = {}

    def __getattr__(self, name: str) -> FakeFunction:
        return self.functions.setdefault(name, FakeFunction())


def load(monkeypatch: pytest.MonkeyPatch, name: str, platform: str) -> ModuleType:
    """Import ``dialdeck/platform/<name>.py`` as if on ``platform``, outside sys.modules."""
    spec = importlib.util.spec_from_file_location(f"faked_{name}", PLATFORM / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with monkeypatch.context() as during_import:
        during_import.setattr(sys, "platform", platform)
        spec.loader.exec_module(module)
    return module


@pytest.fixture
def user32() -> FakeLibrary:
    return FakeLibrary()


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch, user32: FakeLibrary, qapp: object) -> ModuleType:
    monkeypatch.setattr(ctypes, "WinDLL", lambda name, **_: user32, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: 0, raising=False)
    return load(monkeypatch, "_hotkey_windows", "win32")


def hotkey_message(hotkey_id: int, hwnd: int | None = None) -> wintypes.MSG:
    msg = wintypes.MSG()
    msg.hWnd, msg.message, msg.wParam = hwnd, 0x0312, hotkey_id  # WM_HOTKEY
    return msg


def test_windows_registers_a_thread_hotkey_and_hears_wm_hotkey(
    windows: ModuleType, user32: FakeLibrary
) -> None:
    user32.RegisterHotKey.answer = lambda *_args: 1
    fired: list[int] = []
    backend = windows.Windows(lambda: fired.append(1))
    backend.register(parse_hotkey("Ctrl+Alt+D"))
    ((hwnd, hotkey_id, mods, vk),) = user32.RegisterHotKey.calls
    assert hwnd is None  # the thread's queue: WM_HOTKEY arrives through Qt's event loop
    assert 0 <= hotkey_id <= 0xBFFF  # an application's range, not a DLL's
    assert mods == 0x4000 | 0x2 | 0x1  # MOD_NOREPEAT | MOD_CONTROL | MOD_ALT
    assert vk == ord("D")
    event_filter = backend.filter

    msg = hotkey_message(hotkey_id)
    assert event_filter.nativeEventFilter(b"windows_generic_MSG", ctypes.addressof(msg)) == (
        True,
        0,
    )
    assert fired == [1]
    for event_type, other in (
        (b"windows_generic_MSG", hotkey_message(hotkey_id + 1)),  # another hotkey of the thread
        (b"windows_generic_MSG", hotkey_message(hotkey_id, hwnd=0x1234)),  # a window's
        (b"windows_dispatcher_MSG", hotkey_message(hotkey_id)),  # Qt's internal window only
    ):
        assert event_filter.nativeEventFilter(event_type, ctypes.addressof(other)) == (False, 0)
    assert fired == [1]

    backend.close()
    assert user32.UnregisterHotKey.calls == [(None, hotkey_id)]
    assert backend.filter is None
    backend.close()  # twice is harmless
    assert len(user32.UnregisterHotKey.calls) == 1


def test_windows_modifiers_and_keys(windows: ModuleType, user32: FakeLibrary) -> None:
    user32.RegisterHotKey.answer = lambda *_args: 1
    backend = windows.Windows(lambda: None)
    backend.register(parse_hotkey("Shift+Meta+F9"))
    assert user32.RegisterHotKey.calls[-1][2:] == (0x4000 | 0x4 | 0x8, 0x78)  # VK_F9
    backend.close()
    assert windows.virtual_key("7") == 0x37
    with pytest.raises(HotkeyError, match="F12 for debuggers"):
        backend.register(parse_hotkey("Ctrl+F12"))


def test_windows_says_when_another_application_holds_the_chord(
    windows: ModuleType, user32: FakeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    user32.RegisterHotKey.answer = lambda *_args: 0
    backend = windows.Windows(lambda: None)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: 1409, raising=False)
    with pytest.raises(HotkeyTaken, match="Ctrl\\+Alt\\+D is already used by another application"):
        backend.register(parse_hotkey("Ctrl+Alt+D"))
    monkeypatch.setattr(ctypes, "get_last_error", lambda: 5, raising=False)
    with pytest.raises(HotkeyError, match="error 5"):
        backend.register(parse_hotkey("Ctrl+Alt+D"))
    assert backend.filter is None
    assert user32.UnregisterHotKey.calls == []


@pytest.fixture
def carbon(monkeypatch: pytest.MonkeyPatch) -> FakeLibrary:
    library = FakeLibrary()
    real = ctypes.CDLL

    def cdll(name: str | None, *args: Any, **kwargs: Any) -> Any:
        faked = name and ("Carbon" in name or "CoreFoundation" in name)
        return library if faked else real(name, *args, **kwargs)

    monkeypatch.setattr(ctypes, "CDLL", cdll)
    return library


@pytest.fixture
def macos(monkeypatch: pytest.MonkeyPatch, carbon: FakeLibrary) -> ModuleType:
    module = load(monkeypatch, "_hotkey_macos", "darwin")
    monkeypatch.undo()  # ctypes.CDLL back: the module keeps its fake Carbon
    return module


def referenced(argument: Any) -> Any:
    return argument._obj  # what a ctypes.byref() points at


def test_macos_registers_with_carbon_and_answers_only_its_own_hotkey(
    macos: ModuleType, carbon: FakeLibrary
) -> None:
    carbon.GetApplicationEventTarget.answer = lambda: 0xA11
    carbon.InstallEventHandler.answer = lambda *a: setattr(referenced(a[5]), "value", 0xE1) or 0
    carbon.RegisterEventHotKey.answer = lambda *a: setattr(referenced(a[5]), "value", 0xE2) or 0
    assert carbon.InstallEventHandler.argtypes is not None
    assert carbon.InstallEventHandler.argtypes[2] is ctypes.c_ulong  # ItemCount: unsigned long
    fired: list[int] = []
    backend = macos.MacOS(lambda: fired.append(1))
    backend.register(parse_hotkey("Ctrl+Alt+D"))
    ((target, _handler, count, spec, _data, _out),) = carbon.InstallEventHandler.calls
    assert (target, count) == (0xA11, 1)
    assert (referenced(spec).eventClass, referenced(spec).eventKind) == (
        int.from_bytes(b"keyb", "big"),
        5,  # kEventHotKeyPressed
    )
    ((code, mods, hotkey_id, target, options, _ref),) = carbon.RegisterEventHotKey.calls
    assert (code, mods, target, options) == (2, 0x100 | 0x800, 0xA11, 1)  # D; Cmd+Option
    assert hotkey_id.signature == int.from_bytes(b"DlDk", "big")

    def event_for(signature: int, ident: int) -> Callable[..., int]:
        def answer(*args: Any) -> int:
            assert args[1:3] == (int.from_bytes(b"----", "big"), int.from_bytes(b"hkid", "big"))
            out = referenced(args[6])
            out.signature, out.id = signature, ident
            return 0

        return answer

    carbon.GetEventParameter.answer = event_for(hotkey_id.signature, hotkey_id.id)
    assert backend.callback(None, 0xEEE, None) == 0  # through the real ctypes callback
    assert fired == [1]
    carbon.GetEventParameter.answer = event_for(hotkey_id.signature, hotkey_id.id + 1)
    assert backend.callback(None, 0xEEE, None) == -9874  # eventNotHandledErr: someone else's
    assert fired == [1]

    backend.close()
    assert [c[0].value for c in carbon.UnregisterEventHotKey.calls] == [0xE2]
    assert [c[0].value for c in carbon.RemoveEventHandler.calls] == [0xE1]


def test_macos_says_when_another_application_holds_the_chord(
    macos: ModuleType, carbon: FakeLibrary
) -> None:
    carbon.InstallEventHandler.answer = lambda *a: setattr(referenced(a[5]), "value", 0xE1) or 0
    carbon.RegisterEventHotKey.answer = lambda *_a: -9878  # eventHotKeyExistsErr
    backend = macos.MacOS(lambda: None)
    with pytest.raises(HotkeyTaken):
        backend.register(parse_hotkey("Ctrl+Shift+F9"))
    assert carbon.RegisterEventHotKey.calls[0][:2] == (101, 0x100 | 0x200)  # F9; Cmd+Shift
    assert len(carbon.RemoveEventHandler.calls) == 1  # the handler is not left behind
    carbon.RegisterEventHotKey.answer = lambda *_a: -9879
    with pytest.raises(HotkeyError, match="error -9879"):
        backend.register(parse_hotkey("Meta+Alt+K"))
    assert carbon.RegisterEventHotKey.calls[1][:2] == (40, 0x1000 | 0x800)  # K; Control+Option


AZERTY = {12: "a", 0: "q", 13: "z", 6: "w", 2: "d", 18: "&", 83: "1"}  # key code: typed


def azerty(carbon: FakeLibrary, macos: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Carbon's view of a French layout: the ANSI Q position types "a", the 1 key "&"."""
    monkeypatch.setattr(macos, "layout_data_key", lambda: ctypes.c_void_p(0xD47A))
    carbon.TISCopyCurrentKeyboardLayoutInputSource.answer = lambda: 0x5EC
    carbon.TISGetInputSourceProperty.answer = lambda source, key: 0xDA7 if key.value else 0
    carbon.CFDataGetBytePtr.answer = lambda data: 0x1A70 if data == 0xDA7 else 0

    def translate(*args: Any) -> int:
        layout, code, action, mods, _kbd, options, _dead, most, length, chars = args
        assert (layout, action, mods, options, most) == (0x1A70, 3, 0, 1, 4)
        typed = AZERTY.get(code, "")
        referenced(length).value = len(typed)
        for i, char in enumerate(typed):
            chars[i] = ord(char)
        return 0

    carbon.UCKeyTranslate.answer = translate


def test_macos_chord_is_the_key_that_types_it_in_the_layout_in_use(
    macos: ModuleType, carbon: FakeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    azerty(carbon, macos, monkeypatch)
    carbon.InstallEventHandler.answer = lambda *a: setattr(referenced(a[5]), "value", 0xE1) or 0
    backend = macos.MacOS(lambda: None)
    for chord, code in [("Ctrl+Alt+A", 12), ("Ctrl+Alt+Q", 0), ("Ctrl+Alt+D", 2)]:
        backend.register(parse_hotkey(chord))
        assert carbon.RegisterEventHotKey.calls[-1][0] == code, chord
        backend.close()
    # AZERTY types "&" on the 1 key unshifted: the digit keeps its position (not the keypad's).
    backend.register(parse_hotkey("Ctrl+Alt+1"))
    assert carbon.RegisterEventHotKey.calls[-1][0] == 18
    backend.close()
    assert len(carbon.UCKeyTranslate.calls) == 4 * 51  # the main block, at each registration
    assert [c[0] for c in carbon.CFRelease.calls] == [0x5EC] * 4  # the copied source released


def test_macos_without_a_key_map_keeps_the_ansi_positions(
    macos: ModuleType, carbon: FakeLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    azerty(carbon, macos, monkeypatch)
    carbon.TISGetInputSourceProperty.answer = lambda *_a: 0  # an input method with no key map
    carbon.InstallEventHandler.answer = lambda *a: setattr(referenced(a[5]), "value", 0xE1) or 0
    backend = macos.MacOS(lambda: None)
    backend.register(parse_hotkey("Ctrl+Alt+A"))
    assert carbon.RegisterEventHotKey.calls[-1][0] == 0  # kVK_ANSI_A
    assert carbon.UCKeyTranslate.calls == []
    assert [c[0] for c in carbon.CFRelease.calls] == [0x5EC]


def test_a_backend_that_cannot_load_is_a_hotkey_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from dialdeck.platform import hotkey

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError("Carbon.framework not found")

    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(ctypes, "CDLL", broken)
    monkeypatch.delitem(sys.modules, "dialdeck.platform._hotkey_macos", raising=False)
    with pytest.raises(HotkeyError, match=r"not available here .*Carbon.framework not found"):
        hotkey._backend_for("cocoa", lambda: None)
    assert "dialdeck.platform._hotkey_macos" not in sys.modules


def test_registering_off_the_gui_thread_is_refused(qapp: object) -> None:
    # Windows would tie the hotkey to a thread without Qt's message loop: it would never fire.
    hotkey = GlobalHotkey()
    problems: list[str] = []
    worker = threading.Thread(target=lambda: problems.append(hotkey.register("Ctrl+Alt+D")))
    worker.start()
    worker.join(10)
    assert problems == ["The hotkey can only be registered from the main thread"]
    assert hotkey.hotkey is None
