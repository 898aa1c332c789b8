"""The global hotkey registered with the OS itself: Windows ``RegisterHotKey``, macOS Carbon
``RegisterEventHotKey``. Held, a chord is refused to a second registration (what the Settings
dialog says as "already used by another application"); released, it is free again.

Key presses are not synthesized here: that needs an interactive desktop session (Windows) or the
accessibility permission (macOS), which CI runners do not promise. On X11 the whole path, key
press included, runs for real under Xvfb (tests/ui/test_hotkey_x11.py). Registering a chord for
a moment changes nothing that outlives the test, so these run on any Windows or macOS machine.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication

from dialdeck.platform.hotkey import Backend, HotkeyTaken, parse_hotkey

pytestmark = pytest.mark.skipif(
    sys.platform not in ("win32", "darwin"), reason="Windows and macOS registration"
)
CHORD = parse_hotkey("Ctrl+Alt+Shift+F9")  # nothing on a CI runner is likely to hold it


def native(fire: Callable[[], None]) -> Backend:
    if sys.platform == "win32":
        from dialdeck.platform._hotkey_windows import Windows

        return Windows(fire)
    from dialdeck.platform._hotkey_macos import MacOS

    return MacOS(fire)


def test_a_held_chord_is_refused_then_free_once_released(qapp: QApplication) -> None:
    first = native(lambda: None)
    first.register(CHORD)
    try:
        second = native(lambda: None)
        with pytest.raises(HotkeyTaken, match="already used by another application"):
            second.register(CHORD)
        second.close()  # after a refusal: nothing to release, and no error
    finally:
        first.close()
    again = native(lambda: None)
    again.register(CHORD)  # released: free for whoever asks next
    again.close()
    again.close()  # closing twice is harmless (Settings may switch it off after a failure)


@pytest.mark.skipif(sys.platform != "darwin", reason="macOS keyboard layouts")
def test_the_layout_in_use_is_read_for_real() -> None:
    """Carbon's layout calls with their real signatures: every letter and digit is found on the
    main block of the runner's layout (US on CI: A is key code 0)."""
    from dialdeck.platform._hotkey_macos import KEY_CODES, layout_key_codes

    found = layout_key_codes()
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    assert set(letters) <= found.keys()
    assert all(0 <= code < 51 for code in found.values())
    if found["Q"] == KEY_CODES["Q"]:  # a QWERTY layout: the ANSI positions themselves
        assert all(found[letter] == KEY_CODES[letter] for letter in letters)
