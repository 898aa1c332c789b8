"""Contacts: imported from CSV or vCard into the history database, looked up by number and name.

Every number goes through the one number pipeline (:func:`core.numbers.check_dial_number`) and
is stored in its national form, so a call to "+91 98765 43210" and a contact saved as
"098765 43210" meet. A number that is not a valid Indian number is kept as written (so nothing the
agent imported disappears) but is never matched, and the import report counts it.

Importing the same file twice adds nothing: a contact with the same name (case-insensitive) and
one of the same numbers is the same contact, updated with whatever is new.

Every function takes the :class:`HistoryStore` and runs on its worker thread
(``await history.run(contacts.lookup, national)``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dialdeck.core.contact_files import ContactEntry, Problem, read_file
from dialdeck.core.numbers import InvalidNumber, check_dial_number
from dialdeck.core.store import HistoryStore

SEARCH_LIMIT = 50
LOOKUP_BATCH = 500  # numbers per IN (…) query: well under SQLite's parameter limit


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    company: str
    notes: str
    favourite: bool
    numbers: tuple[str, ...]  # national forms of the valid numbers, in the order imported
    # As written in the file: numbers the pipeline refuses (outside India, too short), shown so
    # the agent sees why the contact cannot be called, never dialled.
    undialable: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """ "Asha Rao (Acme)", or "Asha Rao" without a company."""
        return f"{self.name} ({self.company})" if self.company else self.name


@dataclass
class ImportReport:
    contacts_added: int = 0
    contacts_updated: int = 0
    contacts_unchanged: int = 0
    numbers_added: int = 0
    numbers_not_indian: int = 0  # kept as written, never matched
    skipped: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.contacts_added:,} contact{'s' if self.contacts_added != 1 else ''} added",
            f"{self.contacts_updated:,} updated",
        ]
        if self.contacts_unchanged:
            parts.append(f"{self.contacts_unchanged:,} already known")
        parts.append(f"{self.numbers_added:,} number{'s' if self.numbers_added != 1 else ''} added")
        text = ", ".join(parts) + "."
        if self.numbers_not_indian:
            text += (
                f" {self.numbers_not_indian:,} number"
                f"{'s are' if self.numbers_not_indian != 1 else ' is'} not a valid Indian number"
                " (kept, but cannot be dialled)."
            )
        if self.skipped:
            text += f" {len(self.skipped):,} skipped:"
            text += "".join(f"\n• {p.where}: {p.reason}" for p in self.skipped[:20])
            if len(self.skipped) > 20:
                text += f"\n• … and {len(self.skipped) - 20:,} more"
        return text


def name_key(name: str) -> str:
    """The form names are compared and searched in: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True)
class _Number:
    national: str | None
    raw: str
    label: str

    @property
    def key(self) -> str:
        return self.national or self.raw


def _numbers(entry: ContactEntry) -> list[_Number]:
    found: dict[str, _Number] = {}
    for raw, label in entry.numbers:
        checked = check_dial_number(raw)
        number = _Number(
            None if isinstance(checked, InvalidNumber) else checked.national, raw, label
        )
        found.setdefault(number.key, number)
    return list(found.values())


def import_file(store: HistoryStore, path: Path) -> ImportReport:
    """Read ``path`` (CSV or vCard) and import it; raises :class:`UnreadableFile`."""
    read = read_file(path)
    report = import_entries(store, read.entries)
    report.skipped[:0] = read.problems
    return report


def import_entries(store: HistoryStore, entries: Iterable[ContactEntry]) -> ImportReport:
    """Add or update contacts in one transaction: all of the file, or (on error) none of it."""
    report = ImportReport()
    now = datetime.now(UTC).isoformat()
    db = store.db
    db.execute("BEGIN IMMEDIATE")
    try:
        for entry in entries:
            _import_one(store, entry, report, now)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return report


