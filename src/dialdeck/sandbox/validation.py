"""Request checks for the simulated API, exactly as strict as ``resources/openapi.json``.

Patterns use ``[0-9]`` and ``fullmatch``: Python's ``\\d`` also matches full-width, Devanagari and
Arabic-Indic digits, and ``$`` matches before a trailing newline, so neither matches the schema.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeGuard

from starlette.requests import Request
from starlette.responses import JSONResponse

from dialdeck.sandbox.config import Account

NUMBER = re.compile(r"[0-9]{10}|\+91[0-9]{10}")
NUMBER_RULE = "10 digits or +91 followed by 10 digits"
RING_TIME_RANGE = (5, 120)
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"status": "error", "message": message}, status_code=status, headers=headers
    )


def is_number(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and NUMBER.fullmatch(value) is not None


async def json_object(request: Request) -> dict[str, Any] | JSONResponse:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return error(400, "Body must be JSON")
    if not isinstance(body, dict):
        return error(400, "Body must be a JSON object")
    return body


def ring_time(body: dict[str, Any]) -> int | str:
    value = body.get("max_ring_time", 30)
    if not isinstance(value, int) or isinstance(value, bool):
        return "max_ring_time must be an integer"
    low, high = RING_TIME_RANGE
    if not low <= value <= high:
        return f"max_ring_time must be between {low} and {high} seconds"
    return value


def validate_call(body: dict[str, Any], account: Account) -> dict[str, Any] | str:
    """The engine's arguments for ``POST /calls``, or the reason for a 400."""
    for key in ("from_number", "to_number", "uuid"):
        if key not in body:
            return f"{key} is required"
    for key in ("from_number", "to_number", "uuid", "crm_username", "agent_number"):
        if key in body and (not isinstance(body[key], str) or not body[key]):
            return f"{key} must be a non-empty string"
    if not is_number(body["to_number"]):
        return f"to_number must be {NUMBER_RULE}"
    if body["from_number"] not in account.caller_ids:
        return "Unrecognised caller ID: from_number is not assigned to this account"
    crm, agent_number = body.get("crm_username"), body.get("agent_number")
    if (crm is None) == (agent_number is None):
        return "Give exactly one of crm_username and agent_number"
    if crm is not None and crm not in account.agents:
        return "Unknown agent: crm_username is not registered"
    if agent_number is not None and not is_number(agent_number):
        return f"agent_number must be {NUMBER_RULE}"
    recording = body.get("recording", True)
    if not isinstance(recording, bool):
        return "recording must be true or false"
    ring = ring_time(body)
    if isinstance(ring, str):
        return ring
    return {
        "from_number": body["from_number"],
        "to_number": body["to_number"],
        "uuid": body["uuid"],
        "crm_username": crm,
        "agent_number": agent_number,
        "recording": recording,
        "max_ring_time": ring,
    }


class UnsatisfiableRangeError(Exception):
    """A well-formed single byte range that starts beyond the end: 416."""


def byte_range(spec: str, size: int) -> tuple[int, int] | None:
    """``Range: bytes=a-b`` (or ``a-`` or ``-n``) as inclusive offsets.

    None means "serve the whole file": RFC 9110 lets a server ignore a Range it cannot use
    (another unit, several ranges, bad syntax, last before first). Only a well-formed range that
    cannot be satisfied raises :class:`UnsatisfiableRangeError` (416).
    """
    match = _RANGE.fullmatch(spec.strip(" \t"))
    if not match or not (match[1] or match[2]):
        return None
    first, last = match[1], match[2]
    if first:
        start = int(first)
        if last and int(last) < start:
            return None
        if start >= size:
            raise UnsatisfiableRangeError
        return start, min(int(last), size - 1) if last else size - 1
    length = int(last)  # suffix range: the last N bytes
    if length == 0:
        raise UnsatisfiableRangeError
    return max(0, size - length), size - 1
