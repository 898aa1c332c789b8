from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from dialdeck.core.numbers import (
    DialNumber,
    InvalidNumber,
    check_dial_number,
    find_dial_number,
    parse_dial_number,
    strip_uri,
)

SAME_NUMBER = [
    "9876543210",
    "98765 43210",
    "98765-43210",
    "98765.43210",
    "(98765) 43210",
    "+91 98765 43210",
    "+91-98765-43210",
    "+919876543210",
    "919876543210",
    "91 98765 43210",
    "09876543210",
    "0 98765 43210",
    "0091 98765 43210",
    "+91 (0) 98765 43210",
    "tel:+91-98765-43210",
    "tel:+919876543210;ext=22",
    "TEL:+91 98765 43210",
    "callto:+919876543210",
    "callto://+919876543210",
    "  98765\u00a043210  ",
    "tel:%2B919876543210",
    "callto://+919876543210?type=phone",  # Skype-style query
    "callto:+919876543210?call",
    "\uff19\uff18\uff17\uff16\uff15 \uff14\uff13\uff12\uff11\uff10",  # full-width ９８７６５ ４３２１０
    "\uff0b\uff19\uff11 98765 43210",  # full-width ＋９１
    "\u096f\u096e\u096d\u096c\u096b \u096a\u0969\u0968\u0967\u0966",  # Devanagari ९८७६५ ४३२१०
    "\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661\u0660",  # Arabic-Indic
]


@pytest.mark.parametrize("text", SAME_NUMBER)
def test_formats_of_one_number_normalise_identically(text: str) -> None:
    number = parse_dial_number(text)
    assert number.national == "9876543210"
    assert number.e164 == "+919876543210"
    assert number.display == "+91 98765 43210"
    assert number.tel_uri == "tel:+919876543210"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a phone number"),
        ("   ", "Enter a phone number"),
        ("tel:", "The link has no number"),
        ("987654321", "Too short: 9 digits"),
        ("9", "Too short: 1 digit "),
        ("98765432101", "Too long: 11 digits"),
        ("+91 98765", "Too short: 5 digits"),
        ("+44 20 7946 0000", "Not an Indian number (+44, United Kingdom)"),
        ("+1 415 555 1234", "Not an Indian number (+1"),
        ("0044 20 7946 0000", "Not an Indian number (+44"),
        ("+999 1234", "Not an Indian number (unknown country code)"),
        ("98765abc10", "Only digits, spaces and + - . ( ) are allowed, not 'a' 'b' 'c'"),
        ("98765+43210", "A '+' can only come at the start"),
        ("5555555555", "No Indian number starts like 5555"),
        ("0000000000", "Not an Indian number (unknown country code)"),  # 00 = international
    ],
)
def test_invalid_input_gets_a_specific_message(text: str, message: str) -> None:
    with pytest.raises(InvalidNumber) as excinfo:
        parse_dial_number(text)
    assert str(excinfo.value).startswith(message.rstrip()) or message in str(excinfo.value)


def test_check_returns_problem_instead_of_raising() -> None:
    assert isinstance(check_dial_number("12"), InvalidNumber)
    assert isinstance(check_dial_number("9876543210"), DialNumber)


def test_strip_uri_keeps_plain_numbers_and_drops_parameters() -> None:
    assert strip_uri("tel:+91-98765-43210;phone-context=example.com") == "+91-98765-43210"
    assert strip_uri("98765 43210") == "98765 43210"


TEN_DIGIT_TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.UAN,
]


@pytest.mark.parametrize("number_type", TEN_DIGIT_TYPES)
def test_libphonenumber_example_numbers_are_accepted(number_type: PhoneNumberType) -> None:
    example = phonenumbers.example_number_for_type("IN", number_type)
    national = str(example.national_number)
    assert len(national) == 10
    for text in (
        national,
        "0" + national,
        phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL),
        phonenumbers.format_number(example, PhoneNumberFormat.RFC3966),
    ):
        number = parse_dial_number(text)
        assert number.national == national
        assert number.display == phonenumbers.format_number(
            example, PhoneNumberFormat.INTERNATIONAL
        )


@pytest.mark.parametrize("number_type", [PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST])
def test_example_numbers_longer_than_ten_digits_are_refused_with_length(
    number_type: PhoneNumberType,
) -> None:
    example = phonenumbers.example_number_for_type("IN", number_type)
    with pytest.raises(InvalidNumber, match="Too long"):
        parse_dial_number(phonenumbers.format_number(example, PhoneNumberFormat.E164))


def _valid_national() -> st.SearchStrategy[str]:
    digits = st.text("0123456789", min_size=9, max_size=9)
    return st.builds(lambda first, rest: first + rest, st.sampled_from("6789"), digits).filter(
        lambda n: phonenumbers.is_valid_number(phonenumbers.parse("+91" + n))
    )


