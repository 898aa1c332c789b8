"""The Contacts tab's list: search by name, company or any number format; pages at 50,000."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialdeck.core import contact_list, contacts
from dialdeck.core.contact_files import ContactEntry
from dialdeck.core.store import HistoryStore
from tests.support.contacts_data import fill_contacts
from tests.support.timing import best_of


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    opened = HistoryStore(tmp_path / "history.db")
    contacts.import_entries(
        opened,
        [
            ContactEntry("Asha Rao", "Acme", numbers=[("+91 98765 44410", "mobile")]),
            ContactEntry("ravi kumar", "Globex", numbers=[("080 2345 6789", "work")]),
            ContactEntry("Émile Zola", numbers=[("+44 20 7946 0958", "")]),
        ],
    )
    yield opened
    opened.close()


def names(found: list[contacts.Contact]) -> list[str]:
    return [c.name for c in found]


def test_search_by_name_company_and_any_number_format(store: HistoryStore) -> None:
    assert names(contact_list.query_contacts(store, "")) == ["Asha Rao", "ravi kumar", "Émile Zola"]
    assert names(contact_list.query_contacts(store, "RAO")) == ["Asha Rao"]
    assert names(contact_list.query_contacts(store, "émile")) == ["Émile Zola"]
    assert names(contact_list.query_contacts(store, "globex")) == ["ravi kumar"]
    for typed in ("+91 98765 444", "98765 444", "098765-444", "9876544410"):
        assert names(contact_list.query_contacts(store, typed)) == ["Asha Rao"], typed
    assert names(contact_list.query_contacts(store, "2345 6789")) == ["ravi kumar"]
    assert names(contact_list.query_contacts(store, "7946")) == ["Émile Zola"]  # kept as written
    assert contact_list.query_contacts(store, "50%_") == []
    assert contact_list.count_contacts(store, "") == 3
    assert contact_list.count_contacts(store, "+91 98765 444") == 1


def test_pages_continue_after_the_last_row_and_delete_forgets_the_numbers(
    store: HistoryStore,
) -> None:
    first = contact_list.query_contacts(store, "", limit=2)
    rest = contact_list.query_contacts(store, "", after=contact_list.cursor(first[-1]), limit=2)
    assert names(first + rest) == ["Asha Rao", "ravi kumar", "Émile Zola"]
    asha = first[0]
    contact_list.delete_contact(store, asha.id)
    assert contacts.lookup(store, "9876544410") is None
    assert contact_list.count_contacts(store, "") == 2
    assert store.db.execute("SELECT COUNT(*) FROM contact_numbers").fetchone()[0] == 2


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStore]:
    store = HistoryStore(tmp_path_factory.mktemp("contact-list") / "history.db")
    fill_contacts(store, 50_000, seed=7, company=lambda i: f"Company {i % 97}")
    yield store
    store.close()


def test_paging_reads_the_name_index_and_searches_stay_quick_at_50k(many: HistoryStore) -> None:
    plan = " | ".join(
        row[3]
        for row in many.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE 1 AND (name_key, id) > (?, ?)"
            " ORDER BY name_key, id LIMIT 200",
            ("m", 0),
        )
    )
    assert "contacts_name_key" in plan and "TEMP B-TREE" not in plan, plan
    page = contact_list.query_contacts(many, "")
    assert len(page) == 200
    last_page_from = contact_list.cursor(contact_list.query_contacts(many, "sunil")[-1])
    # A page deep in the list costs what the first one does (keyset, no OFFSET).
    assert best_of(contact_list.query_contacts, many, "") < 0.02
    assert best_of(contact_list.query_contacts, many, "", after=last_page_from) < 0.02
    assert best_of(contact_list.count_contacts, many, "") < 0.02
    # Searches read every name at worst (50,000 short strings): still well under a frame or two.
    found = contact_list.query_contacts(many, "+91 90000 1234")
    assert sorted(n for c in found for n in c.numbers) == [f"900001234{i}" for i in range(10)]
    assert best_of(contact_list.query_contacts, many, "90000 1234") < 0.15
    assert best_of(contact_list.count_contacts, many, "rao") < 0.15
    assert best_of(contact_list.query_contacts, many, "company 42") < 0.15