def _import_one(store: HistoryStore, entry: ContactEntry, report: ImportReport, now: str) -> None:
    db = store.db
    numbers = _numbers(entry)
    name = " ".join(entry.name.split())
    if not numbers:
        report.skipped.append(Problem(entry.where, f"{name or 'no name'}: no phone number"))
        return
    if not name:
        name = entry.company.strip()
    if not name:
        report.skipped.append(Problem(entry.where, f"{numbers[0].raw}: no name"))
        return
    key = name_key(name)
    existing = _same_contact(store, key, numbers)
    if existing is None:
        cursor = db.execute(
            "INSERT INTO contacts (name, name_key, company, notes, favourite, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (name, key, entry.company.strip(), entry.notes.strip(), int(entry.favourite), now),
        )
        contact_id, known = int(cursor.lastrowid or 0), set[str]()
        report.contacts_added += 1
    else:
        contact_id, known = existing
    new = [number for number in numbers if number.key not in known]
    db.executemany(
        "INSERT INTO contact_numbers (contact_id, national, raw, label) VALUES (?, ?, ?, ?)",
        [(contact_id, n.national, n.raw, n.label) for n in new],
    )
    report.numbers_added += len(new)
    report.numbers_not_indian += sum(1 for n in new if n.national is None)
    if existing is None:
        return
    before = tuple(
        db.execute(
            "SELECT company, notes, favourite FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()
    )
    # What the file says is added; nothing is taken away (a file never un-stars a colleague).
    after = (entry.company.strip() or before[0], entry.notes.strip() or before[1],
             int(entry.favourite or before[2]))  # fmt: skip
    changed = after != before
    if changed:
        db.execute(
            "UPDATE contacts SET company = ?, notes = ?, favourite = ? WHERE id = ?",
            (*after, contact_id),
        )
    if new or changed:
        report.contacts_updated += 1
    else:
        report.contacts_unchanged += 1


def _same_contact(
    store: HistoryStore, key: str, numbers: Sequence[_Number]
) -> tuple[int, set[str]] | None:
    """The stored contact with this name and one of these numbers: (id, its number keys)."""
    wanted = {n.key for n in numbers}
    rows = store.db.execute(
        "SELECT c.id, IFNULL(n.national, n.raw) FROM contacts c"
        " JOIN contact_numbers n ON n.contact_id = c.id WHERE c.name_key = ?",
        (key,),
    ).fetchall()
    by_contact: dict[int, set[str]] = {}
    for contact_id, number in rows:
        by_contact.setdefault(contact_id, set()).add(number)
    for contact_id, known in by_contact.items():
        if known & wanted:
            return contact_id, known
    return None


# --- reading ----------------------------------------------------------------------------------

_CONTACT = "SELECT id, name, company, notes, favourite FROM contacts"


def _contacts(store: HistoryStore, rows: Sequence[Sequence[Any]]) -> list[Contact]:
    ids = [row[0] for row in rows]
    numbers: dict[int, list[str]] = {}
    undialable: dict[int, list[str]] = {}
    for start in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[start : start + LOOKUP_BATCH]
        for contact_id, national, raw in store.db.execute(
            "SELECT contact_id, national, raw FROM contact_numbers"
            f" WHERE contact_id IN ({','.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ):
            if national is not None:
                numbers.setdefault(contact_id, []).append(national)
            else:
                undialable.setdefault(contact_id, []).append(raw)
    return [
        Contact(
            row[0],
            row[1],
            row[2],
            row[3],
            bool(row[4]),
            numbers=tuple(numbers.get(row[0], ())),
            undialable=tuple(undialable.get(row[0], ())),
        )
        for row in rows
    ]


def lookup(store: HistoryStore, national: str) -> Contact | None:
    """The contact with this (national) number; a favourite first, then the earliest imported."""
    row = store.db.execute(
        f"{_CONTACT} WHERE id = (SELECT n.contact_id FROM contact_numbers n"
        " JOIN contacts c ON c.id = n.contact_id WHERE n.national = ?"
        " ORDER BY c.favourite DESC, c.id LIMIT 1)",
        (national,),
    ).fetchone()
    return _contacts(store, [row])[0] if row else None


def lookup_many(store: HistoryStore, nationals: Iterable[str]) -> dict[str, Contact | None]:
    """Each number's contact (or None), for a page of history in a few queries."""
    wanted = sorted(set(nationals))
    if not available(store):
        return dict.fromkeys(wanted)
    best: dict[str, int] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        chunk = wanted[start : start + LOOKUP_BATCH]
        for national, contact_id in store.db.execute(
            "SELECT n.national, n.contact_id FROM contact_numbers n"
            " JOIN contacts c ON c.id = n.contact_id"
            f" WHERE n.national IN ({','.join('?' * len(chunk))})"
            " ORDER BY c.favourite ASC, c.id DESC",  # the last one written per number wins
            chunk,
        ):
            best[national] = contact_id
    found = {c.id: c for c in _by_ids(store, sorted(set(best.values())))}
    return {
        national: found.get(best[national]) if national in best else None for national in wanted
    }


def _by_ids(store: HistoryStore, ids: Sequence[int]) -> list[Contact]:
    rows: list[Sequence[Any]] = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[start : start + LOOKUP_BATCH]
        rows += store.db.execute(
            f"{_CONTACT} WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
    return _contacts(store, rows)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(store: HistoryStore, text: str, limit: int = SEARCH_LIMIT) -> list[Contact]:
    """Contacts whose name contains ``text`` (case-insensitive): names starting with it first
    (read from the name index), then names containing it elsewhere, each in name order."""
    key = name_key(text)
    if not key:
        return []
    rows = store.db.execute(
        f"{_CONTACT} WHERE name_key >= ? AND name_key < ? ORDER BY name_key LIMIT ?",
        (key, key + "\U0010ffff", limit),
    ).fetchall()
    if len(rows) < limit:
        seen = {row[0] for row in rows}
        more = store.db.execute(
            f"{_CONTACT} WHERE name_key LIKE ? ESCAPE '\\' AND name_key NOT LIKE ? ESCAPE '\\'"
            " ORDER BY name_key LIMIT ?",
            (f"%{_like(key)}%", f"{_like(key)}%", limit - len(rows)),
        ).fetchall()
        rows += [row for row in more if row[0] not in seen]
    return _contacts(store, rows)


def available(store: HistoryStore) -> bool:
    """The contacts tables exist (not in a history opened read-only from before schema 7)."""
    row = store.db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'contact_numbers'"
    ).fetchone()
    return row is not None


def numbers_for_name(store: HistoryStore, text: str, limit: int = 1000) -> list[str]:
    """National numbers of the contacts whose name contains ``text`` (for history search)."""
    key = name_key(text)
    if not key or not available(store):
        return []
    rows = store.db.execute(
        "SELECT DISTINCT n.national FROM contacts k JOIN contact_numbers n ON n.contact_id = k.id"
        " WHERE k.name_key LIKE ? ESCAPE '\\' AND n.national IS NOT NULL LIMIT ?",
        (f"%{_like(key)}%", limit),
    ).fetchall()
    return [row[0] for row in rows]


def favourites(store: HistoryStore) -> list[Contact]:
    rows = store.db.execute(f"{_CONTACT} WHERE favourite = 1 ORDER BY name_key").fetchall()
    return _contacts(store, rows)


def set_favourite(store: HistoryStore, contact_id: int, favourite: bool) -> None:
    store.db.execute("UPDATE contacts SET favourite = ? WHERE id = ?", (int(favourite), contact_id))


def count(store: HistoryStore) -> int:
    total: int = store.db.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
    return total
