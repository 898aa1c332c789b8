"""Async CloudDialer client on one long-lived ``httpx.AsyncClient``.

Safety rules that shape this module:

* ``POST`` requests place real phone calls: they are never retried. Once a POST may have left this
  machine, only the API's own documented refusal (its status code *and* its JSON error body), or
  a 429 (a rate limiter turns requests away unread), means "nothing happened"; any other end
  (timeout, cut or garbled answer, proxy page, undocumented status) raises
  :class:`OutcomeUnknownError` so the agent is told to check their phone.
* ``GET`` requests are retried with bounded exponential backoff and jitter on network errors and
  5xx, all within one overall deadline.
* Every request has a total deadline (httpx's timeouts are per read) and every body a size limit
  counted while streaming, compressed or not: see :class:`ClientLimits`.
* The bearer token only ever goes to the API's own origin; plain ``http://`` only to loopback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from dialdeck import __version__
from dialdeck.core.api import paths
from dialdeck.core.api.download import ProgressCallback, RecordingDownload
from dialdeck.core.api.errors import (
    ApiError,
    HttpStatusError,
    KeyFormatError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    Operation,
    OutcomeUnknownError,
    RequestTimeoutError,
)
from dialdeck.core.api.keys import api_key_problem
from dialdeck.core.api.limits import ClientLimits
from dialdeck.core.api.models import CallAccepted, CallInfo, CallRequest, ParticipantAdded
from dialdeck.core.api.urls import check_base_url, is_loopback_host, join_url, origin
from dialdeck.core.api.wire import (
    BodyError,
    api_error_body,
    error_for_status,
    parse_json,
    read_body,
    read_error_body,
    retry_after_seconds,
)
from dialdeck.core.audio import AudioInfo
from dialdeck.core.redact import redact_url

__all__ = [
    "DEFAULT_TIMEOUT",
    "ClientLimits",
    "CloudDialerClient",
    "ProgressCallback",
    "RetryPolicy",
    "check_base_url",
    "is_loopback_host",
]

log = logging.getLogger("dialdeck.api")
T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)

# The documented refusals of each POST: with the API's JSON error body, they mean "not placed".
CALL_REFUSALS = frozenset({400, 401, 403, 502})
PARTICIPANT_REFUSALS = CALL_REFUSALS | {404, 409}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter, for idempotent requests only."""

    attempts: int = 4  # total tries, first included
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        return float(rand() * min(self.max_delay, self.base_delay * (2**retry)))


class _SendWatch:
    """Whether a request may have left this machine, from httpcore's trace events.

    Without any event (a transport that does not trace) the answer is "maybe": assume it went.
    """

    def __init__(self) -> None:
        self.events = 0
        self.sending = False

    async def trace(self, name: str, info: dict[str, Any]) -> None:
        self.events += 1
        if name.endswith("send_request_headers.started"):
            self.sending = True

    @property
    def never_sent(self) -> bool:
        return self.events > 0 and not self.sending


def _success_json(body: bytes, what: str) -> Any:
    value = parse_json(body, what)
    if isinstance(value, dict) and value.get("status") == "error":
        raise MalformedResponseError(detail=f"{what}: status 'error' on a success code")
    return value


