"""One exception type per meaning, each with a message an agent can act on.

``str(error)`` is always the plain-language message; ``error.detail`` keeps technical context for
the log (never the API key, never a full recording URL).
"""

from __future__ import annotations

from enum import StrEnum


class Operation(StrEnum):
    """What the client was doing when the server answered with an error: it decides the words."""

    PLACE_CALL = "place a call"
    CALL_STATUS = "get a call's status"
    ADD_PARTICIPANT = "add a participant"
    DOWNLOAD = "download a recording"
    HEALTH = "check the service"


# 5xx: what broke, and what happens next, by operation. ``{code}`` is the status code.
_SERVER_TROUBLE = {
    Operation.PLACE_CALL: "CloudDialer had a problem (error {code}). Try again in a moment.",
    Operation.CALL_STATUS: (
        "CloudDialer's status service is having trouble (error {code}); Dialdeck keeps trying."
    ),
    Operation.ADD_PARTICIPANT: (
        "CloudDialer had a problem adding the participant (error {code}). "
        "The call goes on; try again in a moment."
    ),
    Operation.DOWNLOAD: (
        "The recording server is having trouble (error {code}); "
        "Dialdeck will try the download again."
    ),
    Operation.HEALTH: "CloudDialer's service is having trouble (error {code}). Try again in a moment.",
}

# 502 on a status poll or a download is a proxy or gateway in trouble, not a refused call.
_BAD_GATEWAY = {
    Operation.CALL_STATUS: "CloudDialer's status service is having trouble; Dialdeck keeps trying.",
    Operation.DOWNLOAD: (
        "The recording server is having trouble; Dialdeck will try the download again."
    ),
    Operation.HEALTH: "CloudDialer's service is having trouble. Try again in a moment.",
}


class ApiError(Exception):
    """Base class: anything that went wrong talking to CloudDialer."""

    message = "Something went wrong talking to CloudDialer."
    status_code: int | None = None
    # Seconds the server asked us to wait before asking again (its Retry-After), if it said.
    retry_after: float | None = None

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        super().__init__(message or self.message)
        self.detail = detail

    @property
    def user_message(self) -> str:
        return str(self)


class ValidationError(ApiError):
    """400: the server rejected the request; its reason is in the message."""

    status_code = 400
    message = "CloudDialer rejected the request."

    def __init__(self, reason: str | None = None, *, detail: str = "") -> None:
        self.reason = reason or ""
        text = f"CloudDialer rejected the request: {reason}" if reason else self.message
        super().__init__(text, detail=detail)


class AuthError(ApiError):
    status_code = 401
    message = "CloudDialer did not accept the API key. Open Settings and check the key."


class ForbiddenError(ApiError):
    status_code = 403
    message = (
        "CloudDialer does not allow calls from this network for your account. "
        "Ask your administrator to allow it."
    )


class NotFoundError(ApiError):
    status_code = 404
    message = "CloudDialer does not know this call or recording."


class ConflictError(ApiError):
    status_code = 409
    message = "The call is no longer live, so nobody can be added to it."


class KeyFormatError(ApiError):
    """The API key has a character no HTTP header can carry (see ``keys.py``)."""

    message = "The API key has a character that cannot be part of a key. Enter it again."


class PlatformError(ApiError):
    """502 to a request that asks the platform to dial: placing a call or adding a participant."""

    status_code = 502
    message = "The telephony platform could not queue the call. Try again in a moment."


class RateLimitedError(ApiError):
    """429: CloudDialer (or a gateway in front of it) asks for fewer requests."""

    status_code = 429
    message = "CloudDialer asked Dialdeck to slow down (too many requests)."

    def __init__(self, retry_after: float | None = None, *, detail: str = "") -> None:
        text = self.message
        if retry_after is not None:
            text += f" It asked for a pause of {_seconds(retry_after)}."
        super().__init__(text, detail=detail)
        self.retry_after = retry_after


def _seconds(value: float) -> str:
    whole = max(1, round(value))
    if whole < 120:
        return f"{whole} seconds" if whole != 1 else "1 second"
    return f"{round(whole / 60)} minutes"


class HttpStatusError(ApiError):
    """Any other non-success status, worded by the operation that failed when it is known."""

    def __init__(
        self,
        status_code: int,
        reason: str | None = None,
        *,
        detail: str = "",
        operation: Operation | None = None,
    ) -> None:
        self.status_code = status_code
        self.operation = operation
        if status_code == 502 and operation in _BAD_GATEWAY:
            text = _BAD_GATEWAY[operation]
        elif status_code >= 500:
            text = _SERVER_TROUBLE[operation or Operation.PLACE_CALL].format(code=status_code)
        else:
            text = f"CloudDialer answered with error {status_code}."
        if reason:
            text += f" It said: {reason}"
        super().__init__(text, detail=detail)


def bad_gateway(operation: Operation, *, detail: str = "") -> ApiError:
    """A 502, worded by what failed: only a request to dial is "could not queue"."""
    if operation is Operation.PLACE_CALL:
        return PlatformError(detail=detail)
    if operation is Operation.ADD_PARTICIPANT:
        return PlatformError(
            "The telephony platform could not add the participant. "
            "The call goes on; try again in a moment.",
            detail=detail,
        )
    return HttpStatusError(502, detail=detail, operation=operation)


class RequestTimeoutError(ApiError):
    message = "CloudDialer did not answer in time. Check your network and try again."


class OutcomeUnknownError(ApiError):
    """The request was sent but no answer came back: it may or may not have taken effect.

    Raised only for requests that are never retried (placing a call, adding a participant).
    """

    message = (
        "No answer from CloudDialer: the call may or may not have been placed. "
        "Check your phone before dialling again."
    )


class NetworkError(ApiError):
    message = "Cannot reach CloudDialer. Check your internet connection."


class MalformedResponseError(ApiError):
    message = "CloudDialer sent an answer Dialdeck could not understand. Try again in a moment."


class RecordingInvalidError(ApiError):
    message = "The downloaded recording is not playable audio."


class InsecureUrlError(ApiError):
    message = (
        "The API address must start with https:// (plain http is only allowed on this computer)."
    )
