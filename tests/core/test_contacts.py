"""Contacts: real CSV and vCard files written here, imported, looked up and searched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialdeck.core import contacts
from dialdeck.core.contact_files import UnreadableFile, decode, read_file
from dialdeck.core.store import HistoryStore
from tests.support.contacts_data import fill_contacts
from tests.support.timing import best_of


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    opened = HistoryStore(tmp_path / "history.db")
    yield opened
    opened.close()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_bom_several_number_columns_and_an_invalid_number(
    tmp_path: Path, store: HistoryStore
) -> None:
    path = write(
        tmp_path,
        "people.csv",
        "Name,Mobile,Work Phone,Company,Notes\r\n"
        "Asha Rao,+91 98765 43210,080 2345 6789,Acme,Prefers mornings\r\n"
        "Ravi Kumar,098765 11111,,,\r\n"
        "Foreign Friend,+44 20 7946 0958,,Globex,\r\n"
        ",,,,\r\n"
        "No Number,,,Initech,\r\n",
        "utf-8-sig",
    )
    report = contacts.import_file(store, path)
    assert report.contacts_added == 3
    assert report.numbers_added == 4
    assert report.numbers_not_indian == 1
    assert [p.reason for p in report.skipped] == ["No Number: no phone number"]
    asha = contacts.lookup(store, "9876543210")
    assert asha is not None
    assert (asha.name, asha.company, asha.notes) == ("Asha Rao", "Acme", "Prefers mornings")
    assert asha.numbers == ("9876543210", "8023456789")
    assert asha.label == "Asha Rao (Acme)"
    assert contacts.lookup(store, "8023456789") == asha
    ravi = contacts.lookup(store, "9876511111")
    assert ravi is not None and ravi.label == "Ravi Kumar"
    assert contacts.lookup(store, "1234567890") is None
    assert "1 number is not a valid Indian number" in report.summary()


def test_importing_again_adds_no_duplicates_and_updates_what_is_new(
    tmp_path: Path, store: HistoryStore
) -> None:
    first = write(tmp_path, "a.csv", "name,phone\nAsha Rao,9876543210\nRavi,9876511111\n")
    assert contacts.import_file(store, first).contacts_added == 2
    again = contacts.import_file(store, first)
    assert (again.contacts_added, again.contacts_updated, again.contacts_unchanged) == (0, 0, 2)
    assert again.numbers_added == 0
    more = write(
        tmp_path,
        "b.csv",
        "name,phone,mobile,company\n"
        "ASHA  rao,9876543210,9123456789,Acme\n"  # same person: name case and spaces differ
        "Asha Rao,9000000001,,\n",  # same name, other number: another person
    )
    report = contacts.import_file(store, more)
    assert (report.contacts_added, report.contacts_updated) == (1, 1)
    assert report.numbers_added == 2
    asha = contacts.lookup(store, "9123456789")
    assert asha is not None and asha.numbers == ("9876543210", "9123456789")
    assert asha.company == "Acme" and asha.name == "Asha Rao"
    assert contacts.count(store) == 3


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "utf-8"])
def test_semicolon_separated_in_any_common_encoding(
    tmp_path: Path, store: HistoryStore, encoding: str
) -> None:
    path = write(
        tmp_path,
        "excel.csv",
        "Nom;Téléphone;Organisation;Remarks\r\n"  # the number column is found by "phone"
        "\r\n"
        "José Müller;98765 43210;Café Société;naïve; really\r\n"
        'Zoë;"91234 56789; 99887 76655";;\r\n',
        encoding,
    )
    # "Nom" is not a name column; the file has none: said plainly.
    with pytest.raises(UnreadableFile, match="No name column"):
        contacts.import_file(store, path)
    path = write(
        tmp_path, "excel.csv", path.read_bytes().decode(encoding).replace("Nom", "Name"), encoding
    )
    report = contacts.import_file(store, path)
    assert report.contacts_added == 2 and report.numbers_added == 3, report
    jose = contacts.lookup(store, "9876543210")
    assert jose is not None and (jose.name, jose.company) == ("José Müller", "Café Société")
    zoe = contacts.lookup(store, "9988776655")
    assert zoe is not None and zoe.numbers == ("9123456789", "9988776655")


def test_first_and_last_name_columns_google_style(tmp_path: Path, store: HistoryStore) -> None:
    path = write(
        tmp_path,
        "google.csv",
        "Given Name,Family Name,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name\n"
        "Asha,Rao,Mobile,+91 98765 43210 ::: +91 91234 56789,Acme\n",
    )
    report = contacts.import_file(store, path)
    assert report.numbers_added == 2
    asha = contacts.lookup(store, "9123456789")
    assert asha is not None and asha.label == "Asha Rao (Acme)"


def test_a_file_without_a_number_column_is_refused(tmp_path: Path, store: HistoryStore) -> None:
    with pytest.raises(UnreadableFile, match="No phone number column"):
        contacts.import_file(store, write(tmp_path, "x.csv", "name,email\nA,a@example.com\n"))
    with pytest.raises(UnreadableFile, match="empty"):
        contacts.import_file(store, write(tmp_path, "y.csv", "\n\n"))
    with pytest.raises(UnreadableFile, match="Cannot read"):
        contacts.import_file(store, tmp_path / "missing.csv")


VCARDS = (
    "garbage before the first card\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Rao;Asha;;Dr.;\r\n"
    "FN:Asha Rao\r\n"
    "ORG:Acme Ltd;Sales\r\n"
    "TEL;TYPE=CELL,VOICE:+91 98765 43210\r\n"
    "TEL;TYPE=WORK:080 2345\r\n"
    " 6789\r\n"  # folded line
    "item1.TEL:+44 20 7946 0958\r\n"
    "NOTE:Call after 10\\, not before\\nThanks\r\n"
    "this line is garbage\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "N:Kumar;Ravi;;;\r\n"  # no FN: the name comes from N
    'TEL;VALUE=uri;TYPE="cell":tel:+91-98765-11111\r\n'
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 M=C3=BC=\r\n"
    "ller\r\n"
    "TEL;CELL:9123456789\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "FN:Nobody\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "FN:Cut off\r\n"
    "TEL:9000000001\r\n"
)


def test_vcard_multiple_tel_folded_lines_quoted_printable_and_garbage(
    tmp_path: Path, store: HistoryStore
) -> None:
    read = read_file(write(tmp_path, "cards.vcf", VCARDS))
    asha_entry = read.entries[0]
    assert asha_entry.numbers == [
        ("+91 98765 43210", "mobile"),
        ("080 23456789", "work"),  # unfolding drops the one leading space
        ("+44 20 7946 0958", ""),
    ]
    assert asha_entry.notes == "Call after 10, not before\nThanks"
    report = contacts.import_file(store, tmp_path / "cards.vcf")
    assert report.contacts_added == 3
    assert report.numbers_added == 5 and report.numbers_not_indian == 1
    assert [p.where for p in report.skipped] == ["vCard 5", "vCard 4"]
    asha = contacts.lookup(store, "8023456789")
    assert asha is not None and asha.label == "Asha Rao (Acme Ltd – Sales)"
    ravi = contacts.lookup(store, "9876511111")
    assert ravi is not None and ravi.name == "Ravi Kumar"
    jose = contacts.lookup(store, "9123456789")
    assert jose is not None and jose.name == "José Müller"


def test_vcard_in_utf16_is_found_by_content_not_name(tmp_path: Path, store: HistoryStore) -> None:
    path = write(tmp_path, "export.txt", VCARDS, "utf-16")
    assert contacts.import_file(store, path).contacts_added == 3


def test_decode_guesses_utf16_without_bom() -> None:
    assert decode("name,phone\n".encode("utf-16-le")) == "name,phone\n"
    assert decode("name,phone\n".encode("utf-16-be")) == "name,phone\n"
    assert decode("Zoë".encode("cp1252")) == "Zoë"


def test_search_by_name_prefix_then_substring_case_insensitive(
    tmp_path: Path, store: HistoryStore
) -> None:
    path = write(
        tmp_path,
        "n.csv",
        "name,phone\nAsha Rao,9876543210\nRaoul Dias,9876543211\nPrakash Rao,9876543212\n"
        "Ümit 100%_off,9876543213\n",
    )
    contacts.import_file(store, path)
    assert [c.name for c in contacts.search(store, "RAO")] == [
        "Raoul Dias",
        "Asha Rao",
        "Prakash Rao",
    ]
    assert [c.name for c in contacts.search(store, "ümit")] == ["Ümit 100%_off"]
    assert [c.name for c in contacts.search(store, "%_")] == ["Ümit 100%_off"]
    assert contacts.search(store, "_") == contacts.search(store, "%_")
    assert contacts.search(store, "   ") == []
    assert sorted(contacts.numbers_for_name(store, "rao")) == [
        "9876543210",
        "9876543211",
        "9876543212",
    ]


def test_favourites(tmp_path: Path, store: HistoryStore) -> None:
    contacts.import_file(
        store, write(tmp_path, "f.csv", "name,phone\nB,9876543210\nA,9876543211\n")
    )
    assert contacts.favourites(store) == []
    for contact in contacts.search(store, "a") + contacts.search(store, "b"):
        contacts.set_favourite(store, contact.id, True)
    assert [c.name for c in contacts.favourites(store)] == ["A", "B"]
    assert all(c.favourite for c in contacts.favourites(store))


def test_a_shared_number_prefers_the_favourite(tmp_path: Path, store: HistoryStore) -> None:
    contacts.import_file(
        store, write(tmp_path, "s.csv", "name,phone\nReception,9876543210\nBoss,9876543210\n")
    )
    first = contacts.lookup(store, "9876543210")
    assert first is not None and first.name == "Reception"
    assert contacts.lookup_many(store, ["9876543210", "9000000000"]) == {
        "9876543210": first,
        "9000000000": None,
    }
    boss = contacts.search(store, "boss")[0]
    contacts.set_favourite(store, boss.id, True)
    found = contacts.lookup(store, "9876543210")
    assert found is not None and found.name == "Boss"
    assert contacts.lookup_many(store, ["9876543210"])["9876543210"] == found


def test_a_failed_import_leaves_nothing_behind(tmp_path: Path, store: HistoryStore) -> None:
    class Boom(contacts.ContactEntry):  # type: ignore[misc]
        @property
        def numbers(self) -> list[tuple[str, str]]:  # type: ignore[override]
            raise RuntimeError("disk on fire")

        @numbers.setter
        def numbers(self, value: list[tuple[str, str]]) -> None:
            pass

    good = contacts.ContactEntry("Asha", numbers=[("9876543210", "")])
    with pytest.raises(RuntimeError):
        contacts.import_entries(store, [good, Boom("Ravi")])
    assert contacts.count(store) == 0


# --- 50,000 contacts ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HistoryStore]:
    store = HistoryStore(tmp_path_factory.mktemp("contacts") / "history.db")
    fill_contacts(store, 50_000, seed=11)
    yield store
    store.close()


def plan(store: HistoryStore, sql: str, params: tuple[object, ...]) -> str:
    return " | ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_lookup_and_prefix_search_read_indexes_at_50k(many: HistoryStore) -> None:
    lookup_plan = plan(
        many,
        "SELECT n.contact_id FROM contact_numbers n JOIN contacts c ON c.id = n.contact_id"
        " WHERE n.national = ? ORDER BY c.favourite DESC, c.id LIMIT 1",
        ("9000012345",),
    )
    assert "USING INDEX contact_numbers_national" in lookup_plan, lookup_plan
    prefix_plan = plan(
        many,
        "SELECT id FROM contacts WHERE name_key >= ? AND name_key < ? ORDER BY name_key LIMIT 50",
        ("asha", "asha\U0010ffff"),
    )
    assert "contacts_name_key" in prefix_plan and "SCAN contacts" not in prefix_plan, prefix_plan
    favourites_plan = plan(
        many, "SELECT id FROM contacts WHERE favourite = 1 ORDER BY name_key", ()
    )
    assert "contacts_favourite" in favourites_plan, favourites_plan

    found = contacts.lookup(many, "9000012345")
    assert found is not None and found.name.endswith(" 12345")
    assert best_of(contacts.lookup, many, "9000012345", runs=5) < 0.002
    assert (
        best_of(contacts.lookup_many, many, [f"9{i:09d}" for i in range(0, 50_000, 250)], runs=5)
        < 0.01
    )
    names = contacts.search(many, "Asha R")
    assert names and all(c.name.startswith("Asha R") for c in names)
    assert best_of(contacts.search, many, "asha r", runs=5) < 0.005


def test_substring_search_stays_fast_at_50k(many: HistoryStore) -> None:
    found = contacts.search(many, "Rao 1234")
    assert found and all("rao 1234" in c.name.casefold() for c in found)
    assert (
        best_of(contacts.search, many, "Rao 1234", runs=5) < 0.05
    )  # one pass over 50k short names
    assert best_of(contacts.search, many, "nobody at all", runs=5) < 0.05
    assert best_of(contacts.numbers_for_name, many, "iyer 4", runs=5) < 0.05


def test_history_search_finds_calls_by_contact_name(tmp_path: Path, store: HistoryStore) -> None:
    from dialdeck.core.history import HistoryFilter, count_calls, query_calls

    for i, national in enumerate(["9876543210", "9123456789", "9000000001"]):
        store.record_placing(
            uuid=f"u{i}", to_number=national, from_number="8000000000", agent="a", sandbox=True
        )
    store.set_notes("u2", "asked for Asha's manager", "")
    assert count_calls(store, HistoryFilter(text="asha")) == 1  # the note only: no contacts yet
    contacts.import_file(
        store, write(tmp_path, "c.csv", "name,phone\nAsha Rao,9876543210\nRavi,9123456789\n")
    )
    found = query_calls(store, HistoryFilter(text="ASHA"))
    assert sorted(r.to_number for r in found) == ["9000000001", "9876543210"]
    assert count_calls(store, HistoryFilter(text="ASHA")) == 2
    assert [r.to_number for r in query_calls(store, HistoryFilter(text="ravi"))] == ["9123456789"]
    assert count_calls(store, HistoryFilter(text="nobody")) == 0


def test_old_read_only_history_has_no_contacts_and_does_not_fail(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE other (x)")
    raw.close()
    store = HistoryStore(path, read_only=True)
    try:
        assert not contacts.available(store)
        assert contacts.numbers_for_name(store, "asha") == []
        assert contacts.lookup_many(store, ["9876543210"]) == {"9876543210": None}
    finally:
        store.close()


def test_name_cache_wants_what_it_does_not_know_and_drops_stale_answers() -> None:
    from dialdeck.core.contact_names import ContactNames
    from dialdeck.core.numbers import parse_dial_number

    names = ContactNames(capacity=2)
    asha = contacts.Contact(1, "Asha Rao", "Acme", "", False, ("9876543210",))
    number = parse_dial_number("9876543210")
    assert names.describe(number) == "+91 98765 43210"
    assert names.take_wanted() == ["9876543210"] and names.take_wanted() == []
    assert names.store({"9876543210": asha, "9123456789": None}, names.generation)
    assert names.describe(number) == "Asha Rao (Acme) · +91 98765 43210"
    assert names.describe_text("098765 43210") == "Asha Rao (Acme) · +91 98765 43210"
    assert names.describe_text("agent.017") == "agent.017"
    assert names.name_only("+919876543210") == "Asha Rao (Acme)"
    assert names.label("9123456789") == "" and names.take_wanted() == []
    generation = names.generation
    names.clear()
    assert not names.store({"9876543210": asha}, generation)  # fetched before the import
    assert names.label("9876543210") == "" and names.take_wanted() == ["9876543210"]
    names.store({"1": None, "2": None, "3": None}, names.generation)
    assert len(names) == 2  # the least recently used went


def test_favourites_come_from_the_file(tmp_path: Path, store: HistoryStore) -> None:
    contacts.import_file(
        store,
        write(
            tmp_path,
            "g.csv",
            "Name,Phone,Group Membership\nAsha,9876543210,* starred ::: * myContacts\n"
            "Ravi,9123456789,* myContacts\nMeera,9000000001,\n",
        ),
    )
    contacts.import_file(
        store,
        write(
            tmp_path,
            "c.vcf",
            "BEGIN:VCARD\nFN:Kiran\nTEL:9000000002\nCATEGORIES:Work,Colleagues\nEND:VCARD\n"
            "BEGIN:VCARD\nFN:Ravi\nTEL:9123456789\nCATEGORIES:favorites\nEND:VCARD\n",
        ),
    )
    assert [c.name for c in contacts.favourites(store)] == ["Asha", "Kiran", "Ravi"]
    again = contacts.import_file(store, tmp_path / "g.csv")  # Ravi is not starred there: stays
    assert again.contacts_unchanged == 3
    assert [c.name for c in contacts.favourites(store)] == ["Asha", "Kiran", "Ravi"]