class CloudDialerClient:
    """All five CloudDialer operations. Create once, use for the app's lifetime, ``aclose()`` at exit."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limits: ClientLimits | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
        tls: ssl.SSLContext | None = None,  # None: httpx's default (certifi's CA store)
    ) -> None:
        self.base_url = check_base_url(base_url)
        if api_key is not None and (problem := api_key_problem(api_key)) is not None:
            raise KeyFormatError(problem)  # before any request: never a crash inside httpx
        self._api_key = api_key
        self._retry = retry or RetryPolicy()
        self.limits = limits or ClientLimits()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            timeout=timeout,
            headers={
                "User-Agent": f"Dialdeck/{__version__}",
                "Accept": "application/json",
                "Accept-Encoding": "gzip",  # only what wire.BodyDecoder inflates, bounded
            },
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
            transport=transport,
            follow_redirects=False,
            verify=tls if tls is not None else True,
        )

    def __repr__(self) -> str:  # never show the key
        return f"CloudDialerClient({self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> CloudDialerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the five operations -------------------------------------------------------------------

    async def initiate_call(self, request: CallRequest) -> CallAccepted:
        """Place a call. Never retried: see :class:`OutcomeUnknownError`."""
        return await self._post(
            paths.CALLS, request.to_json(), CallAccepted.from_json, CALL_REFUSALS
        )

    async def get_call(self, call_id: str) -> CallInfo:
        return CallInfo.from_json(await self._get(paths.call(call_id)))

    async def add_participant(
        self, call_id: str, number: str, max_ring_time: int | None = None
    ) -> ParticipantAdded:
        """Dial one more number into a live call. Never retried."""
        body: dict[str, Any] = {"number": number}
        if max_ring_time is not None:
            body["max_ring_time"] = max_ring_time
        return await self._post(
            paths.participants(call_id), body, ParticipantAdded.from_json, PARTICIPANT_REFUSALS
        )

    async def health(self) -> None:
        """Unauthenticated liveness check; raises if the service is not healthy."""
        body = await self._get(paths.HEALTH, auth=False)
        if not isinstance(body, dict) or body.get("status") != "success":
            raise MalformedResponseError(detail="health: status is not success")

    async def test_connection(self) -> None:
        """Prove the key without placing a call: health, then an authenticated GET of a random id.

        404 means the key was accepted; 401 raises :class:`AuthError`.
        """
        await self.health()
        try:
            await self.get_call(f"dialdeck-probe-{os.urandom(8).hex()}")
        except NotFoundError:
            return
        except HttpStatusError as exc:  # "Dialdeck keeps trying" is a poll's words, not a test's
            raise HttpStatusError(
                exc.status_code or 500, None, detail=exc.detail, operation=Operation.HEALTH
            ) from None

    async def download_recording(
        self, recording_url: str, dest: Path, *, progress: ProgressCallback | None = None
    ) -> AudioInfo:
        """Stream a recording to ``dest`` via ``dest.part``; resume with Range; verify; rename.

        A damaged result is deleted and :class:`RecordingInvalidError` raised: ``dest`` only ever
        exists as a complete, playable file. ``.part`` survives only an interruption that a later
        call can resume (network, timeout, 5xx); plain http off this machine, on the way or after a
        redirect, is :class:`InsecureUrlError`. See :mod:`dialdeck.core.api.download`.
        """
        download = RecordingDownload(
            self._http,
            join_url(self.base_url + "/", recording_url),
            dest,
            headers_for=self._headers_for,
            attempts=self._retry.attempts,
            delay=self._retry.delay,
            sleep=self._sleep,
            limits=self.limits,
            progress=progress,
        )
        return await download.run()

    # -- plumbing ------------------------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _headers_for(self, url: str) -> dict[str, str]:
        """The bearer token for the API's own origin, nothing for any other."""
        return self._auth_headers() if origin(url) == origin(self.base_url) else {}

    def _url(self, path: str) -> str:
        return self.base_url + path

    async def _exchange(
        self,
        method: str,
        path: str,
        *,
        auth: bool,
        body: dict[str, Any] | None = None,
        watch: _SendWatch | None = None,
    ) -> tuple[int, bytes | None, float | None]:
        """One request and its whole answer within the request deadline (``TimeoutError`` past it):
        status, body and the seconds of its ``Retry-After``, if any.

        A 200 body past ``max_json_bytes`` raises :class:`BodyError`; an error body that is too
        large or unreadable comes back as ``None``.
        """
        extensions = {"trace": watch.trace} if watch else None
        headers = self._auth_headers() if auth else {}
        async with (
            asyncio.timeout(self.limits.request_deadline),
            self._http.stream(
                method, self._url(path), json=body, headers=headers, extensions=extensions
            ) as response,
        ):
            if response.status_code == 200:
                return 200, await read_body(response, self.limits.max_json_bytes), None
            error_body = await read_error_body(response, self.limits.max_error_bytes)
            return (
                response.status_code,
                error_body,
                retry_after_seconds(response.headers.get("retry-after")),
            )

    async def _post(
        self,
        path: str,
        body: dict[str, Any],
        parse: Callable[[Any], T],
        refusals: frozenset[int],
    ) -> T:
        what, deadline = f"POST {path}", self.limits.request_deadline
        watch = _SendWatch()
        try:
            status, answer, retry_after = await self._exchange(
                "POST", path, auth=True, body=body, watch=watch
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Never reached the server: safe to say nothing happened.
            raise self._network_error(exc, what) from None
        except TimeoutError:
            if watch.never_sent:
                raise RequestTimeoutError(
                    detail=f"{what}: not even sent within {deadline:g}s"
                ) from None
            raise OutcomeUnknownError(
                detail=f"{what}: no complete answer within {deadline:g}s"
            ) from None
        except httpx.HTTPError as exc:
            if watch.never_sent:
                raise NetworkError(detail=f"{what}: {type(exc).__name__} before sending") from None
            raise OutcomeUnknownError(detail=f"{what}: {type(exc).__name__}") from None
        except BodyError as exc:
            raise OutcomeUnknownError(detail=f"{what}: HTTP 200, {exc}") from None
        if status == 200:
            assert answer is not None
            try:
                return parse(_success_json(answer, what))
            except MalformedResponseError as exc:
                raise OutcomeUnknownError(detail=f"{what}: HTTP 200 but {exc.detail}") from None
        # 429 is a refusal whoever sends it (the API or a gateway in front): a rate limiter
        # turns a request away before it is acted on, and says so with this code alone.
        if status == 429 or (status in refusals and api_error_body(answer)):
            raise error_for_status(
                status,
                answer,
                f"HTTP {status} for {what}",
                paths.operation("POST", path),
                retry_after,
            )
        # A proxy's page, a 5xx, a redirect: the request may well have been acted on.
        shape = "an API error body" if api_error_body(answer) else "no API error body"
        raise OutcomeUnknownError(detail=f"{what}: HTTP {status} with {shape}")

    def _network_error(self, exc: BaseException, what: str) -> NetworkError:
        """The network failed; when it is the API address's name that no DNS server knows (a
        typo in Settings, or no network at all), say that rather than blame the connection."""
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, socket.gaierror):
            cause = cause.__cause__ or cause.__context__
        host = httpx.URL(self.base_url).host
        if cause is None and is_loopback_host(host):  # a local server: not the internet
            return NetworkError(
                f"Nothing answered at {self.base_url} on this computer. "
                "Check that the server there is running, and the API address in Settings.",
                detail=f"{what}: {type(exc).__name__}",
            )
        if cause is None:
            return NetworkError(detail=f"{what}: {type(exc).__name__}")
        return NetworkError(
            f"The address {host} was not found. Check the API address in Settings, "
            "and that this computer is online.",
            detail=f"{what}: {type(exc).__name__} ({cause})",
        )

    async def _get(self, path: str, *, auth: bool = True) -> Any:
        try:
            async with asyncio.timeout(self.limits.get_deadline):
                return await self._get_with_retries(path, auth)
        except TimeoutError:
            raise RequestTimeoutError(
                detail=f"GET {path}: no answer within {self.limits.get_deadline:g}s, retries included"
            ) from None

    async def _get_with_retries(self, path: str, auth: bool) -> Any:
        what = f"GET {path}"
        for attempt in range(self._retry.attempts):
            last = attempt + 1 >= self._retry.attempts
            try:
                status, body, retry_after = await self._exchange("GET", path, auth=auth)
            except TimeoutError:
                error: ApiError = RequestTimeoutError(
                    detail=f"{what}: no complete answer within {self.limits.request_deadline:g}s"
                )
            except httpx.TimeoutException as exc:
                error = RequestTimeoutError(detail=f"{what}: {type(exc).__name__}")
            except httpx.HTTPError as exc:
                error = self._network_error(exc, what)
            except BodyError as exc:
                raise MalformedResponseError(detail=f"{what}: {exc}") from None
            else:
                if status == 200:
                    assert body is not None
                    return _success_json(body, what)
                error = error_for_status(
                    status,
                    body,
                    f"HTTP {status} for GET {redact_url(self._url(path))}",
                    paths.operation("GET", path),
                    retry_after,
                )
                if status < 500 or error.retry_after is not None:
                    raise error  # refused, or told when to ask again: not our quick retries
            if last:
                raise error
            delay = self._retry.delay(attempt)
            log.info("%s failed (%s); retry %d in %.2fs", what, error.detail, attempt + 1, delay)
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