SEPARATORS = st.sampled_from(["", " ", "-", ".", " - ", "\u00a0"])


@given(
    national=_valid_national(),
    prefix=st.sampled_from(["", "0", "91", "+91", "+91 ", "0091", "tel:+91", "+91 (0)"]),
    seps=st.lists(SEPARATORS, min_size=10, max_size=10),
)
def test_any_decoration_of_a_valid_number_gives_the_same_number(
    national: str, prefix: str, seps: list[str]
) -> None:
    decorated = prefix + "".join(d + s for d, s in zip(national, seps, strict=True))
    number = parse_dial_number(decorated)
    assert number.national == national
    # The readable form feeds back into the pipeline unchanged (idempotent).
    assert parse_dial_number(number.display) == number
    assert parse_dial_number(number.e164) == number


@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(text: str) -> None:
    result = check_dial_number(text)
    if isinstance(result, DialNumber):
        assert len(result.national) == 10
        assert result.national.isdigit()
    else:
        assert str(result)  # always a message for the agent


# -- one parser for links, invisible characters, two numbers at once (field report) ------------


@pytest.mark.parametrize(
    "text",
    [
        "tel:812-345-6789;phone-context=+1",  # a US local number: never +91 81234 56789
        "TEL:812-345-6789;phone-context=+1",
        " tel:812-345-6789;phone-context=+44 ",
    ],
)
def test_links_mean_the_same_everywhere(text: str) -> None:
    from dialdeck.core.tel_uri import InvalidLink, parse_link

    result = check_dial_number(text)
    assert isinstance(result, InvalidNumber)
    assert "another country" in str(result)
    with pytest.raises(InvalidLink):
        parse_link(text)


@pytest.mark.parametrize(
    "text",
    [
        "\u202a+91 98765 43210\u202c",  # LRE … PDF around a number copied from WhatsApp
        "\u200e+91 98765 43210\u200e",  # left-to-right marks (Outlook)
        "98765\u200b43210",  # zero-width space
        "\ufeff9876543210",  # byte-order mark at the start of a pasted file line
        "\u2066+91-98765-43210\u2069",  # isolates
        "98765\u00ad43210",  # soft hyphen
        "tel:\u200e+919876543210",
    ],
)
def test_invisible_marks_are_ignored(text: str) -> None:
    assert parse_dial_number(text) == parse_dial_number("9876543210")


@pytest.mark.parametrize(
    "text",
    [
        "98765 43210, 91234 56789",
        "9876543210 9123456789",
        "9876543210\n9123456789",
        "+91 98765 43210; +91 91234 56789",
        "98765 43210 / 91234 56789",
    ],
)
def test_two_numbers_pasted_at_once_are_named_as_two(text: str) -> None:
    result = check_dial_number(text)
    assert isinstance(result, InvalidNumber)
    assert "two numbers" in str(result)
    assert "+91 98765 43210" in str(result) and "+91 91234 56789" in str(result)


def test_one_long_number_is_still_too_long() -> None:
    assert "Too long" in str(check_dial_number("98765 43210 98765"))


@pytest.mark.parametrize(
    ("text", "national"),
    [
        ("Call Asha on  098765-43210 ", "9876543210"),
        ("Customer: Ravi, mobile +91 98765 40000 (call after 5)", "9876540000"),
        ("ring 98765 43210 again: 9876543210", "9876543210"),  # the same number twice is one
        ("Office\u00a0022 2345 6789, ext. 4", "2223456789"),
        ("no number here", None),
        ("order 12345 at 5pm", None),
        ("98765 43210 or 91234 56789", None),  # two to choose from: not guessed
        ("+1 650 253 0000", None),  # not an Indian number
    ],
)
def test_find_the_one_number_in_a_selection(text: str, national: str | None) -> None:
    found = find_dial_number(text)
    assert (found.national if found else None) == national


@given(st.text(max_size=200))
def test_finding_a_number_in_any_text_never_fails(text: str) -> None:
    found = find_dial_number(text)
    assert found is None or parse_dial_number(found.display) == found


def test_a_long_paste_is_answered_at_once() -> None:
    """5,000 characters of junk (a mis-pasted document): the answer must not take seconds on the
    GUI thread. The "two numbers?" search tried every split point, so its time grew with the
    square of the length."""
    import time

    junk = ("ab12" * 2_500)[:10_000]
    started = time.perf_counter()
    for _ in range(3):  # as often as the dialer asks per change
        assert isinstance(check_dial_number(junk), InvalidNumber)
    assert time.perf_counter() - started < 0.25


def test_bad_characters_are_named_in_the_order_they_appear() -> None:
    assert str(check_dial_number("98765 43210 ext. 12")).endswith("not 'e' 'x' 't'")
