"""An address book of many contacts, written straight into the history database (one
transaction, then ANALYZE), for the 50,000-contact speed and query-plan tests."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from dialdeck.core import contacts
from dialdeck.core.store import HistoryStore

FIRST = ["Asha", "Ravi", "Priya", "Arjun", "Meera", "Kiran", "Sunil", "Divya", "Anil", "Lata"]
LAST = ["Rao", "Kumar", "Sharma", "Iyer", "Nair", "Das", "Gupta", "Reddy", "Singh", "Menon"]


def fill_contacts(
    store: HistoryStore, count: int, *, seed: int, company: Callable[[int], str] = lambda _i: ""
) -> None:
    """Contact ``i`` is "<first> <last> i" with the one number 9 followed by ``i`` in 9 digits."""
    rng = random.Random(seed)
    now = datetime.now(UTC).isoformat()
    db = store.db
    db.execute("BEGIN")
    for i in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        cursor = db.execute(
            "INSERT INTO contacts (name, name_key, company, created_at) VALUES (?, ?, ?, ?)",
            (name, contacts.name_key(name), company(i), now),
        )
        db.execute(
            "INSERT INTO contact_numbers (contact_id, national, raw) VALUES (?, ?, ?)",
            (cursor.lastrowid, f"9{i:09d}", f"9{i:09d}"),
        )
    db.execute("COMMIT")
    db.execute("ANALYZE")
