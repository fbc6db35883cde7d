"""Whole-word name search, tolerant of one typo, backed by an index on both databases.

A *name index* covers a folded key column padded with spaces (" nguyen van an "), so a whole
word ``w`` is the substring ``" w "``.

* PostgreSQL: a GIN trigram index (``pg_trgm``, ``gin_trgm_ops``) on the key answers
  ``key LIKE '% w %'`` without reading the table.
* SQLite: an FTS5 table (external content: the rows stay in the indexed table) tokenised into
  words, kept in sync by triggers; the same LIKE then checks the few rows it returns.

Typos: a word of the query may be one edit (insertion, deletion, substitution or transposition
of neighbours) away from the word recorded. Every name word ever indexed goes into a small
vocabulary table (``<name>_words``, filled by triggers), so the words one edit away from a
query word that really occur are found with one primary-key look-up of the few hundred
candidate spellings; each of them then becomes an exact whole-word query. Vietnamese names
draw on a few thousand words, so this stays exact and cheap where trigram similarity over
whole names (dominated by the shared "nguyen"/"van" trigrams) would not.

Objects made here are named ``search_...`` and are not described by the models: the schema
comparison leaves them out (``is_search_object``).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    SQLColumnExpression,
    and_,
    column,
    literal_column,
    not_,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

PREFIX = "search_"
ALPHABET = string.ascii_lowercase
# Beyond this many one-typo readings of a query the query is too vague to be worth it.
MAX_READINGS = 120

Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class NameIndex:
    """An index over ``table.key`` (folded, space-padded), rows identified by ``table.id``."""

    table: str
    key: str
    id: str
    name: str  # search_...: the FTS5 table on SQLite; prefix of every other object

    @property
    def words(self) -> str:
        return f"{self.name}_words"

    @property
    def trigram_index(self) -> str:
        return f"{self.name}_trgm"


def is_search_object(name: str | None) -> bool:
    """Objects this module manages (FTS5 and vocabulary tables, trigram index)."""
    return bool(name) and str(name).startswith(PREFIX)


# --- DDL ------------------------------------------------------------------------------------


def create_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Everything the index needs, for a migration; it starts filled from the current rows."""
    words = f"CREATE TABLE {ix.words} (term VARCHAR(200) NOT NULL PRIMARY KEY)"
    if dialect == "postgresql":
        return [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            words,
            _pg_function(ix),
            *rebuild_statements(ix, dialect),
        ]
    return [
        f"CREATE VIRTUAL TABLE {ix.name} USING fts5({ix.key}, content='{ix.table}', "
        f"content_rowid='{ix.id}', tokenize='unicode61 remove_diacritics 0')",
        words + " WITHOUT ROWID",
        *rebuild_statements(ix, dialect),
    ]


def drop_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Undo ``create_statements`` (pg_trgm stays: other objects may use it)."""
    if dialect == "postgresql":
        return [
            *suspend_statements(ix, dialect),
            f"DROP FUNCTION IF EXISTS {ix.words}_add()",
            f"DROP TABLE IF EXISTS {ix.words}",
        ]
    return [
        *suspend_statements(ix, dialect),
        f"DROP TABLE IF EXISTS {ix.words}",
        f"DROP TABLE IF EXISTS {ix.name}",
    ]


def suspend_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Stop maintaining the index (before a bulk load); ``rebuild_statements`` restarts it."""
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {ix.words}_ai ON {ix.table}",
            f"DROP TRIGGER IF EXISTS {ix.words}_au ON {ix.table}",
            f"DROP INDEX IF EXISTS {ix.trigram_index}",
        ]
    return [f"DROP TRIGGER IF EXISTS {ix.name}_{op}" for op in ("ai", "ad", "au")]


