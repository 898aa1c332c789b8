"""What the client is given as pasted: API keys and addresses cleaned of invisible marks, and
refused in words that say how to fix them, before any request (never a crash in httpx)."""

from __future__ import annotations

import pytest

from dialdeck.core.api import CloudDialerClient
from dialdeck.core.api.errors import InsecureUrlError, KeyFormatError
from dialdeck.core.api.keys import api_key_problem, clean_api_key
from dialdeck.core.api.urls import check_base_url


def test_a_key_is_cleaned_of_invisible_marks_and_refused_with_a_foreign_character() -> None:
    assert clean_api_key(" \ufeffsk-12\u200b3\u200e\n") == "sk-123"
    assert api_key_problem("sk-123_ABC.~!") is None
    assert "U+00E9" in (api_key_problem("clé") or "")
    assert "U+0020" in (api_key_problem("two words") or "")  # a space inside cannot be sent
    with pytest.raises(KeyFormatError, match=r"U\+00A0"):
        CloudDialerClient("https://api.example.in", "sk\u00a0123")  # never a crash in httpx


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("127.0.0.1:18765", "(e.g. http://127.0.0.1:18765)"),  # the local sandbox is http
        ("api.clouddialer.in", "(e.g. https://api.clouddialer.in)"),
        ("http://127.0.0.1:99999", "The port 99999 does not exist"),
        ("https://[::1", "This is not a web address"),
    ],
)
def test_an_address_typed_wrong_is_said_how_to_fix(typed: str, said: str) -> None:
    with pytest.raises(InsecureUrlError) as excinfo:
        check_base_url(typed)
    assert said in str(excinfo.value)


def test_invisible_marks_copied_with_an_address_are_dropped() -> None:
    assert check_base_url("\u200bhttps://api.clouddialer.in/\u200e") == "https://api.clouddialer.in"
