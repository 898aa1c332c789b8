"""Reading contact files: CSV (as exported by phones, Google, Outlook, spreadsheets) and vCard.

Only reading and shaping happens here; numbers are checked and stored by :mod:`core.contacts`.
Tolerant by design: a byte-order mark, UTF-16, cp1252, semicolon-separated spreadsheets, folded
vCard lines, quoted-printable values and stray garbage lines are all accepted. What cannot be read
as a contact is returned as a :class:`Problem` with a reason for the import report.
"""

from __future__ import annotations

import codecs
import csv
import io
import quopri
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 64 * 1024 * 1024  # a contact file larger than this is not a contact file


@dataclass
class ContactEntry:
    """One contact as written in the file (numbers not yet checked)."""

    name: str
    company: str = ""
    notes: str = ""
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (number as written, label)
    where: str = ""  # "line 12" / "vCard 3": for the report
    favourite: bool = False  # a colleague: offered when adding a participant


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str


@dataclass
class ReadResult:
    entries: list[ContactEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class UnreadableFile(ValueError):
    """The file is not a contact file we can read; ``str(error)`` says why, for the agent."""


def decode(data: bytes) -> str:
    """Text from bytes: BOM first (UTF-8, UTF-16), then UTF-16 without a BOM, UTF-8, cp1252."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:  # UTF-16 without a BOM: every other byte 0
        little = sample[1::2].count(0) > sample[0::2].count(0)
        return data.decode("utf-16-le" if little else "utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_file(path: Path) -> ReadResult:
    """Read a CSV or vCard file (by its content, whatever its name)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(f"{path.name} is too large for a contact file ({size:,} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"Cannot read {path.name}: {exc.strerror or exc}") from None
    return read_text(decode(data))


def read_text(text: str) -> ReadResult:
    if re.search(r"^\s*BEGIN\s*:\s*VCARD\s*$", text[:65536], re.IGNORECASE | re.MULTILINE):
        return read_vcard(text)
    return read_csv(text)


# --- CSV --------------------------------------------------------------------------------------

_NUMBER_WORDS = ("phone", "mobile", "number", "tel", "cell", "contactno", "whatsapp", "fax")
_NOT_NUMBER = ("type", "label", "kind", "ext", "extension", "country", "code")
_COMPANY = ("company", "organisation", "organization", "org", "employer", "firm", "business")
_NOTES = ("notes", "note", "comment", "comments", "remarks", "description")
_NAME = ("name", "fullname", "displayname", "contact", "contactname", "fn")
_FIRST = ("firstname", "givenname", "first", "given")
_MIDDLE = ("middlename", "additionalname", "middle")
_LAST = ("lastname", "familyname", "surname", "last", "family")
_FAVOURITE = ("favourite", "favorite", "starred", "star", "colleague", "groupmembership", "groups",
              "group", "categories", "category")  # fmt: skip
_YES = re.compile(r"^(1|y|yes|true|x|\*|✓)$|starred|favou?rites?|colleagues?", re.IGNORECASE)
_MULTI = re.compile(r":::|[,;\n]|\s+or\s+|\s+/\s+", re.IGNORECASE)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


@dataclass
class _Columns:
    name: int | None = None
    first: int | None = None
    middle: int | None = None
    last: int | None = None
    company: int | None = None
    notes: int | None = None
    favourite: int | None = None
    numbers: list[tuple[int, str]] = field(default_factory=list)  # (column, label)


def _columns(header: list[str]) -> _Columns:
    cols = _Columns()
    for index, title in enumerate(header):
        key = _key(title)
        if not key:
            continue
        if key in _NAME and cols.name is None:
            cols.name = index
        elif key in _FIRST and cols.first is None:
            cols.first = index
        elif key in _MIDDLE and cols.middle is None:
            cols.middle = index
        elif key in _LAST and cols.last is None:
            cols.last = index
        elif any(key.startswith(word) for word in _COMPANY) and "phone" not in key:
            if cols.company is None and not key.endswith(("title", "department", "type")):
                cols.company = index
        elif key in _NOTES and cols.notes is None:
            cols.notes = index
        elif key in _FAVOURITE and cols.favourite is None:
            cols.favourite = index
        elif any(word in key for word in _NUMBER_WORDS) and not any(
            key.endswith(word) for word in _NOT_NUMBER
        ):
            cols.numbers.append((index, title.strip()))
    return cols


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        counts = {sep: first.count(sep) for sep in ",;\t|"}
        best = max(counts, key=lambda sep: counts[sep])

        class Guessed(csv.excel):
            delimiter = best

        return Guessed


def read_csv(text: str) -> ReadResult:
    result = ReadResult()
    text = text.lstrip("\ufeff")
    dialect = _dialect(text)
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    header: list[str] | None = None
    for row in rows:
        if any(cell.strip() for cell in row):
            header = row
            break
    if header is None:
        raise UnreadableFile("The file is empty")
    cols = _columns(header)
    if not cols.numbers:
        raise UnreadableFile(
            "No phone number column found: the first line should name the columns "
            "(for example name, phone, company, notes)"
        )
    if cols.name is None and cols.first is None and cols.last is None:
        raise UnreadableFile("No name column found (name, or first name and last name)")
    for row in rows:
        where = f"line {rows.line_num}"
        if not any(cell.strip() for cell in row):
            continue

        def cell(index: int | None, row: list[str] = row) -> str:
            return row[index].strip() if index is not None and index < len(row) else ""

        name = cell(cols.name) or " ".join(
            part for part in (cell(cols.first), cell(cols.middle), cell(cols.last)) if part
        )
        entry = ContactEntry(name, cell(cols.company), cell(cols.notes), where=where)
        entry.favourite = bool(_YES.search(cell(cols.favourite)))
        for index, label in cols.numbers:
            for piece in _MULTI.split(cell(index)):
                if piece.strip():
                    entry.numbers.append((piece.strip(), label))
        result.entries.append(entry)
    return result


# --- vCard ------------------------------------------------------------------------------------

_PROPERTY = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", re.DOTALL)


def _unfold(text: str) -> list[str]:
    """RFC 6350 folding (a line starting with a space or tab continues the previous one) and
    vCard 2.1 quoted-printable soft breaks (a line ending in ``=``)."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        elif lines and lines[-1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1].upper():
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
    return lines


def _unescape(value: str) -> str:
    return re.sub(
        r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value, flags=re.DOTALL
    )


def _split(value: str, sep: str) -> list[str]:
    """Split at ``sep`` not escaped by a backslash, then unescape each part."""
    return [_unescape(part) for part in re.split(rf"(?<!\\){re.escape(sep)}", value)]


def _params(raw: str) -> tuple[dict[str, str], list[str]]:
    params: dict[str, str] = {}
    types: list[str] = []
    for piece in raw.split(";"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        key, value = key.strip().upper(), value.strip().strip('"')
        if not _:
            types.append(key.lower())  # vCard 2.1: TEL;CELL;VOICE:…
        elif key == "TYPE":
            types += [t.strip().lower() for t in value.split(",") if t.strip()]
        else:
            params[key] = value
    return params, types


def _value(raw: str, params: dict[str, str]) -> str:
    if params.get("ENCODING", "").upper() in ("QUOTED-PRINTABLE", "QP"):
        charset = params.get("CHARSET", "utf-8")
        data = quopri.decodestring(raw.encode("latin-1", errors="replace"))
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            return data.decode("utf-8", errors="replace")
    return raw


_TYPE_LABELS = {"cell": "mobile", "voice": "", "pref": "", "internet": ""}


def read_vcard(text: str) -> ReadResult:
    result = ReadResult()
    card: ContactEntry | None = None
    structured = ""
    count = 0
    for line in _unfold(text):
        if not line.strip():
            continue
        match = _PROPERTY.match(line.strip())
        if match is None:
            continue  # garbage between or inside cards: ignored
        name, raw_params, raw_value = match.group(1).upper(), match.group(2), match.group(3)
        params, types = _params(raw_params)
        value = _value(raw_value, params)
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            count += 1
            card, structured = ContactEntry("", where=f"vCard {count}"), ""
        elif card is None:
            continue
        elif name == "END" and value.strip().upper() == "VCARD":
            if not card.name and structured:
                card.name = structured
            result.entries.append(card)
            card = None
        elif name == "FN":
            card.name = _unescape(value).strip()
        elif name == "N":
            parts = [p.strip() for p in _split(value, ";")] + [""] * 5
            family, given, middle, prefix, suffix = parts[:5]
            structured = " ".join(p for p in (prefix, given, middle, family, suffix) if p)
        elif name == "TEL":
            label = ", ".join(_TYPE_LABELS.get(t, t) for t in types if _TYPE_LABELS.get(t, t))
            card.numbers.append((_unescape(value).strip(), label))
        elif name == "ORG":
            card.company = " – ".join(p.strip() for p in _split(value, ";") if p.strip())
        elif name == "NOTE":
            card.notes = _unescape(value).strip()
        elif name in ("CATEGORIES", "X-FAVORITE", "X-FAVOURITE", "X-STARRED"):
            card.favourite = card.favourite or bool(_YES.search(_unescape(value).strip()))
    if card is not None:
        result.problems.append(Problem(card.where, "the file ends inside this vCard (no END)"))
    if count == 0:
        raise UnreadableFile("No vCard found in the file")
    return result
