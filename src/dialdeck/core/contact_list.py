"""The Contacts tab's list: every contact in name order, searched, paged, edited.

Pages are keyset pages on ``(name_key, id)``, read along the ``contacts_name_key`` index (SQLite
keeps the rowid in every index, so the pair is ordered there), so the page at contact 49,800
costs what the first one does. A search matches the name (case-folded, anywhere in it), the
company, or any number: a search that looks like a number goes through the number pipeline
(:func:`core.numbers.search_digits`), so "+91 98765 444", "098765 444" and "98765 444" find the
same contacts. Functions run on the history store's worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialdeck.core.contacts import Contact, _contacts, available, name_key
from dialdeck.core.numbers import search_digits
from dialdeck.core.store import HistoryStore

_SELECT = "SELECT id, name, company, notes, favourite FROM contacts"


@dataclass(frozen=True)
class ContactSearch:
    where: str  # a WHERE clause on contacts ("1" for every contact)
    params: tuple[object, ...]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def parse(text: str) -> ContactSearch:
    text = " ".join(text.split())
    if not text:
        return ContactSearch("1", ())
    clauses = ["name_key LIKE ? ESCAPE '\\'", "company LIKE ? ESCAPE '\\'"]
    params: list[object] = [_like(name_key(text)), _like(text)]
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) >= max(1, len(text.replace(" ", "")) - 3):
        national = search_digits(text) or digits
        clauses.append(
            "id IN (SELECT contact_id FROM contact_numbers"
            " WHERE national LIKE ? ESCAPE '\\' OR raw LIKE ? ESCAPE '\\')"
        )
        params += [_like(national), _like(text)]
    return ContactSearch(f"({' OR '.join(clauses)})", tuple(params))


def cursor(contact: Contact) -> tuple[str, int]:
    """Where the page after ``contact`` starts (its name as stored is keyed the same way)."""
    return name_key(contact.name), contact.id


def query_contacts(
    store: HistoryStore, text: str, *, after: tuple[str, int] | None = None, limit: int = 200
) -> list[Contact]:
    """A page of the contacts matching ``text``, in name order, after ``after`` (see cursor)."""
    if not available(store):
        return []
    search = parse(text)
    where, params = search.where, list(search.params)
    if after is not None:
        where += " AND (name_key, id) > (?, ?)"
        params += [after[0], after[1]]
    rows = store.db.execute(
        f"{_SELECT} WHERE {where} ORDER BY name_key, id LIMIT ?", [*params, limit]
    ).fetchall()
    return _contacts(store, rows)


def count_contacts(store: HistoryStore, text: str) -> int:
    if not available(store):
        return 0
    search = parse(text)
    total: int = store.db.execute(
        f"SELECT COUNT(*) FROM contacts WHERE {search.where}", search.params
    ).fetchone()[0]
    return total


def delete_contact(store: HistoryStore, contact_id: int) -> None:
    """Forget a contact and its numbers (calls to those numbers stay in the history)."""
    db = store.db
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("DELETE FROM contact_numbers WHERE contact_id = ?", (contact_id,))
        db.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
