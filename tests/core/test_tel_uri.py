"""RFC 3966 tel: and callto: links."""

from __future__ import annotations

import re

import pytest

from dialdeck.core.tel_uri import InvalidLink, is_link, number_from_args, parse_link


@pytest.mark.parametrize(
    ("uri", "national", "ext"),
    [
        ("tel:+919876543210", "9876543210", None),
        ("tel:+91-98765-43210", "9876543210", None),
        ("tel:+91.98765.43210", "9876543210", None),
        ("tel:+91(98765)43210", "9876543210", None),
        ("TEL:+919876543210", "9876543210", None),
        ("tel:+919876543210;ext=22", "9876543210", "22"),
        ("tel:+91-98765-43210;ext=22;isub=abc", "9876543210", "22"),
        ("tel:09876543210;phone-context=+91", "9876543210", None),
        ("tel:98765-43210;phone-context=example.com", "9876543210", None),
        ("tel:9876543210", "9876543210", None),  # lenient: local number without context
        ("tel:%2B919876543210", "9876543210", None),
        ("tel:+91 98765 43210", "9876543210", None),  # spaces: not RFC, but CRMs send them
        ("callto:+919876543210", "9876543210", None),
        ("callto://+919876543210", "9876543210", None),
        ("callto:98765 43210", "9876543210", None),
    ],
)
def test_valid_links(uri: str, national: str, ext: str | None) -> None:
    link = parse_link(uri)
    assert link.number.national == national
    assert link.extension == ext


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("tel:", "no number"),
        ("tel:;ext=1", "no number"),
        ("mailto:x@y", "Not a tel: or callto: link"),
        ("9876543210", "Not a tel: or callto: link"),
        ("tel:abc", "characters a tel: link cannot contain"),
        ("tel:+44-20-7946-0000", "Not an Indian number (+44"),
        ("tel:7946000000;phone-context=+44", "another country (+44)"),
        ("tel:*123#", "Service codes"),
        ("tel:+91987;ext=1", "Too short"),
        ("tel:+919876543210;=x", "malformed parameter"),
    ],
)
def test_invalid_links(uri: str, message: str) -> None:
    with pytest.raises(InvalidLink, match=re.escape(message)):
        parse_link(uri)


def test_link_detection_and_args() -> None:
    assert is_link("tel:+91")
    assert is_link(" Callto:x")
    assert not is_link("9876543210")
    assert number_from_args(["--home", "/x", "tel:+919876543210"]) == "tel:+919876543210"
    assert number_from_args(["--sandbox", "98765 43210"]) == "98765 43210"
    assert number_from_args(["--sandbox"]) is None
