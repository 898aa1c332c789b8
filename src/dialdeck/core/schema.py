"""The history database's schema: one migration per version, applied in order by the store.

A migration is SQL (statements separated by ``;``, trigger bodies included) or a function of the
connection, for steps that depend on what this SQLite can do (FTS5's trigram tokenizer).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

Migration = str | Callable[[sqlite3.Connection], None]

# Each entry upgrades the schema by one version; never edit a shipped entry, append a new one.
MIGRATIONS: list[Migration] = [
    """
    CREATE TABLE calls (
        id            INTEGER PRIMARY KEY,
        uuid          TEXT NOT NULL UNIQUE,
        call_id       TEXT UNIQUE,
        to_number     TEXT NOT NULL,
        from_number   TEXT NOT NULL,
        agent         TEXT NOT NULL,
        sandbox       INTEGER NOT NULL DEFAULT 0,
        placed_at     TEXT NOT NULL,
        state         TEXT NOT NULL,
        call_status   TEXT,
        start_time    TEXT,
        end_time      TEXT,
        duration      INTEGER,
        legs          TEXT NOT NULL DEFAULT '[]',
        recording_url TEXT,
        error         TEXT,
        notes         TEXT NOT NULL DEFAULT '',
        disposition   TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX calls_placed_at ON calls(placed_at);
    CREATE INDEX calls_state ON calls(state);
    """,
    """
    CREATE TABLE recordings (
        id          INTEGER PRIMARY KEY,
        call_uuid   TEXT UNIQUE REFERENCES calls(uuid) ON DELETE SET NULL,
        source      TEXT NOT NULL,
        title       TEXT NOT NULL,
        url         TEXT,
        path        TEXT,
        state       TEXT NOT NULL,
        error       TEXT,
        size        INTEGER,
        duration    REAL,
        created_at  TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT
    );
    CREATE INDEX recordings_state ON recordings(state);
    CREATE INDEX recordings_created ON recordings(created_at);
    CREATE TABLE bookmarks (
        id           INTEGER PRIMARY KEY,
        recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        position_ms  INTEGER NOT NULL,
        text         TEXT NOT NULL,
        created_at   TEXT NOT NULL
    );
    CREATE INDEX bookmarks_recording ON bookmarks(recording_id, position_ms);
    CREATE INDEX calls_call_status ON calls(call_status);
    """,
    # v3: the history table sorts by these columns; without indexes a sorted page scans 100k rows.
    """
    CREATE INDEX calls_duration ON calls(duration);
    CREATE INDEX calls_to_number ON calls(to_number);
    CREATE INDEX calls_from_number ON calls(from_number);
    """,
    # v4: counts that do not scan. Maintained per (state, call_status) and for recordings by
    # triggers, so "how many calls (with this outcome)" is a sum over a handful of rows.
    """
    CREATE TABLE call_counts (
        state       TEXT NOT NULL,
        call_status TEXT NOT NULL,  -- '' for NULL: a key column must compare equal to itself
        n           INTEGER NOT NULL,
        PRIMARY KEY (state, call_status)
    ) WITHOUT ROWID;
    INSERT INTO call_counts SELECT state, IFNULL(call_status, ''), COUNT(*) FROM calls GROUP BY 1, 2;
    CREATE TRIGGER calls_count_insert AFTER INSERT ON calls BEGIN
        INSERT INTO call_counts VALUES (NEW.state, IFNULL(NEW.call_status, ''), 1)
            ON CONFLICT (state, call_status) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER calls_count_delete AFTER DELETE ON calls BEGIN
        UPDATE call_counts SET n = n - 1
            WHERE state = OLD.state AND call_status = IFNULL(OLD.call_status, '');
    END;
    CREATE TRIGGER calls_count_update AFTER UPDATE OF state, call_status ON calls
        WHEN OLD.state IS NOT NEW.state OR OLD.call_status IS NOT NEW.call_status BEGIN
        UPDATE call_counts SET n = n - 1
            WHERE state = OLD.state AND call_status = IFNULL(OLD.call_status, '');
        INSERT INTO call_counts VALUES (NEW.state, IFNULL(NEW.call_status, ''), 1)
            ON CONFLICT (state, call_status) DO UPDATE SET n = n + 1;
    END;
    CREATE TABLE recording_count (one INTEGER PRIMARY KEY CHECK (one = 1), n INTEGER NOT NULL);
    INSERT INTO recording_count VALUES (1, (SELECT COUNT(*) FROM recordings));
    CREATE TRIGGER recordings_count_insert AFTER INSERT ON recordings BEGIN
        UPDATE recording_count SET n = n + 1;
    END;
    CREATE TRIGGER recordings_count_delete AFTER DELETE ON recordings BEGIN
        UPDATE recording_count SET n = n - 1;
    END;
    """,
    # v5: the outcome filters read (status|state, placed_at) in order: no temp B-tree for the
    # default sort, and keyset paging within a filter. The old one-column indexes are prefixes.
    """
    DROP INDEX calls_call_status;
    CREATE INDEX calls_status_placed ON calls(call_status, placed_at);
    DROP INDEX calls_state;
    CREATE INDEX calls_state_placed ON calls(state, placed_at);
    """,
    # v6: substring search of numbers, notes and dispositions through a trigram index.
    lambda db: add_search_index(db),
    # v7: contacts (core.contacts). A number is looked up by its national form; a number that is
    # not a valid Indian number keeps national NULL and is stored only as written (raw).
    # name_key is the case-folded name: prefix searches read its index.
    """
    CREATE TABLE contacts (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        name_key   TEXT NOT NULL,
        company    TEXT NOT NULL DEFAULT '',
        notes      TEXT NOT NULL DEFAULT '',
        favourite  INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE INDEX contacts_name_key ON contacts(name_key);
    CREATE INDEX contacts_favourite ON contacts(name_key) WHERE favourite = 1;
    CREATE TABLE contact_numbers (
        id         INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        national   TEXT,
        raw        TEXT NOT NULL,
        label      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX contact_numbers_national ON contact_numbers(national);
    CREATE INDEX contact_numbers_contact ON contact_numbers(contact_id);
    """,
]

FTS_TABLE = "calls_fts"


def trigram_supported(db: sqlite3.Connection) -> bool:
    """FTS5 with the trigram tokenizer: SQLite 3.34+, built with FTS5 (Python's builds are)."""
    try:
        db.execute("CREATE VIRTUAL TABLE temp.dialdeck_probe USING fts5(x, tokenize='trigram')")
    except sqlite3.Error:
        return False
    db.execute("DROP TABLE temp.dialdeck_probe")
    return True


def add_search_index(db: sqlite3.Connection) -> None:
    """Without trigram support, searches keep using LIKE (see core.history_search)."""
    if not trigram_supported(db):
        return
    for statement in statements(
        f"""
        CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
            to_number, notes, disposition, content='calls', content_rowid='id', tokenize='trigram'
        );
        INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild');
        CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
            INSERT INTO {FTS_TABLE}(rowid, to_number, notes, disposition)
                VALUES (NEW.id, NEW.to_number, NEW.notes, NEW.disposition);
        END;
        CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, to_number, notes, disposition)
                VALUES ('delete', OLD.id, OLD.to_number, OLD.notes, OLD.disposition);
        END;
        CREATE TRIGGER calls_fts_update AFTER UPDATE OF to_number, notes, disposition ON calls BEGIN
            INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, to_number, notes, disposition)
                VALUES ('delete', OLD.id, OLD.to_number, OLD.notes, OLD.disposition);
            INSERT INTO {FTS_TABLE}(rowid, to_number, notes, disposition)
                VALUES (NEW.id, NEW.to_number, NEW.notes, NEW.disposition);
        END;
        """
    ):
        db.execute(statement)


def statements(script: str) -> Iterator[str]:
    """Split a script at the ``;`` that end statements (not those inside a trigger's body)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending.strip()
            pending = ""
    if pending.strip(" \n;"):
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:80]}")


def apply(db: sqlite3.Connection, migration: Migration) -> None:
    if isinstance(migration, str):
        for statement in statements(migration):
            db.execute(statement)
    else:
        migration(db)
