"""Reading answers off the wire defensively: strict JSON, bounded sizes, bounded decompression.

Whatever a server sends, the functions here either return a value or raise
:class:`MalformedResponseError` (parsing) or :class:`BodyError` (size or encoding while reading):
never ``OverflowError``, ``RecursionError`` or a ``ValueError`` the caller did not expect.
"""

from __future__ import annotations

import json
import math
from typing import Any

from dialdeck.core.api.errors import MalformedResponseError

MAX_JSON_DEPTH = 32
"""The API's deepest answer is 3 levels (call, legs, leg); anything far deeper is hostile."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as inf
        raise ValueError(f"number out of range: {text[:20]}")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(data: bytes, what: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Strict JSON: no NaN/Infinity, only finite numbers, nesting at most ``max_depth`` deep."""
    try:
        value = json.loads(data, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:  # json's C scanner recurses once per level
        raise MalformedResponseError(detail=f"{what}: JSON nested too deeply") from None
    except ValueError as exc:  # includes UnicodeDecodeError and over-long integers
        raise MalformedResponseError(detail=f"{what}: not JSON ({str(exc)[:120]})") from None
    if _depth_exceeds(value, max_depth):
        raise MalformedResponseError(detail=f"{what}: JSON nested deeper than {max_depth}")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Iterative, so a deep value cannot exhaust the stack while being checked."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
