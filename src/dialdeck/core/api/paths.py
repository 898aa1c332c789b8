"""Every CloudDialer request path, in one place.

Paths marked *assumed* in ``shared/api-contract.md`` are not in the vendor's public reference;
if the real service differs, this is the only file to change.
"""

from urllib.parse import quote

CALLS = "/calls"
HEALTH = "/health"  # assumed


def call(call_id: str) -> str:
    return f"/calls/{quote(call_id, safe='')}"


def participants(call_id: str) -> str:
    return f"{call(call_id)}/participants"  # assumed
