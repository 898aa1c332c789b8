"""Reading answers off the wire defensively: strict JSON, bounded sizes, bounded decompression.

Whatever a server sends, the functions here either return a value or raise
:class:`MalformedResponseError` (parsing) or :class:`BodyError` (size or encoding while reading):
never ``OverflowError``, ``RecursionError`` or a ``ValueError`` the caller did not expect.
"""

from __future__ import annotations

import json
import math
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from dialdeck.core.api.errors import (
    ApiError,
    AuthError,
    ConflictError,
    ForbiddenError,
    HttpStatusError,
    MalformedResponseError,
    NotFoundError,
    Operation,
    RateLimitedError,
    ValidationError,
    bad_gateway,
)

if TYPE_CHECKING:
    import httpx

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


# -- reading bodies ------------------------------------------------------------------------------


class BodyError(Exception):
    """A body that was refused while reading it: too large, or an encoding we will not decode."""


class BodyDecoder:
    """Content-Encoding, decoded with a bound on the output of every step (no gzip bombs).

    httpx's own decoder inflates a whole network chunk at once: 64 KiB of gzip can become 64 MiB
    before anyone can count it. Here zlib never produces more than the caller has room for.
    """

    def __init__(self, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c not in ("", "identity")]
        if not codings:
            self._inflater = None
        elif codings in (["gzip"], ["x-gzip"], ["deflate"]):
            self._inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header
        else:
            raise BodyError(f"Content-Encoding {content_encoding[:40]!r} not accepted")

    def decode(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of ``data``; more than ``room`` of them means the caller must give up."""
        if self._inflater is None:
            return data
        try:
            return self._inflater.decompress(data, room + 1)  # at most room + 1 bytes out
        except zlib.error as exc:
            raise BodyError(f"bad compressed body ({exc})") from None

    def finish(self) -> None:
        if self._inflater is not None and not self._inflater.eof:
            raise BodyError("compressed body cut short")


async def read_body(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, read while streaming; :class:`BodyError` past ``cap`` bytes.

    Both the bytes on the wire and the decoded bytes are counted, so neither a huge plain body nor
    a small compressed one that inflates enormously is ever held in memory.
    """
    decoder = BodyDecoder(response.headers.get("content-encoding", ""))
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > cap:
        raise BodyError(f"body of {length} bytes announced, limit {cap}")
    received, body = 0, bytearray()
    async for chunk in response.aiter_raw():
        received += len(chunk)
        body += decoder.decode(chunk, cap - len(body))
        if received > cap or len(body) > cap:
            raise BodyError(f"body over the {cap}-byte limit")
    decoder.finish()
    return bytes(body)


async def read_error_body(response: httpx.Response, cap: int) -> bytes | None:
    """An error answer's body for its message, or ``None`` if it is too large or unreadable."""
    try:
        return await read_body(response, cap)
    except BodyError:
        return None


# -- error answers -------------------------------------------------------------------------------


def api_error_body(body: bytes | None) -> bool:
    """True for the API's own error shape, ``{"status": "error", "message": "…"}``.

    A proxy or load balancer in front of the API answers with HTML, an empty body or its own JSON:
    telling the two apart decides whether a POST certainly did nothing.
    """
    if body is None:
        return False
    try:
        value = parse_json(body, "error body")
    except MalformedResponseError:
        return False
    return (
        isinstance(value, dict)
        and value.get("status") == "error"
        and isinstance(value.get("message"), str)
    )


def server_reason(body: bytes | None) -> str | None:
    """The server's human message from ``{"message": …}``, if the body is that shape."""
    if body is None:
        return None
    try:
        value = parse_json(body, "error body")
    except MalformedResponseError:
        return None
    if isinstance(value, dict):
        for key in ("message", "error", "detail", "reason"):
            text = value.get(key)
            if isinstance(text, str) and text.strip():
                return text.strip()[:300]
    return None


MAX_RETRY_AFTER = 3600.0
"""A longer Retry-After is taken as this: a server cannot park a call or a download for days."""


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from ``now`` (RFC 9110: delay-seconds or an HTTP
    date), within 0 and :data:`MAX_RETRY_AFTER`; ``None`` when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        digits = text.lstrip("0") or "0"  # never int() of thousands of digits (ValueError)
        seconds = MAX_RETRY_AFTER if len(digits) > 7 else float(int(digits))
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # an HTTP date is always GMT
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def error_for_status(
    status: int,
    body: bytes | None,
    detail: str,
    operation: Operation,
    retry_after: float | None = None,
) -> ApiError:
    """The typed error for a non-success status (``body`` already read, within its cap), worded
    by the ``operation`` that failed: a 502 on a status poll is not "could not queue the call".
    ``retry_after`` (seconds) is kept for a 429 and for server trouble (503 usually says it)."""
    if status == 429:
        return RateLimitedError(retry_after, detail=detail)
    return keep_retry_after(_error_for_status(status, body, detail, operation), retry_after)


def keep_retry_after(error: ApiError, retry_after: float | None) -> ApiError:
    """Server trouble (5xx) keeps when the server said to ask again; a refusal does not."""
    if (error.status_code or 0) >= 500:
        error.retry_after = retry_after
    return error


def _error_for_status(
    status: int, body: bytes | None, detail: str, operation: Operation
) -> ApiError:
    reason = server_reason(body)
    if status == 400:
        return ValidationError(reason, detail=detail)
    simple: dict[int, type[ApiError]] = {
        401: AuthError,
        403: ForbiddenError,
        404: NotFoundError,
        409: ConflictError,
    }
    if status in simple:
        return simple[status](detail=detail)
    if status == 502:
        return bad_gateway(operation, detail=detail)
    return HttpStatusError(status, reason, detail=detail, operation=operation)