def rebuild_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Rebuild the index from the rows and maintain it again from now on."""
    if dialect == "postgresql":
        return [
            f"CREATE INDEX IF NOT EXISTS {ix.trigram_index} ON {ix.table} "
            f"USING gin ({ix.key} gin_trgm_ops)",
            f"INSERT INTO {ix.words} (term) SELECT DISTINCT w FROM {ix.table}, "
            f"unnest(string_to_array(btrim({ix.key}), ' ')) AS w WHERE w <> '' "
            "ON CONFLICT DO NOTHING",
            *(
                f"CREATE OR REPLACE TRIGGER {ix.words}_{op} AFTER {event} ON {ix.table} "
                f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {ix.words}_add()"
                for op, event in (("ai", "INSERT"), ("au", "UPDATE"))
            ),
        ]
    return [
        f"INSERT INTO {ix.name}({ix.name}) VALUES ('rebuild')",
        f"INSERT OR IGNORE INTO {ix.words} (term) SELECT w.value FROM {ix.table}, "
        f"{_sqlite_split(ix.table + '.' + ix.key)} AS w WHERE w.value <> ''",
        *_sqlite_triggers(ix),
    ]


def suspend(connection: Connection, ix: NameIndex) -> None:
    """Drop the triggers (and, on PostgreSQL, the trigram index) for a bulk load."""
    for statement in suspend_statements(ix, connection.dialect.name):
        connection.exec_driver_sql(statement)


def rebuild(connection: Connection, ix: NameIndex) -> None:
    """Rebuild from the rows (FTS5 ``'rebuild'``, vocabulary, trigram index) and re-arm."""
    for statement in rebuild_statements(ix, connection.dialect.name):
        connection.exec_driver_sql(statement)


def _pg_function(ix: NameIndex) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {ix.words}_add() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n"
        f"  INSERT INTO {ix.words} (term)\n"
        f"  SELECT DISTINCT w FROM new_rows, unnest(string_to_array(btrim(new_rows.{ix.key}), ' '))"
        f" AS w WHERE w <> ''\n"
        f"  ON CONFLICT DO NOTHING;\n"
        f"  RETURN NULL;\n"
        f"END $$"
    )


def _sqlite_split(value: str) -> str:
    """json_each over the words of ``value`` (SQLite has no split; triggers allow no CTEs)."""
    quoted = f"replace(replace({value}, '\\', '\\\\'), '\"', '\\\"')"
    return f"json_each('[\"' || replace(trim({quoted}), ' ', '\",\"') || '\"]')"


def _sqlite_triggers(ix: NameIndex) -> list[str]:
    add = (
        f"INSERT INTO {ix.name}(rowid, {ix.key}) VALUES (new.{ix.id}, new.{ix.key}); "
        f"INSERT OR IGNORE INTO {ix.words} (term) SELECT value FROM "
        f"{_sqlite_split('new.' + ix.key)} WHERE value <> '';"
    )
    remove = (
        f"INSERT INTO {ix.name}({ix.name}, rowid, {ix.key}) "
        f"VALUES ('delete', old.{ix.id}, old.{ix.key});"
    )
    head = f"CREATE TRIGGER IF NOT EXISTS {ix.name}"
    return [
        f"{head}_ai AFTER INSERT ON {ix.table} BEGIN {add} END",
        f"{head}_ad AFTER DELETE ON {ix.table} BEGIN {remove} END",
        f"{head}_au AFTER UPDATE OF {ix.key} ON {ix.table} BEGIN {remove} {add} END",
    ]


# --- queries --------------------------------------------------------------------------------


def whole_word(key: SQLColumnExpression[str], word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return key.like(f"% {escaped} %", escape="\\")


def has_words(key: SQLColumnExpression[str], words: Sequence[str]) -> ColumnElement[bool]:
    return and_(*(whole_word(key, w) for w in words))


def edits1(word: str) -> set[str]:
    """Every spelling one insertion, deletion, substitution or transposition away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word, ""}


def one_typo_readings(session: Session, ix: NameIndex, words: Sequence[str]) -> list[list[str]]:
    """The queries ``words`` could have meant with one word mistyped, as recorded words go.

    Words of one letter (initials) are taken as typed."""
    candidates = {w: edits1(w) for w in words if len(w) > 1}
    spellings = set().union(*candidates.values()) if candidates else set()
    if not spellings:
        return []
    vocabulary = table(ix.words, column("term"))
    known: set[str] = set(
        session.scalars(select(vocabulary.c.term).where(vocabulary.c.term.in_(sorted(spellings))))
    )
    readings: list[list[str]] = []
    for i, word in enumerate(words):
        rest = [*words[:i], *words[i + 1 :]]
        # A mistyped word is another word, not one of the others again ("van" -> "an" would
        # make "nguyen van an" find "Nguyễn Thị An").
        for other in sorted((candidates.get(word, set()) & known) - set(rest)):
            reading = [*words[:i], other, *words[i + 1 :]]
            if reading not in readings:
                readings.append(reading)
    return readings[:MAX_READINGS]


def restrict(
    stmt: Select[*Ts],
    ix: NameIndex,
    *,
    dialect: str,
    id_column: SQLColumnExpression[int],
    key: SQLColumnExpression[str],
    readings: Sequence[Sequence[str]],
    after_id: int,
) -> Select[*Ts]:
    """Rows whose key holds every word of at least one reading, after ``after_id`` in id order,
    found through the index."""
    match = or_(*(has_words(key, r) for r in readings))
    terms = [_fts_all(r) for r in readings]
    if dialect != "sqlite" or not all(terms):
        # PostgreSQL: the trigram index serves the LIKEs. SQLite: a query of punctuation only
        # has no word to look up, and is answered by reading the table.
        return stmt.where(id_column > after_id, match).order_by(id_column)
    # The matching rowids are read from FTS5 once, as a list: joining instead lets SQLite drive
    # from another index (a commune's residents) and run the MATCH once per row.
    fts = table(ix.name, column("rowid"))
    found = select(fts.c.rowid).where(
        literal_column(ix.name).op("MATCH")(" OR ".join(terms)), fts.c.rowid > after_id
    )
    return stmt.where(id_column.in_(found), match).order_by(id_column)


def _fts_all(words: Iterable[str]) -> str:
    phrases = ['"' + w.replace('"', '""') + '"' for w in words if any(c.isalnum() for c in w)]
    return "(" + " AND ".join(phrases) + ")" if phrases else ""


def excluding(key: SQLColumnExpression[str], words: Sequence[str]) -> ColumnElement[bool]:
    """Not an exact match of ``words`` (approximate matches come after, never twice)."""
    return not_(has_words(key, words))


__all__ = [
    "NameIndex",
    "create_statements",
    "drop_statements",
    "edits1",
    "excluding",
    "is_search_object",
    "one_typo_readings",
    "rebuild",
    "rebuild_statements",
    "restrict",
    "suspend",
    "suspend_statements",
]
