"""Which addresses the client talks to: https, or plain http only on this machine."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from dialdeck.core.api.errors import InsecureUrlError


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """Normalise a base URL (path prefix allowed) and refuse plain http off this machine."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InsecureUrlError("The API address must look like https://api.clouddialer.in")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureUrlError()
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not a number: never equal to a real origin
        return parts.scheme, "", -1
    return (
        parts.scheme,
        (parts.hostname or "").lower(),
        port or {"https": 443, "http": 80}.get(parts.scheme),
    )
