"""One exception type per meaning, each with a message an agent can act on.

``str(error)`` is always the plain-language message; ``error.detail`` keeps technical context for
the log (never the API key, never a full recording URL).
"""

from __future__ import annotations


class ApiError(Exception):
    """Base class: anything that went wrong talking to CloudDialer."""

    message = "Something went wrong talking to CloudDialer."
    status_code: int | None = None

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


class PlatformError(ApiError):
    status_code = 502
    message = "The telephony platform could not queue the call. Try again in a moment."


class HttpStatusError(ApiError):
    """Any other non-success status."""

    def __init__(self, status_code: int, reason: str | None = None, *, detail: str = "") -> None:
        self.status_code = status_code
        if status_code >= 500:
            text = f"CloudDialer had a problem (error {status_code}). Try again in a moment."
        else:
            text = f"CloudDialer answered with error {status_code}."
        if reason:
            text += f" It said: {reason}"
        super().__init__(text, detail=detail)


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
