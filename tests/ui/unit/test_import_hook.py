"""The lighter PySide import hook gives PySide the same answers without filling linecache."""

from __future__ import annotations

import linecache
import sys
import types
from pathlib import Path

import pytest

from dialdeck.ui import import_hook


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("dd_hook_uses_qt", "dd_hook_plain"):
        sys.modules.pop(name, None)


def test_same_answers_through_the_real_hook_and_no_source_kept(module_dir: Path) -> None:
    assert import_hook.lighten_pyside_import_hook()
    assert import_hook.lighten_pyside_import_hook()  # twice: still one wrapper
    feature = import_hook._feature_module()
    assert feature is not None
    wrapped = feature._mod_uses_pyside
    assert wrapped.dialdeck_light
    assert not getattr(wrapped.__closure__[0].cell_contents, "dialdeck_light", False)

    (module_dir / "dd_hook_uses_qt.py").write_text("import PySide6.QtCore\nX = 1\n")
    (module_dir / "dd_hook_plain.py").write_text("Y = 2\n")
    __import__("dd_hook_uses_qt")  # an import statement: through the replaced __import__
    __import__("dd_hook_plain")

    assert feature.pyside_feature_dict["dd_hook_uses_qt"] == 0  # uses PySide: features allowed
    assert feature.pyside_feature_dict["dd_hook_plain"] == -1  # ignored, as PySide decides
    assert not [name for name in linecache.cache if str(module_dir) in name]


def test_modules_without_a_readable_source_file_go_to_pysides_own_check(tmp_path: Path) -> None:
    asked: list[str] = []

    def original(module: types.ModuleType) -> bool:
        asked.append(module.__name__)
        return True

    check = import_hook.light_check(original)
    built_in = types.ModuleType("no_file")
    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "missing.py")
    compiled = types.ModuleType("compiled")
    compiled.__file__ = str(tmp_path / "ext.so")
    assert check(built_in) and check(gone) and check(compiled)
    assert asked == ["no_file", "gone", "compiled"]


def test_another_pyside_layout_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in import_hook._FEATURE_MODULES:
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))  # no _mod_uses_pyside
    assert import_hook.lighten_pyside_import_hook() is False
