"""API keys as pasted: cleaned of what copying adds, refused when they cannot be sent.

A key travels in an HTTP header, which carries only visible ASCII. A zero-width space or a
direction mark copied with it from a web page or a chat is invisible in a password field; sent
as is, it failed deep inside httpx (a crash); now it is dropped. Anything else outside visible
ASCII cannot be part of a key: it is refused with its name, before any request.
"""

from __future__ import annotations

import unicodedata


def clean_api_key(text: str) -> str:
    """Surrounding blanks and invisible format marks (zero-width, BOM, direction) dropped."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def api_key_problem(key: str) -> str | None:
    bad = next((ch for ch in key if not "!" <= ch <= "~"), None)
    if bad is None:
        return None
    name = unicodedata.name(bad, "a control character").lower()
    return (
        f"The API key cannot contain {name} (U+{ord(bad):04X}): a key is letters, digits and "
        "symbols only. Copy it again from your CloudDialer account and paste it here."
    )
