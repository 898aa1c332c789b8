"""Keep secrets out of logs: API keys and private recording URLs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\"]+")
_RECORDING = re.compile(r"(?i)(/recordings/)[^\s'\"?#]+")


def redact_url(url: str) -> str:
    """``https://host/recordings/crm_secret.wav`` -> ``https://host/recordings/…`` (host kept)."""
    parts = urlsplit(url)
    path = _RECORDING.sub(r"\1…", parts.path)
    if path == parts.path and "/" in path.strip("/"):
        path = path.rsplit("/", 1)[0] + "/…"
    return f"{parts.scheme}://{parts.netloc}{path}" if parts.netloc else path


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove bearer tokens, recording names and any known secret from free text."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    text = _BEARER.sub(r"\1[redacted]", text)
    return _RECORDING.sub(r"\1…", text)
