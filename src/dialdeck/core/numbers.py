"""The one number pipeline: whatever an agent types, pastes or clicks becomes a dialable number.

Every entry point (keypad, paste, clipboard, ``tel:`` link, tray, command line) calls
:func:`parse_dial_number`. Validity comes from Google's libphonenumber data (``phonenumbers``);
the only rule of our own is CloudDialer's: a customer number is 10 national digits (India).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import unquote

INDIA_CODE = 91
NATIONAL_DIGITS = 10

# Visual separators people type or paste: RFC 3966 allows - . ( ); humans add spaces, slashes and
# the odd non-breaking or thin space copied from a web page.
_SEPARATORS = re.compile(r"[\s\-.()/\[\]\u00a0\u2007\u2009\u202f\u2010-\u2015]")
_URI_SCHEME = re.compile(r"^\s*(tel|callto|sip|phone)\s*:\s*(//)?", re.IGNORECASE)


def _phonenumbers() -> ModuleType:
    """libphonenumber's data, loaded on the first real number (keeps it off the start-up path)."""
    import phonenumbers

    return phonenumbers


class InvalidNumber(ValueError):
    """The input is not a dialable Indian number; ``str(error)`` says why, for the agent."""


@dataclass(frozen=True, slots=True)
class DialNumber:
    """A validated Indian number."""

    national: str  # 10 digits, the form CloudDialer's ``to_number`` accepts
    display: str  # readable, e.g. "+91 98765 43210"

    @property
    def e164(self) -> str:
        return f"+{INDIA_CODE}{self.national}"

    @property
    def tel_uri(self) -> str:
        return f"tel:{self.e164}"

    def __str__(self) -> str:
        return self.display


def strip_uri(text: str) -> str:
    """Drop a ``tel:``/``callto:`` scheme and RFC 3966 parameters (``;ext=…``, ``;phone-context=…``)."""
    text = unquote(text.strip())
    match = _URI_SCHEME.match(text)
    if match:
        text = text[match.end() :]
        text = text.split(";", 1)[0].split("?", 1)[0].split("@", 1)[0]
    return text.strip()


def _national_digits(cleaned: str) -> str:
    """Strip the country code or trunk prefix; raise for another country's code."""
    international = cleaned.startswith(("+", "00"))
    digits = cleaned.lstrip("+")
    if international:
        if digits.startswith("00"):
            digits = digits[2:]
        if not digits:
            raise InvalidNumber("Enter the number after the country code")
        pn = _phonenumbers()
        try:
            parsed = pn.parse("+" + digits, None)
        except pn.NumberParseException:
            parsed = None
        if parsed is None or parsed.country_code != INDIA_CODE:
            if digits.startswith("91"):
                parsed = None  # "+91" followed by too few digits: a length problem, said below
            elif parsed is None:
                raise InvalidNumber("Not an Indian number (unknown country code)")
            else:
                # Lazy: the geocoder's data costs ~0.3 s to import, only needed for this message.
                from phonenumbers import geocoder

                name = geocoder.country_name_for_number(parsed, "en")
                where = f"+{parsed.country_code}" + (f", {name}" if name else "")
                raise InvalidNumber(
                    f"Not an Indian number ({where}); only +91 numbers can be dialled"
                )
        digits = digits[2:]
        if digits.startswith("0") and len(digits) == NATIONAL_DIGITS + 1:
            digits = digits[1:]  # "+91 (0) 98765 43210" as printed on some letterheads
        return digits
    if len(digits) == NATIONAL_DIGITS + 2 and digits.startswith("91"):
        return digits[2:]
    if len(digits) == NATIONAL_DIGITS + 1 and digits.startswith("0"):
        return digits[1:]  # leading trunk 0
    return digits


def search_digits(text: str) -> str:
    """The digits of a whole or partial number as the history stores them (national digits,
    no separators), for searching: "+91 98765 444", "0091 98765-444" and "098765 444" all give
    "98765444". The country code goes only when written as one (+91, 0091); a trunk 0 only in
    front of at least three more digits and not as "00" (a search for "0000" stays as typed)."""
    cleaned = _SEPARATORS.sub("", strip_uri(remove_invisible(text)))
    digits = "".join(ch for ch in cleaned if ch.isdigit())
    if cleaned.startswith("+"):
        return digits[2:] if digits.startswith("91") else digits
    if cleaned.startswith("0091"):
        return digits[4:]
    if len(digits) > NATIONAL_DIGITS:
        return digits[-NATIONAL_DIGITS:]
    if len(digits) >= 4 and digits.startswith("0") and not digits.startswith("00"):
        return digits[1:]
    return digits


def remove_invisible(text: str) -> str:
    """Text as the number rules read it: Unicode format characters dropped (direction marks and
    embeddings, U+200E, U+202A…U+202E, U+2066…U+2069, that WhatsApp and Outlook wrap numbers in,
    zero-width spaces and joiners, byte-order marks, soft hyphens: invisible, so an agent cannot
    see what is wrong), full-width forms folded (NFKC: "９８７６５", "＋91"), and every script's
    digits read as digits (Devanagari "९८७६५", Arabic-Indic "٩٨٧٦٥")."""
    folded = unicodedata.normalize("NFKC", drop_format_characters(text))
    return "".join(_ascii_digit(ch) for ch in folded)


