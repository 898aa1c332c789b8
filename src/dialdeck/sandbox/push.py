"""The result push: POST the final call result to the integrator's callback URL, with retries.

Up to ``retries`` retries after the first attempt, exponential backoff (``base_delay`` doubled each
time, in sandbox seconds, so ``--speed`` shortens it too). A non-2xx answer or a timeout is retried.
The latest attempts (1000 by default) are recorded so integrators (and tests) can see exactly what
was sent.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

import httpx


@dataclass
class PushAttempt:
    uuid: str
    call_id: str
    url: str
    attempt: int  # 1 for the first try
    status_code: int | None
    error: str | None
    delivered: bool
    at: float  # unix time
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class ResultPusher:
    def __init__(
        self,
        *,
        retries: int = 3,
        base_delay: float = 1.0,
        speed: float = 1.0,
        timeout: float = 5.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        log_size: int = 1000,
    ) -> None:
        self.retries = retries
        self.base_delay = base_delay
        self.speed = speed
        self.timeout = timeout
        self._sleep = sleep
        self.attempts: deque[PushAttempt] = deque(maxlen=log_size)  # the most recent only
        self._tasks: set[asyncio.Task[bool]] = set()
        self._client: httpx.AsyncClient | None = None

    @property
    def busy(self) -> bool:
        """A delivery (or a retry's backoff) is still under way."""
        return bool(self._tasks)

    def submit(self, url: str, body: dict[str, Any]) -> None:
        """Start delivering in the background (must be called on the server's event loop)."""
        task = asyncio.get_running_loop().create_task(self.deliver(url, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver(self, url: str, body: dict[str, Any]) -> bool:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        for attempt in range(1, self.retries + 2):
            status: int | None = None
            error: str | None = None
            try:
                response = await self._client.post(url, json=body)
                status = response.status_code
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            delivered = status is not None and 200 <= status < 300
            self.attempts.append(
                PushAttempt(
                    body["uuid"],
                    body["call_id"],
                    url,
                    attempt,
                    status,
                    error,
                    delivered,
                    time.time(),
                    body,
                )
            )
            if delivered:
                return True
            if attempt <= self.retries:
                await self._sleep(self.base_delay * 2 ** (attempt - 1) / self.speed)
        return False

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
