"""A small async client for the sandbox's ``/_sandbox/`` controls (used by the app's sandbox mode)."""

from __future__ import annotations

import ssl

import httpx


class SandboxControls:
    def __init__(self, base_url: str) -> None:
        # Plain http on loopback only: no CA store loaded (1-3 MB); https would fail, closed.
        no_trust = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._http = httpx.AsyncClient(base_url=base_url, timeout=5.0, verify=no_trust)

    async def hang_up(
        self, call_id: str, *, role: str | None = None, leg_id: int | None = None
    ) -> None:
        body: dict[str, object] = {"role": role} if role else {"leg_id": leg_id}
        response = await self._http.post(f"/_sandbox/calls/{call_id}/hangup", json=body)
        if response.status_code == 409:
            return  # already gone: nothing to do
        response.raise_for_status()

    async def aclose(self) -> None:
        await self._http.aclose()
