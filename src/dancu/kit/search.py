"""Whole-word name search, tolerant of one typo, backed by an index on both databases.

A *name index* covers a folded key column padded with spaces (" nguyen van an "), so a whole
word ``w`` is the substring ``" w "``, and *scope* columns (commune, province): a search inside
a jurisdiction then intersects in the index instead of reading every row of a common name.

* PostgreSQL: a GIN index (``array_ops``) on the row's *terms* (an immutable function of the
  key and scope columns): its words, every pair of them, a prefixed token per scope column or,
  for a *worded* scope (the commune), one per word (``{nguyen,van,an,"nguyen van","an nguyen",
  "an van",p:79,c:26740:nguyen,c:26740:van,c:26740:an}``), queried with ``terms @> ARRAY[...]``.
  GIN intersects posting lists rarest first, but reads most of each list it is given: a name
  made of common words ("nguyen", "van", "thi") costs the list of its rarest *pair*, and a
  search in a commune that of its rarest word *there*, not that of the whole population.
  Containment is exact: no row needs rechecking. Without a commune, the next ids are first
  read in id order, checking each name (``find``): common names fill a page there at once,
  and only names rare enough to fetch all their matches go to the index.
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

import math
import string
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Select,
    SQLColumnExpression,
    Text,
    and_,
    any_,
    cast,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.orm import Session

PREFIX = "search_"
ALPHABET = string.ascii_lowercase
# Beyond this many one-typo readings of a query the query is too vague to be worth it.
MAX_READINGS = 120

T = TypeVar("T")
# PostgreSQL: a search reads W ids in id order, checking each name, before asking the GIN index
# (``find``). Reading them costs W x c (a fraction of a microsecond each); a name with fewer
# than a page of p matches among them has about p/W x N left, which the index fetches at g
# (some microseconds) each. The sum is least for W = sqrt(g/c x p x N); g/c measured ~2.
WALK_FACTOR = 2


@dataclass(frozen=True)
class NameIndex:
    """An index over ``table.key`` (folded, space-padded), rows identified by ``table.id``;
    ``scopes`` are (token prefix, column) pairs indexed with the words."""

    table: str
    key: str
    id: str
    name: str  # search_...: the FTS5 table on SQLite; prefix of every other object
    scopes: tuple[tuple[str, str], ...] = ()
    # PostgreSQL: scopes whose token is joined to every word ("c:26740:nguyen") rather than
    # indexed alone, so that a search inside one reads posting lists of its size.
    worded: tuple[str, ...] = ()

    @property
    def words(self) -> str:
        return f"{self.name}_words"

    @property
    def terms_index(self) -> str:
        return f"{self.name}_terms"

    @property
    def terms_function(self) -> str:
        return f"{self.name}_terms_of"

    @property
    def terms(self) -> str:
        """PostgreSQL: the row's terms (``_terms_function``), spelt as the GIN index is (the
        planner uses an expression index only for the same expression)."""
        return f"{self.terms_function}({', '.join([self.key, *(c for _, c in self.scopes)])})"

    def prefix(self, col: str) -> str:
        return next(p for p, c in self.scopes if c == col)

    def scope_token(self, col: str, value: str) -> str:
        return f"{self.prefix(col)}:{value}"


def is_search_object(name: str | None) -> bool:
    """Objects this module manages (FTS5 and vocabulary tables, GIN index)."""
    return bool(name) and str(name).startswith(PREFIX)


# --- DDL ------------------------------------------------------------------------------------


def create_statements(ix: NameIndex, dialect: str) -> list[str]:
    """Everything the index needs, for a migration; it starts filled from the current rows."""
    words = f"CREATE TABLE {ix.words} (term VARCHAR(200) NOT NULL PRIMARY KEY)"
    if dialect == "postgresql":
        return [words, _pg_function(ix), _terms_function(ix), *rebuild_statements(ix, dialect)]
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
            f"DROP FUNCTION IF EXISTS {ix.terms_function}",
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


def _terms_function(ix: NameIndex) -> str:
    """The GIN index's terms of a row: its words; every pair of them ("an nguyen", the two in
    byte order), so that words common alone but rare together intersect short lists; a token
    per scope ("p:79"), or, for a worded scope, per word ("c:26740:nguyen"). NULL scopes add
    nothing. ``_pg_terms`` spells queries alike."""
    alone = [
        f"  IF {c} IS NOT NULL THEN terms := terms || ('{p}:' || {c}); END IF;\n"
        for p, c in ix.scopes
        if p not in ix.worded
    ]
    worded = [
        f"    IF {c} IS NOT NULL THEN terms := terms || ('{p}:' || {c} || ':' || w[i]); END IF;\n"
        for p, c in ix.scopes
        if p in ix.worded
    ]
    args = ", ".join(f"{c} text" for c in [ix.key, *(c for _, c in ix.scopes)])
    return (
        f"CREATE OR REPLACE FUNCTION {ix.terms_function}({args}) RETURNS text[]\n"
        f"LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$\n"
        f"DECLARE\n  w text[] := string_to_array(btrim({ix.key}), ' ');\n"
        f"  terms text[] := w;\nBEGIN\n{''.join(alone)}"
        f"  FOR i IN 1 .. coalesce(cardinality(w), 0) LOOP\n{''.join(worded)}"
        f"    FOR j IN i + 1 .. cardinality(w) LOOP\n"
        f'      terms := terms || (least(w[i] COLLATE "C", w[j] COLLATE "C") || \' \' ||\n'
        f'        greatest(w[i] COLLATE "C", w[j] COLLATE "C"));\n'
        f"    END LOOP;\n  END LOOP;\n  RETURN terms;\nEND $$"
    )


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
    return and_(true(), *(whole_word(key, w) for w in words))


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
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: one statement text for every query, where an IN list of a
        # thousand parameters is planned anew (and, once prepared, now and then slowly).
        among = vocabulary.c.term == any_(_text_array(sorted(spellings)))
    else:
        among = vocabulary.c.term.in_(sorted(spellings))
    known: set[str] = set(session.scalars(select(vocabulary.c.term).where(among)))
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


def find(
    session: Session,
    stmt: Select[T],
    ix: NameIndex,
    *,
    id_column: SQLColumnExpression[int],
    key: SQLColumnExpression[str],
    readings: Sequence[Reading],
    scope: Mapping[str, str | None],
    after_id: int,
    limit: int,
) -> list[T]:
    """The first ``limit`` rows of ``stmt`` after ``after_id`` in id order that match at least
    one reading and whose scope columns have the values given (``{"commune_code": "26740"}``;
    None: any), found through the index.

    PostgreSQL, no worded scope given: the next ``walk_window`` ids are read in id order first,
    each name checked as it comes (a common name fills the page within a few rows, which no
    index lookup can beat); only if they hold fewer than ``limit`` matches is the GIN index
    asked for the rest, and those are then rare enough (density below ``limit / window``) to
    fetch all."""
    given = {col: value for col, value in scope.items() if value is not None}
    if session.get_bind().dialect.name != "postgresql":
        stmt = _fts_restrict(stmt, ix, id_column, key, readings, given, after_id)
        return list(session.scalars(stmt.limit(limit)))
    found: list[T] = []
    if not any(ix.prefix(col) in ix.worded for col in given):
        newest = session.scalar(select(func.max(id_column))) or 0
        end = after_id + walk_window(limit, newest)
        walk = _in_scope(ix, given, or_(*(_like(key, r) for r in readings)))
        window = (id_column > after_id, id_column <= end)
        found = list(session.scalars(stmt.where(*window, walk).order_by(id_column).limit(limit)))
        if len(found) >= limit or end >= newest:
            return found
        after_id = end
    match = or_(*(_pg_match(ix, r, given) for r in readings))
    rest = stmt.where(id_column > after_id, match).order_by(id_column).limit(limit - len(found))
    with bitmap_scans(session.connection()):
        return found + list(session.scalars(rest))


def walk_window(limit: int, newest: int) -> int:
    """How many ids to read in order first, for a page of ``limit`` among ids up to ``newest``
    (``WALK_FACTOR``): about 6,500 for a page of 21 among a million, 20,500 among ten million."""
    return math.isqrt(WALK_FACTOR * limit * newest)


@contextmanager
def bitmap_scans(connection: Connection) -> Iterator[None]:
    """Statements in the block read indexes through bitmaps only. For ``ORDER BY id LIMIT n``
    over words it deems common together the planner walks the primary key, expecting a match
    every few rows; where the words rarely meet ("tran thu van") it reads the whole table.
    (JIT too is off: the costs of a bitmap over common words call for it, and compiling takes
    longer than the scan.)"""
    settings = ("enable_seqscan", "enable_indexscan", "jit")
    read = ", ".join(f"current_setting('{name}')" for name in settings)
    before = connection.exec_driver_sql(f"SELECT {read}").one()
    connection.exec_driver_sql("; ".join(f"SET LOCAL {name} = off" for name in settings))
    try:
        yield
    finally:
        connection.exec_driver_sql(
            "; ".join(f"SET LOCAL {n} = {v}" for n, v in zip(settings, before, strict=True))
        )


def _in_scope(
    ix: NameIndex, scope: Mapping[str, str], *conditions: ColumnElement[bool]
) -> ColumnElement[bool]:
    in_scope = [literal_column(f"{ix.table}.{col}") == v for col, v in scope.items()]
    return and_(*conditions, *in_scope)


def _fts_restrict(
    stmt: Select[T],
    ix: NameIndex,
    id_column: SQLColumnExpression[int],
    key: SQLColumnExpression[str],
    readings: Sequence[Reading],
    scope: Mapping[str, str],
    after_id: int,
) -> Select[T]:
    """SQLite: the rows FTS5 finds, checked by LIKE (FTS5 also splits words at punctuation)."""
    match = or_(*(_like(key, r) for r in readings))
    terms = [_fts_match(ix, r, scope) for r in readings]
    if not all(terms):
        # A query of punctuation only has no word to look up: the table is read.
        return stmt.where(id_column > after_id, _in_scope(ix, scope, match)).order_by(id_column)
    # The matching rowids are read from FTS5 once, as a list: joining instead lets SQLite drive
    # from another index (a commune's residents) and run the MATCH once per row.
    fts = table(ix.name, column("rowid"))
    found = select(fts.c.rowid).where(
        literal_column(ix.name).op("MATCH")(" OR ".join(terms)), fts.c.rowid > after_id
    )
    return stmt.where(id_column.in_(found), match).order_by(id_column)


def _pg_match(ix: NameIndex, reading: Reading, scope: Mapping[str, str]) -> ColumnElement[bool]:
    """``terms @> ARRAY[every] [AND terms && ARRAY[one_of]]``: one GIN scan."""
    every, one_of = _pg_terms(ix, reading, scope)
    terms: ColumnElement[Any] = literal_column(ix.terms)
    match = [terms.op("@>")(_text_array(every))] if every else []
    return and_(*match, *([terms.op("&&")(_text_array(one_of))] if one_of else []))


def _pg_terms(
    ix: NameIndex, reading: Reading, scope: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The index terms a row matching ``reading`` has all of, and those it has one of. Inside a
    worded scope: its words ("c:26740:nguyen"). Elsewhere pairs of words, the lists GIN then
    intersects being those of names with both words: "an nguyen" (and, for the word read
    otherwise, "an lan", "an thanh"...), not "nguyen" (a third of everyone)."""
    alone = [ix.scope_token(c, v) for c, v in scope.items() if ix.prefix(c) not in ix.worded]
    worded = [ix.scope_token(c, v) for c, v in scope.items() if ix.prefix(c) in ix.worded]
    words = sorted(set(reading.words))
    if worded:
        every = [f"{token}:{w}" for token in worded for w in words]
        return [*every, *alone], [f"{token}:{w}" for token in worded for w in reading.any_of]
    if not words:
        return alone, list(reading.any_of)
    pairs = [f"{a} {b}" for i, a in enumerate(words) for b in words[i + 1 :]]
    if not reading.any_of:
        return [*(pairs or words), *alone], []
    return [*pairs, *alone], [" ".join(sorted((words[0], w))) for w in reading.any_of]


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
    "WALK_FACTOR",
    "NameIndex",
    "Reading",
    "bitmap_scans",
    "create_statements",
    "drop_statements",
    "edits1",
    "excluding",
    "find",
    "is_search_object",
    "one_typo_readings",
    "rebuild",
    "rebuild_statements",
    "suspend",
    "suspend_statements",
    "walk_window",
]
