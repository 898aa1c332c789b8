"""The import graph runs one way: ui -> session -> core; the sandbox and core never import the UI.

Read from the source with ``ast`` (imports inside functions count too: a lazy import is still an
arrow). ``TYPE_CHECKING`` imports count as well; they must point the same way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dialdeck"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


MODULES = {module_name(p): imports_of(p) for p in SRC.rglob("*.py")}

# layer -> what it may never import
FORBIDDEN = {
    "dialdeck.core": ("dialdeck.ui", "dialdeck.session", "dialdeck.sandbox", "dialdeck.app",
                      "dialdeck.platform", "PySide6"),
    "dialdeck.session": ("dialdeck.ui", "dialdeck.app", "PySide6"),
    "dialdeck.sandbox": ("dialdeck.ui", "dialdeck.session", "dialdeck.app", "PySide6"),
    "dialdeck.platform": ("dialdeck.ui", "dialdeck.session", "dialdeck.app"),
    "dialdeck.ui": ("dialdeck.app",),
}  # fmt: skip


def layer(module: str) -> str | None:
    for name in FORBIDDEN:
        if module == name or module.startswith(name + "."):
            return name
    return None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    where = layer(module)
    if where is None:
        return
    wrong = sorted(
        imported
        for imported in MODULES[module]
        for banned in FORBIDDEN[where]
        if imported == banned or imported.startswith(banned + ".")
    )
    assert not wrong, f"{module} ({where}) must not import {wrong}"


def test_widgets_do_not_import_controllers() -> None:
    """Widgets stay passive: only controllers (and the conductor) know about other controllers."""
    conductor = {"dialdeck.ui.controller", "dialdeck.ui.wiring"}
    controllers = {m for m in MODULES if m.endswith("_controller") or m in conductor}
    assert conductor <= controllers  # both exist: a rename must update this test
    for module, imported in MODULES.items():
        if module.startswith("dialdeck.ui.") and module not in controllers:
            assert not (imported & controllers), f"{module} imports {imported & controllers}"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.name)
def test_no_source_file_is_too_long(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(SRC)} has {lines} lines (max {MAX_LINES})"
