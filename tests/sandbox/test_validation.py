"""The sandbox accepts exactly what its OpenAPI document allows: ASCII digits, no trailing junk."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dialdeck.sandbox import DEMO_AGENT, DEMO_API_KEY, SandboxServer
from dialdeck.sandbox.validation import UnsatisfiableRangeError, byte_range, is_number
from tests.sandbox.test_push import wait_for

AUTH = {"Authorization": f"Bearer {DEMO_API_KEY}"}
NOT_ASCII_NUMBERS = [
    "９８７６５４３２１０",  # full-width
    "९८७६५४३२१०",  # Devanagari
    "٩٨٧٦٥٤٣٢١٠",  # Arabic-Indic
    "+91۹۸۷۶۵۴۳۲۱۰",  # extended Arabic-Indic after an ASCII prefix
    "9876543210\n",  # `$` matches before a trailing newline
    "+919876543210\n",
    " 9876543210",
]


def call_body(**changes: Any) -> dict[str, Any]:
    body = {
        "from_number": "919800000000",
        "to_number": "9876543210",
        "uuid": "v-1",
        "crm_username": DEMO_AGENT,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize("number", NOT_ASCII_NUMBERS)
def test_numbers_must_be_ascii_digits(number: str) -> None:
    assert not is_number(number)


@pytest.mark.parametrize("number", ["9876543210", "+919876543210"])
def test_valid_numbers(number: str) -> None:
    assert is_number(number)


@pytest.mark.parametrize("number", NOT_ASCII_NUMBERS)
def test_call_with_non_ascii_number_is_400(sandbox: SandboxServer, number: str) -> None:
    for body in (
        call_body(to_number=number),
        call_body(crm_username=None, agent_number=number),
    ):
        response = httpx.post(f"{sandbox.url}/calls", json=body, headers=AUTH, timeout=5)
        assert response.status_code == 400, body
        assert "10 digits" in response.json()["message"]


@pytest.mark.parametrize("number", NOT_ASCII_NUMBERS)
def test_participant_with_non_ascii_number_is_400(sandbox: SandboxServer, number: str) -> None:
    accepted = httpx.post(f"{sandbox.url}/calls", json=call_body(), headers=AUTH, timeout=5)
    call_id = accepted.json()["call_id"]

    def live() -> bool:
        info = httpx.get(f"{sandbox.url}/calls/{call_id}", headers=AUTH, timeout=5).json()
        return bool(info["call_status"] == "ANSWER")

    wait_for(live)
    response = httpx.post(
        f"{sandbox.url}/calls/{call_id}/participants",
        json={"number": number},
        headers=AUTH,
        timeout=5,
    )
    assert response.status_code == 400
    assert "10 digits" in response.json()["message"]


@pytest.mark.parametrize(
    "spec", ["bytes=١٠٠-", "bytes=0-١٠", "bytes=-١٠", "bytes=１-2", "bytes=0-1\n", "bytes=0-1,3-4"]
)
def test_unusable_ranges_are_ignored(spec: str) -> None:
    # Non-ASCII digits cannot arrive over HTTP today (headers are latin-1), but the parser must
    # not rely on that. RFC 9110 lets a server ignore a Range it cannot use: the whole file.
    assert byte_range(spec, 1000) is None


@pytest.mark.parametrize(
    ("spec", "span"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=900-", (900, 999)),
        ("bytes=900-5000", (900, 999)),
        ("bytes=-10", (990, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=5-3", None),
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_byte_ranges(spec: str, span: tuple[int, int] | None) -> None:
    assert byte_range(spec, 1000) == span


@pytest.mark.parametrize("spec", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(spec: str) -> None:
    with pytest.raises(UnsatisfiableRangeError):
        byte_range(spec, 1000)
