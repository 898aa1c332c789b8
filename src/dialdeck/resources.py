"""Find files in ``resources/``: inside the wheel (``dialdeck/_resources``) or the source tree."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parents[1] / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("Dialdeck's resources folder is missing from this installation")


def resource_path(name: str) -> Path:
    return resources_dir() / name
