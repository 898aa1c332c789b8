"""``tel:`` (RFC 3966) and ``callto:`` links: from a clicked link to a number in the dialer.

RFC 3966 in brief: ``tel:`` then a *global* number (``+`` and digits, with visual separators
``-``, ``.``, ``(``, ``)``) or a *local* number (digits, ``*``, ``#``, separators) that must carry a
``;phone-context=`` parameter; then parameters such as ``;ext=123`` or ``;isub=``. We are lenient
where browsers and CRMs are sloppy (a local Indian number with no phone-context is accepted),
strict where it matters (a phone-context of another country is refused), and always hand the
number to the one pipeline in :mod:`dialdeck.core.numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from dialdeck.core.numbers import DialNumber, InvalidNumber, parse_dial_number, remove_invisible

SCHEMES = ("tel", "callto")
_VISUAL = re.compile(r"[-.()]")
_GLOBAL = re.compile(r"^\+[0-9][0-9\-.()]*$")
_LOCAL = re.compile(r"^[0-9*#][0-9*#\-.()]*$")
_PARAM = re.compile(r"^[A-Za-z0-9\-]+$")


class InvalidLink(ValueError):
    """Not a usable tel:/callto: link; ``str()`` says why."""


@dataclass(frozen=True)
class TelLink:
    number: DialNumber
    extension: str | None = None
    params: dict[str, str] = field(default_factory=dict)


def is_link(text: str) -> bool:
    text = remove_invisible(text)
    head = text.strip().split(":", 1)[0].lower()
    return ":" in text and head in SCHEMES


def parse_link(uri: str) -> TelLink:
    text = remove_invisible(uri).strip()
    scheme, sep, rest = text.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise InvalidLink("Not a tel: or callto: link")
    if scheme == "callto":  # Skype-style: "callto://+91…?call", "callto:…?type=phone"
        rest = rest.removeprefix("//").split("?", 1)[0]
    rest = unquote(rest).strip()
    subscriber, *raw_params = rest.split(";")
    subscriber = re.sub(r"\s", "", subscriber)  # spaces are not RFC 3966, but are common
    if not subscriber:
        raise InvalidLink("The link has no number")
    params: dict[str, str] = {}
    for raw in raw_params:
        name, _, value = raw.partition("=")
        name = name.strip().lower()
        if not name or not _PARAM.match(name):
            raise InvalidLink(f"The link has a malformed parameter: {raw!r}")
        params[name] = value.strip()
    if scheme == "tel" and not (_GLOBAL.match(subscriber) or _LOCAL.match(subscriber)):
        raise InvalidLink("The link's number has characters a tel: link cannot contain")
    context = params.get("phone-context", "")
    if not subscriber.startswith("+") and context.startswith("+") and not context.startswith("+91"):
        raise InvalidLink(f"The link is a local number in another country ({context})")
    digits = _VISUAL.sub("", subscriber)
    if "*" in digits or "#" in digits:
        raise InvalidLink("Service codes with * or # cannot be dialled through CloudDialer")
    try:
        number = parse_dial_number(digits)
    except InvalidNumber as exc:
        raise InvalidLink(str(exc)) from None
    extension = params.get("ext") or None
    return TelLink(number=number, extension=extension, params=params)


def link_extension(text: str) -> str:
    """The extension a tel: link carries (";ext=12"); "" for none, or for text that is not a link."""
    if not is_link(text):
        return ""
    try:
        return parse_link(text).extension or ""
    except InvalidLink:
        return ""


def number_from_args(args: list[str]) -> str | None:
    """The first argument that looks like a link or a number (command line, second instance)."""
    for arg in args:
        if is_link(arg) or (arg and not arg.startswith("-") and any(ch.isdigit() for ch in arg)):
            return arg
    return None
