"""Whole-word name search, tolerant of one typo, backed by an index on both databases.

A *name index* covers a folded key column padded with spaces (" nguyen van an "), so a whole
word ``w`` is the substring ``" w "``, and *scope* columns (commune, province): a search inside
a jurisdiction then intersects in the index instead of reading every row of a common name.

* PostgreSQL: a GIN index (``array_ops``) on the row's *terms*, the words of the key plus one
  prefixed token per scope column (``{nguyen,van,an,c:26740,p:79}``), queried with
  ``terms @> ARRAY[...]``. Each word is one posting list and GIN intersects them rarest first,
  so common words ("nguyen", "van", "thi") cost little where their trigram lists were huge, and
  a commune is one more short list. Containment is exact: no row needs rechecking.
* SQLite: an FTS5 table (external content: the rows stay in the indexed table) over the key and
  the scope columns, tokenised into words and kept in sync by triggers; a LIKE then checks the
  few rows it returns (FTS5 also splits words at punctuation, whole words do not).

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Select,
    SQLColumnExpression,
    Text,
    and_,
    cast,
    column,
    literal,
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
    """An index over ``table.key`` (folded, space-padded), rows identified by ``table.id``;
    ``scopes`` are (token prefix, column) pairs indexed with the words."""

    table: str
    key: str
    id: str
    name: str  # search_...: the FTS5 table on SQLite; prefix of every other object
    scopes: tuple[tuple[str, str], ...] = ()

    @property
    def words(self) -> str:
        return f"{self.name}_words"

    @property
    def terms_index(self) -> str:
        return f"{self.name}_terms"

    @property
    def terms(self) -> str:
        """PostgreSQL: the row's words and scope tokens, spelt as the GIN index is (the planner
        uses an expression index only for the same expression). A NULL scope adds no token."""
        words = f"string_to_array(btrim({self.key}), ' ')"
        if not self.scopes:
            return words
        tokens = ", ".join(f"'{prefix}:' || {col}" for prefix, col in self.scopes)
        return f"({words} || array_remove(ARRAY[{tokens}], NULL))"

    def scope_token(self, col: str, value: str) -> str:
        prefix = next(p for p, c in self.scopes if c == col)
        return f"{prefix}:{value}"


def is_search_object(name: str | None) -> bool:
    """Objects this module manages (FTS5 and vocabulary tables, GIN index)."""
    return bool(name) and str(name).startswith(PREFIX)


# --- DDL ------------------------------------------------------------------------------------


def create_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Everything the index needs, for a migration; it starts filled from the current rows."""
    words = f"CREATE TABLE {ix.words} (term VARCHAR(200) NOT NULL PRIMARY KEY)"
    if dialect == "postgresql":
        return [words, _pg_function(ix), *rebuild_statements(ix, dialect)]
    columns = ", ".join([ix.key, *(col for _, col in ix.scopes)])
    return [
        f"CREATE VIRTUAL TABLE {ix.name} USING fts5({columns}, content='{ix.table}', "
        f"content_rowid='{ix.id}', tokenize='unicode61 remove_diacritics 0')",
        words + " WITHOUT ROWID",
        *rebuild_statements(ix, dialect),
    ]


