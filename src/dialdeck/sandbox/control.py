"""A small async client for the sandbox's ``/_sandbox/`` controls (used by the app's sandbox mode)."""

from __future__ import annotations

import ssl

import httpx


class SandboxControlError(Exception):
    """The simulator refused a control, or could not be reached; ``str()`` says which."""


class SandboxControls:
    def __init__(self, base_url: str) -> None:
        # Plain http on loopback only: no CA store loaded (1-3 MB); https would fail, closed.
        no_trust = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._http = httpx.AsyncClient(base_url=base_url, timeout=5.0, verify=no_trust)

    async def hang_up(
        self, call_id: str, *, role: str | None = None, leg_id: int | None = None
    ) -> None:
        body: dict[str, object] = {"role": role} if role else {"leg_id": leg_id}
        try:
            response = await self._http.post(f"/_sandbox/calls/{call_id}/hangup", json=body)
        except httpx.HTTPError as exc:
            raise SandboxControlError(
                f"The simulator did not answer ({type(exc).__name__})."
            ) from None
        if response.status_code == 409:
            return  # already gone: nothing to do
        if response.status_code == 404:
            raise SandboxControlError("The simulator does not know this call.")
        if response.is_error:
            raise SandboxControlError(f"The simulator refused (error {response.status_code}).")

    async def aclose(self) -> None:
        await self._http.aclose()
