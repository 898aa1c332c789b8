"""Every CloudDialer request path, in one place.

Paths marked *assumed* in ``shared/api-contract.md`` are not in the vendor's public reference;
if the real service differs, this is the only file to change.
"""

from urllib.parse import quote

from dialdeck.core.api.errors import Operation

CALLS = "/calls"
HEALTH = "/health"  # assumed


def call(call_id: str) -> str:
    return f"/calls/{quote(call_id, safe='')}"


def participants(call_id: str) -> str:
    return f"{call(call_id)}/participants"  # assumed


def operation(method: str, path: str) -> Operation:
    """Which operation a request to ``path`` (one built above) is, for wording its errors."""
    if method.upper() == "POST":
        return Operation.ADD_PARTICIPANT if path.endswith("/participants") else Operation.PLACE_CALL
    return Operation.HEALTH if path == HEALTH else Operation.CALL_STATUS
