"""The CloudDialer API: client, typed models and errors.

Names are imported lazily (PEP 562) so that widgets can use the models and errors without
pulling in httpx before the window is on screen.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dialdeck.core.api.client import (
        CloudDialerClient,
        RetryPolicy,
    )
    from dialdeck.core.api.errors import (
        ApiError,
        AuthError,
        ConflictError,
        ForbiddenError,
        HttpStatusError,
        InsecureUrlError,
        MalformedResponseError,
        NetworkError,
        NotFoundError,
        OutcomeUnknownError,
        PlatformError,
        RateLimitedError,
        RecordingInvalidError,
        RequestTimeoutError,
        ValidationError,
    )
    from dialdeck.core.api.limits import ClientLimits
    from dialdeck.core.api.models import (
        CallAccepted,
        CallInfo,
        CallRequest,
        CallStatus,
        Leg,
        LegRole,
        LegStatus,
        ParticipantAdded,
    )

_WHERE = {
    "ClientLimits": "limits",
    "CloudDialerClient": "client",
    "RetryPolicy": "client",
    "ApiError": "errors",
    "AuthError": "errors",
    "ConflictError": "errors",
    "ForbiddenError": "errors",
    "HttpStatusError": "errors",
    "InsecureUrlError": "errors",
    "MalformedResponseError": "errors",
    "NetworkError": "errors",
    "NotFoundError": "errors",
    "OutcomeUnknownError": "errors",
    "PlatformError": "errors",
    "RateLimitedError": "errors",
    "RecordingInvalidError": "errors",
    "RequestTimeoutError": "errors",
    "ValidationError": "errors",
    "CallAccepted": "models",
    "CallInfo": "models",
    "CallRequest": "models",
    "CallStatus": "models",
    "Leg": "models",
    "LegRole": "models",
    "LegStatus": "models",
    "ParticipantAdded": "models",
}
__all__ = [
    "ApiError",
    "AuthError",
    "CallAccepted",
    "CallInfo",
    "CallRequest",
    "CallStatus",
    "ClientLimits",
    "CloudDialerClient",
    "ConflictError",
    "ForbiddenError",
    "HttpStatusError",
    "InsecureUrlError",
    "Leg",
    "LegRole",
    "LegStatus",
    "MalformedResponseError",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "ParticipantAdded",
    "PlatformError",
    "RateLimitedError",
    "RecordingInvalidError",
    "RequestTimeoutError",
    "RetryPolicy",
    "ValidationError",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