def drop_format_characters(text: str) -> str:
    """``text`` without Unicode format characters (category Cf: direction marks, zero-width
    spaces and joiners, byte-order marks, soft hyphens)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _ascii_digit(ch: str) -> str:
    if ch.isascii() or not ch.isdecimal():
        return ch
    return str(unicodedata.decimal(ch))


_LINK = re.compile(r"^\s*(tel|callto)\s*:", re.IGNORECASE)


def parse_dial_number(text: str) -> DialNumber:
    """Turn input as typed or pasted into a :class:`DialNumber`, or raise :class:`InvalidNumber`.

    ``tel:``/``callto:`` links go through the link parser (RFC 3966, ``phone-context``), so a
    link means the same number whether it is clicked, pasted or taken from the clipboard.
    """
    text = remove_invisible(text)
    if _LINK.match(text):
        from dialdeck.core.tel_uri import InvalidLink, parse_link  # tel_uri imports this module

        try:
            return parse_link(text).number
        except InvalidLink as exc:
            raise InvalidNumber(str(exc)) from None
    try:
        return _parse_plain(text)
    except InvalidNumber as problem:
        pair = _two_numbers(strip_uri(text))
        if pair is not None:
            raise InvalidNumber(
                f"That is two numbers ({pair[0].display} and {pair[1].display}): "
                "enter one at a time"
            ) from None
        raise problem from None


_TWO_NUMBERS_MAX = 64  # "+91 98765 43210, +91 91234 56789" with room to spare


def _two_numbers(raw: str) -> tuple[DialNumber, DialNumber] | None:
    """Two valid numbers pasted at once ("98765 43210, 91234 56789"), split where they meet.
    Tried at each split point, so only for text as short as two numbers can be: a long paste
    would cost time with the square of its length, on every keystroke."""
    if len(raw) > _TWO_NUMBERS_MAX or sum(ch.isdigit() for ch in raw) < 2 * NATIONAL_DIGITS:
        return None
    for index, ch in enumerate(raw):
        if ch.isdigit() or ch == "+":
            continue
        try:
            return _parse_plain(raw[:index]), _parse_plain(raw[index + 1 :])
        except InvalidNumber:
            continue
    return None


def _parse_plain(text: str) -> DialNumber:
    raw = strip_uri(text)
    if not raw:
        raise InvalidNumber("Enter a phone number")
    cleaned = _SEPARATORS.sub("", raw)
    if "+" in cleaned[1:]:
        raise InvalidNumber("A '+' can only come at the start of the number")
    bad = list(dict.fromkeys(c for c in cleaned.lstrip("+") if not c.isascii() or not c.isdigit()))
    if bad:
        shown = " ".join(repr(c) for c in bad[:3])
        raise InvalidNumber(f"Only digits, spaces and + - . ( ) are allowed, not {shown}")
    national = _national_digits(cleaned)
    if len(national) < NATIONAL_DIGITS:
        raise InvalidNumber(
            f"Too short: {len(national)} digit{'s' if len(national) != 1 else ''}"
            f" (an Indian number has {NATIONAL_DIGITS})"
        )
    if len(national) > NATIONAL_DIGITS:
        raise InvalidNumber(
            f"Too long: {len(national)} digits (an Indian number has {NATIONAL_DIGITS})"
        )
    pn = _phonenumbers()
    parsed = pn.parse(f"+{INDIA_CODE}{national}", None)
    if not pn.is_valid_number(parsed):
        raise InvalidNumber(f"No Indian number starts like {national[:4]}…: check the number")
    display = pn.format_number(parsed, pn.PhoneNumberFormat.INTERNATIONAL)
    return DialNumber(national=national, display=display)


def check_dial_number(text: str) -> DialNumber | InvalidNumber:
    """Like :func:`parse_dial_number` but returns the problem instead of raising (for live previews)."""
    try:
        return parse_dial_number(text)
    except InvalidNumber as problem:
        return problem


def find_dial_number(text: str) -> DialNumber | None:
    """The one Indian number in a piece of text ("Call Asha on 098765-43210 after 5"), as
    libphonenumber's matcher finds it; None when there is none, or more than one to choose from.
    For selections taken from other applications; typed input stays exact."""
    pn = _phonenumbers()
    found: dict[str, DialNumber] = {}
    matcher = pn.PhoneNumberMatcher(remove_invisible(text), "IN", leniency=pn.Leniency.VALID)
    for match in matcher:
        if match.number.country_code != INDIA_CODE:
            continue
        # Its digits, not its text: a matched "022 2345 6789, ext. 4" carries the extension.
        number = check_dial_number(f"+{INDIA_CODE}{match.number.national_number}")
        if isinstance(number, DialNumber):
            found.setdefault(number.national, number)
    return next(iter(found.values())) if len(found) == 1 else None
