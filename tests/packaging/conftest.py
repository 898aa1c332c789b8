"""Helpers for the packaging tests: packaging/metadata.py loaded from its path (the folder is not
a package, and its name is taken by the PyPI `packaging` library)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_metadata() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dialdeck_packaging_metadata", ROOT / "packaging" / "metadata.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