def drop_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Undo ``create_statements``."""
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
            f"DROP INDEX IF EXISTS {ix.terms_index}",
        ]
    return [f"DROP TRIGGER IF EXISTS {ix.name}_{op}" for op in ("ai", "ad", "au")]


def rebuild_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Rebuild the index from the rows and maintain it again from now on."""
    if dialect == "postgresql":
        return [
            # GIN builds in memory before writing; the default 64 MB means many merge passes.
            "SET LOCAL maintenance_work_mem = '512MB'",
            f"CREATE INDEX IF NOT EXISTS {ix.terms_index} ON {ix.table} USING gin (({ix.terms}))",
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
    """Drop the triggers (and, on PostgreSQL, the GIN index) for a bulk load."""
    for statement in suspend_statements(ix, connection.dialect.name):
        connection.exec_driver_sql(statement)


def rebuild(connection: Connection, ix: NameIndex) -> None:
    """Rebuild from the rows (FTS5 ``'rebuild'``, vocabulary, GIN index) and re-arm."""
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
    columns = [ix.key, *(col for _, col in ix.scopes)]
    names = ", ".join(columns)
    add = (
        f"INSERT INTO {ix.name}(rowid, {names}) "
        f"VALUES (new.{ix.id}, {', '.join('new.' + c for c in columns)}); "
        f"INSERT OR IGNORE INTO {ix.words} (term) SELECT value FROM "
        f"{_sqlite_split('new.' + ix.key)} WHERE value <> '';"
    )
    remove = (
        f"INSERT INTO {ix.name}({ix.name}, rowid, {names}) "
        f"VALUES ('delete', old.{ix.id}, {', '.join('old.' + c for c in columns)});"
    )
    head = f"CREATE TRIGGER IF NOT EXISTS {ix.name}"
    return [
        f"{head}_ai AFTER INSERT ON {ix.table} BEGIN {add} END",
        f"{head}_ad AFTER DELETE ON {ix.table} BEGIN {remove} END",
        f"{head}_au AFTER UPDATE OF {names} ON {ix.table} BEGIN {remove} {add} END",
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


@dataclass(frozen=True)
class Reading:
    """What a query may have meant: every word of ``words`` and, if given, one of ``any_of``."""

    words: tuple[str, ...]
    any_of: tuple[str, ...] = ()


def one_typo_readings(session: Session, ix: NameIndex, words: Sequence[str]) -> list[Reading]:
    """The queries ``words`` could have meant with one word mistyped, as recorded words go: per
    word, the others and one of its recorded spellings one edit away.

    Words of one letter (initials) are taken as typed."""
    candidates = {w: edits1(w) for w in words if len(w) > 1}
    spellings = set().union(*candidates.values()) if candidates else set()
    if not spellings:
        return []
    vocabulary = table(ix.words, column("term"))
    known: set[str] = set(
        session.scalars(select(vocabulary.c.term).where(vocabulary.c.term.in_(sorted(spellings))))
    )
    readings: list[Reading] = []
    room = MAX_READINGS
    for i, word in enumerate(words):
        rest = tuple(dict.fromkeys([*words[:i], *words[i + 1 :]]))
        # A mistyped word is another word, not one of the others again ("van" -> "an" would
        # make "nguyen van an" find "Nguyễn Thị An").
        others = sorted((candidates.get(word, set()) & known) - set(rest))[:room]
        if others and all(r.words != rest for r in readings):
            readings.append(Reading(rest, tuple(others)))
            room -= len(others)
    return readings


def restrict(
    stmt: Select[*Ts],
    ix: NameIndex,
    *,
    dialect: str,
    id_column: SQLColumnExpression[int],
    key: SQLColumnExpression[str],
    readings: Sequence[Reading],
    scope: Mapping[str, str | None],
    after_id: int,
) -> Select[*Ts]:
    """Rows matching at least one reading and whose scope columns have the values given
    (``{"commune_code": "26740"}``; None: any), after ``after_id`` in id order, found through
    the index."""
    given = {col: value for col, value in scope.items() if value is not None}
    if dialect == "postgresql":
        match = or_(*(_pg_match(ix, r, given) for r in readings))
        return stmt.where(id_column > after_id, match).order_by(id_column)
    match = or_(*(_like(key, r) for r in readings))
    terms = [_fts_match(ix, r, given) for r in readings]
    if not all(terms):
        # A query of punctuation only has no word to look up: the table is read.
        in_scope = [literal_column(f"{ix.table}.{col}") == v for col, v in given.items()]
        return stmt.where(id_column > after_id, match, *in_scope).order_by(id_column)
    # The matching rowids are read from FTS5 once, as a list: joining instead lets SQLite drive
    # from another index (a commune's residents) and run the MATCH once per row.
    fts = table(ix.name, column("rowid"))
    found = select(fts.c.rowid).where(
        literal_column(ix.name).op("MATCH")(" OR ".join(terms)), fts.c.rowid > after_id
    )
    return stmt.where(id_column.in_(found), match).order_by(id_column)


def _tokens(ix: NameIndex, scope: Mapping[str, str]) -> list[str]:
    return [ix.scope_token(col, value) for col, value in scope.items()]


def _pg_match(ix: NameIndex, reading: Reading, scope: Mapping[str, str]) -> ColumnElement[bool]:
    """``terms @> ARRAY[words, scope tokens] [AND terms && ARRAY[any_of]]``: one GIN scan."""
    terms: ColumnElement[Any] = literal_column(ix.terms)
    match: ColumnElement[bool] = terms.op("@>")(_text_array([*reading.words, *_tokens(ix, scope)]))
    if reading.any_of:
        match = and_(match, terms.op("&&")(_text_array(reading.any_of)))
    return match


def _text_array(values: Sequence[str]) -> ColumnElement[Any]:
    return cast(literal(list(values), ARRAY(Text)), ARRAY(Text))


def _like(key: SQLColumnExpression[str], reading: Reading) -> ColumnElement[bool]:
    one_of = [or_(*(whole_word(key, w) for w in reading.any_of))] if reading.any_of else []
    return and_(has_words(key, reading.words), *one_of)


def _fts_match(ix: NameIndex, reading: Reading, scope: Mapping[str, str]) -> str:
    """``name_key : "nguyen" AND ... AND commune_code : "26740"``; "" where no word is left."""
    words = [f"{ix.key} : {_quoted(w)}" for w in reading.words if _is_word(w)]
    one_of = [f"{ix.key} : {_quoted(w)}" for w in reading.any_of if _is_word(w)]
    if (reading.any_of and not one_of) or not (words or one_of):
        return ""
    either = ["(" + " OR ".join(one_of) + ")"] if one_of else []
    in_scope = [f"{col} : {_quoted(value)}" for col, value in scope.items()]
    return "(" + " AND ".join([*words, *either, *in_scope]) + ")"


def _is_word(term: str) -> bool:
    return any(c.isalnum() for c in term)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def excluding(key: SQLColumnExpression[str], words: Sequence[str]) -> ColumnElement[bool]:
    """Not an exact match of ``words`` (approximate matches come after, never twice)."""
    return not_(has_words(key, words))


__all__ = [
    "NameIndex",
    "Reading",
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
