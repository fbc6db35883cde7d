"""Agencies' rows scored against the register a chunk at a time (the gateway's batch check).

A register of 100 million residents is never copied out for this: each row's candidates are
fetched through the register's own indexes — the ID number (also a cancelled or old 9-digit
one), the phone, and the name search (every word of the folded name, with the birth year when
the row has one; one typo tolerated when nothing else is found) — and the chunk's rows and their
candidates are scored by the register's model (``registermodel``), which carries the register's
name frequencies so that a small candidate set still knows "nguyen" is common.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from sqlalchemy.orm import Session

from dancu.kit.errors import DancuError
from dancu.kit.partial_date import PartialDate, PartialDateError
from dancu.kit.text import fold
from dancu.linkage.engine import LinkageModel, best_matches, predict
from dancu.linkage.link import FIELDS, decide, person_records
from dancu.linkage.prepare import prepare_people
from dancu.registry.person import repository
from dancu.registry.person.models import Person
from dancu.registry.person.service import find

PER_ROW = 20  # candidates fetched per way of looking a row up


@dataclass(frozen=True)
class Scored:
    id_number: str | None  # the best candidate, if any scored above the review threshold
    probability: float | None
    weight: float | None
    decision: str  # match / review / no_match


def _year(text: str | None) -> PartialDate | None:
    if not text or not text[:4].isdigit():
        return None
    try:
        return PartialDate(int(text[:4]))
    except PartialDateError:
        return None


def _by_number(session: Session, number: str) -> Person | None:
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) not in (9, 12):
        return None
    try:
        return find(session, digits)
    except DancuError:
        return None


def candidates(session: Session, row: dict[str, str]) -> list[Person]:
    """The residents a row could be, through indexes only."""
    found: dict[int, Person] = {}
    for number in (row.get("id_number"), row.get("old_id_number")):
        person = _by_number(session, number) if number else None
        if person is not None:
            found[person.id] = person
    phone = "".join(ch for ch in row.get("phone") or "" if ch.isdigit())
    if len(phone) >= 9:
        local = "0" + phone[2:] if phone.startswith("84") else phone
        for person in repository.by_phone(session, local, limit=PER_ROW):
            found[person.id] = person
    words = fold(row.get("full_name") or "").split()
    if words:
        birth = _year(row.get("birth_date"))

        def named(typo: bool) -> list[Person]:
            return repository.search(session, words=words, typo=typo, birth=birth,
                                     commune_code=None, province_code=None, after_id=0,
                                     limit=PER_ROW)  # fmt: skip

        found.update((person.id, person) for person in named(False) or named(True))
    return list(found.values())


def _records(rows: Sequence[dict[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {f: [str(i) if f == "record_key" else (row.get(f) or None) for i, row in
             enumerate(rows)] for f in FIELDS},
        schema={f: pl.String for f in FIELDS},
    )  # fmt: skip


def score_rows(
    session: Session,
    model: LinkageModel,
    rows: Sequence[dict[str, str]],
    *,
    match: float,
    review: float,
) -> list[Scored]:
    """One ``Scored`` per row, in order."""
    people: dict[int, Person] = {}
    for row in rows:
        people.update((p.id, p) for p in candidates(session, row))
    nobody = Scored(None, None, None, "no_match")
    if not people or not rows:
        return [nobody] * len(rows)
    register = person_records(list(people.values()))
    best = best_matches(
        predict(model, prepare_people(register), prepare_people(_records(rows)), threshold=review)
    )
    scored = best.select(
        "record_id",
        register["record_key"].gather(best["register_id"]).alias("id_number"),
        "match_probability",
        "match_weight",
        decide(pl.col("match_probability"), match=match, review=review).alias("decision"),
    )
    by_row = {
        int(r[0]): Scored(r[1], round(r[2], 6), round(r[3], 4), r[4]) for r in scored.iter_rows()
    }
    return [by_row.get(i, nobody) for i in range(len(rows))]
