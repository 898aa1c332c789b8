"""A lighter PySide6 import hook: the same answer, without keeping every module's source.

Importing ``PySide6.QtCore`` replaces ``__import__``; after every import, PySide asks
``_mod_uses_pyside(module)`` (for its opt-in ``from __feature__ import …``), which reads the
module's whole source through ``inspect.getsource``. That parses the file into lines and leaves
it in ``linecache``: for Dialdeck's ~500 modules, ~12 MB that nothing needs and ~45 ms of start-up
(measured: ``bench/`` and the figures in the README). The replacement answers the same question
("does the text contain PySide6?") by reading the file's bytes, and leaves everything else
(built-ins, frozen or zipped modules, unreadable files) to PySide's own function.

PySide keeps the function in its private ``support.feature`` module, so this is guarded: with
another PySide6 layout nothing is changed and imports work exactly as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

_FEATURE_MODULES = ("PySide6.support.feature", "shibokensupport.feature")


def _feature_module() -> ModuleType | None:
    for name in _FEATURE_MODULES:
        module = sys.modules.get(name)
        if module is not None and callable(getattr(module, "_mod_uses_pyside", None)):
            return module
    return None


def lighten_pyside_import_hook() -> bool:
    """Install the byte-reading check (once). True when PySide's hook was found and lightened."""
    import PySide6.QtCore  # noqa: F401  (installs PySide's hook and its feature module)

    feature = _feature_module()
    if feature is None:
        return False
    original: Callable[[ModuleType], bool] = getattr(feature, "_mod_uses_pyside")  # noqa: B009
    if getattr(original, "dialdeck_light", False):
        return True
    setattr(feature, "_mod_uses_pyside", light_check(original))  # noqa: B010
    return True


def light_check(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as fh:
                    return b"PySide6" in fh.read()
            except OSError:
                pass
        return original(module)

    mod_uses_pyside.dialdeck_light = True  # type: ignore[attr-defined]
    return mod_uses_pyside
