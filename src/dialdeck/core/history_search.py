"""Searching call history by substring: numbers, notes, dispositions and contact names.

A search means what it always meant, ``LIKE '%text%'`` on those columns (numbers by their digits).
With the trigram index (:mod:`dialdeck.core.schema`) SQLite reads only the calls that contain the
text instead of every row. When each searched piece is at least 3 characters long and free of
LIKE's wildcards, the index finds the candidates and LIKE confirms them on those rows only (the
index folds case beyond ASCII, LIKE does not): the answer is LIKE's, exactly. Shorter pieces or
wildcards fall back to LIKE alone.

For a page, a very common word is better served the old way: walking the sort order's index, the
first 200 matches come after a few thousand rows, while the index would hand over every match to
be sorted. :data:`DENSE` matches (counted with a limit, so cheaply) decide which way.

A search that is not a number also finds the calls to the numbers of contacts whose name contains
it (:func:`core.contacts.numbers_for_name`, at most :data:`NAME_NUMBERS` numbers), read through the
``calls_to_number`` index.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialdeck.core import contacts
from dialdeck.core.numbers import search_digits
from dialdeck.core.schema import FTS_TABLE
from dialdeck.core.store import HistoryStore

DENSE = 2_000
TRIGRAM = 3
NAME_NUMBERS = 500


@dataclass(frozen=True)
class TextSearch:
    like: str  # the meaning of the search, as a WHERE clause on calls c
    like_params: tuple[object, ...]
    match: str | None  # candidates as an FTS5 query, when the index can serve the search
    name: str | None = None  # also calls to the contacts whose name contains this


def looks_like_number(text: str) -> bool:
    """Mostly digits (a few separators or a "+" aside): searched as a number, not a name."""
    digits = sum(ch.isdigit() for ch in text)
    return digits > 0 and digits >= max(1, len(text.strip().replace(" ", "")) - 3)


def parse(text: str) -> TextSearch | None:
    text = text.strip()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if looks_like_number(text):
        # Looks like a number: match its national digits anywhere in the customer's number
        # (+91, 0091 and a trunk 0 are not stored, so "+91 98765 444" finds "98765 444").
        national = search_digits(text) or digits
        pieces = [("to_number", national), ("notes disposition", text)]
        like = "(c.to_number LIKE ? OR c.notes LIKE ? OR c.disposition LIKE ?)"
        params: tuple[object, ...] = (f"%{national}%", f"%{text}%", f"%{text}%")
    else:
        pieces = [("notes disposition", text)]
        like = "(c.notes LIKE ? OR c.disposition LIKE ?)"
        params = (f"%{text}%", f"%{text}%")
    name = None if digits and pieces[0][0] == "to_number" else text
    if not all(_indexable(piece) for _, piece in pieces):
        return TextSearch(like, params, None, name)
    match = " OR ".join(f"{{{columns}}} : {_phrase(piece)}" for columns, piece in pieces)
    return TextSearch(like, params, match, name)


def _indexable(piece: str) -> bool:
    return len(piece) >= TRIGRAM and "%" not in piece and "_" not in piece


def _phrase(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


def clause(store: HistoryStore, search: TextSearch, *, for_page: bool) -> tuple[str, list[object]]:
    """The WHERE clause (on calls c) for ``search``, the fastest exact way this store allows."""
    sql, params = _text_clause(store, search, for_page=for_page)
    numbers = contacts.numbers_for_name(store, search.name, NAME_NUMBERS) if search.name else []
    if not numbers:
        return sql, params
    return f"({sql} OR c.to_number IN ({','.join('?' * len(numbers))}))", [*params, *numbers]


def _text_clause(
    store: HistoryStore, search: TextSearch, *, for_page: bool
) -> tuple[str, list[object]]:
    if search.match is None or not store.has_search_index:
        return search.like, list(search.like_params)
    if for_page and _dense(store, search.match):
        return search.like, list(search.like_params)
    indexed = f"c.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)"
    return f"{indexed} AND {search.like}", [search.match, *search.like_params]


def _dense(store: HistoryStore, match: str) -> bool:
    found: int = store.db.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT ?)",
        (match, DENSE),
    ).fetchone()[0]
    return found >= DENSE
