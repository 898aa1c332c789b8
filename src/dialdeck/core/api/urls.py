"""Which addresses the client talks to: https, or plain http only on this machine."""

from __future__ import annotations

import ipaddress
import ssl
import unicodedata
from urllib.parse import urljoin, urlsplit

from dialdeck.core.api.errors import InsecureUrlError

INSECURE_RECORDING = (
    "The recording's address is not secure (plain http, or a redirect to it): Dialdeck downloads "
    "recordings only over https, because the address itself is what keeps them private."
)


def loopback_only_tls() -> ssl.SSLContext:
    """TLS settings for a client that only ever speaks plain http to this computer (the embedded
    sandbox and its controls): no CA store is loaded (1-3 MB per client), and since nothing is
    trusted, an https address fails verification: closed, never open."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and hostname checks by default


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """Normalise a base URL (path prefix allowed) and refuse anything that is not one.

    Every problem raises :class:`InsecureUrlError` with a message that says how to fix it, so a
    mistyped address in Settings is explained, never a crash.
    """
    import httpx  # lazy: the settings dialog validates as the agent types

    # Invisible marks copied with an address (zero-width spaces, direction marks) are dropped.
    text = "".join(ch for ch in base_url if unicodedata.category(ch) != "Cf").strip()
    example = "https://api.clouddialer.in"
    if not text:
        raise InsecureUrlError(f"Enter the API address, e.g. {example}")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise InsecureUrlError("The API address cannot contain spaces or line breaks.")
    if "://" not in text:
        host = text.split("/", 1)[0].rpartition(":")[0] or text.split("/", 1)[0]
        scheme = "http" if is_loopback_host(host.strip("[]")) else "https"
        raise InsecureUrlError(
            f"The API address must start with https:// (e.g. {scheme}://{text})"
            if scheme == "https"
            else f"The API address must start with http:// or https:// (e.g. http://{text})"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        port_text = text.split("://", 1)[1].split("/", 1)[0].rpartition(":")[2]
        if port_text.isdigit() and int(port_text[:9]) > 65535:
            raise InsecureUrlError(
                f"The port {port_text} does not exist: ports go from 1 to 65535."
            ) from None
        raise InsecureUrlError(
            f"This is not a web address. It should look like {example}"
        ) from None
    if port == 0:
        raise InsecureUrlError("The port 0 does not exist: ports go from 1 to 65535.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InsecureUrlError(f"The API address must look like {example}")
    if parts.username is not None or parts.password is not None:
        raise InsecureUrlError("Leave the user name and password out of the API address.")
    if parts.query or parts.fragment:
        raise InsecureUrlError(f"The API address ends at its path (no ? or #), e.g. {example}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureUrlError()
    normalised = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    try:
        httpx.URL(normalised + "/calls")  # what every request builds: must not raise later
    except (httpx.InvalidURL, ValueError):
        raise InsecureUrlError(
            f"This is not a web address. It should look like {example}"
        ) from None
    return normalised


def check_recording_url(url: str) -> None:
    """A recording URL is its own access control: never fetch it in clear off this machine."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        host = None
    if not host or parts.scheme not in ("https", "http"):
        raise InsecureUrlError(INSECURE_RECORDING, detail="recording URL is not http(s)")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InsecureUrlError(INSECURE_RECORDING, detail=f"plain http to {host}")


def join_url(base: str, reference: str) -> str:
    """``reference`` (a recording URL, a redirect's Location) resolved against ``base``."""
    try:
        return urljoin(base, reference)
    except ValueError:  # "http://[nope/" and the like
        raise InsecureUrlError(
            "The recording's address is not a valid web address.",
            detail="unreadable recording URL",
        ) from None


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
