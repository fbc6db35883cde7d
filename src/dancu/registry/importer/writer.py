"""Write one chunk of validated rows with the database's fast path (kit.bulk)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.auth.principal import Principal
from dancu.idnumber import IdNumber
from dancu.idnumber import service as idnumbers
from dancu.kit import bulk
from dancu.kit.clock import now, today
from dancu.registry.household.models import Household
from dancu.registry.importer import rows as build
from dancu.registry.importer.reader import LINE
from dancu.registry.importer.validate import ERRORS_SCHEMA

# The normalised columns the writer reads (a narrower row is a cheaper dict).
WRITTEN = (
    LINE, "id_number", "id_digits", "full_name", "name_fold", "birth_n", "birth_y", "birth_m",
    "birth_d", "sex", "sex_n", "brc", "place_of_birth", "hometown", "ethnicity_n", "religion_n",
    "nationality_n", "blood_n", "marital_status_n", "phone", "phone_n", "email", "old_id_n",
    "household_number", "relation_to_head_n", "temporary_until_date",
    *(f"{k}_{c}" for k in ("permanent", "temporary", "current")
      for c in ("address", "code", "province", "from")),
    *(f"{k}_{c}" for k in ("father", "mother", "spouse") for c in ("id_number", "name")),
)  # fmt: skip


@dataclass(frozen=True)
class ChunkResult:
    imported: int
    rejects: pl.DataFrame


def _reject(row: dict[str, Any], field: str, reason: str) -> dict[str, Any]:
    return {LINE: row[LINE], "field": field, "value": row[field], "reason": reason}


def _conflicts(session: Session, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows the register already holds: their ID number, or their household's number."""
    given = [IdNumber.from_storage(r["id_digits"]) for r in records if r["id_number"]]
    held = {str(n) for n in idnumbers.taken(session, given)}
    numbers = {r["household_number"] for r in records if r["household_number"]}
    existing = (
        set(
            session.scalars(
                select(Household.household_number).where(Household.household_number.in_(numbers))
            )
        )
        if numbers
        else set()
    )
    rejects = [
        _reject(r, "id_number", "this ID number is already in the register")
        for r in records
        if r["id_number"] and r["id_digits"] in held
    ]
    rejects += [
        _reject(r, "household_number", "this household number is already in the register")
        for r in records
        if r["household_number"] in existing
    ]
    bad = {r[LINE] for r in rejects}
    heads_bad = {
        r["household_number"]: r[LINE]
        for r in records
        if r["relation_to_head_n"] == "head" and r[LINE] in bad
    }
    rejects += [
        _reject(
            r,
            "household_number",
            f"the household head's row (line {heads_bad[r['household_number']]}) was rejected",
        )
        for r in records
        if r["household_number"] in heads_bad and r[LINE] not in bad
    ]
    return rejects


def _numbers(session: Session, records: list[dict[str, Any]]) -> list[IdNumber]:
    given = [IdNumber.from_storage(r["id_digits"]) for r in records if r["id_number"]]
    idnumbers.record_issued(session, given)
    new = iter(
        idnumbers.allocate_many(
            session, [(r["brc"], r["sex_n"], r["birth_y"]) for r in records if not r["id_number"]]
        )
    )
    it_given = iter(given)
    return [next(it_given) if r["id_number"] else next(new) for r in records]


def _households(
    batch: build.Batch,
    ctx: build.Context,
    session: Session,
    records: list[dict[str, Any]],
    person_ids: list[int],
) -> None:
    heads = [
        (r, pid)
        for r, pid in zip(records, person_ids, strict=True)
        if r["household_number"] and r["relation_to_head_n"] == "head"
    ]
    ids = dict(
        zip(
            (r["household_number"] for r, _ in heads),
            bulk.reserve_ids(session, "households", len(heads)),
            strict=True,
        )
    )
    for r, _ in heads:
        batch.households.append(
            (
                ids[r["household_number"]],
                r["household_number"],
                r["permanent_code"],
                r["permanent_province"],
                r["permanent_address"] or "",
                1,
                ctx.at,
            )
        )
    for r, pid in zip(records, person_ids, strict=True):
        if r["household_number"]:
            batch.members.append(
                (
                    ids[r["household_number"]],
                    pid,
                    r["relation_to_head_n"],
                    ctx.yes if r["relation_to_head_n"] == "head" else ctx.no,
                    ctx.at,
                    ctx.reason,
                    ctx.officer,
                )
            )


def write_chunk(
    session: Session, principal: Principal, chunk: pl.DataFrame, *, reason: str
) -> ChunkResult:
    records = list(chunk.select(WRITTEN).iter_rows(named=True))
    rejects = _conflicts(session, records)
    bad = {r[LINE] for r in rejects}
    records = [r for r in records if r[LINE] not in bad]
    ctx = build.Context(
        principal.username,
        principal.officer_id,
        reason,
        bulk.timestamp(session, now()),
        today().isoformat(),
        bulk.boolean(session, True),
        bulk.boolean(session, False),
    )
    numbers = _numbers(session, records)
    person_ids = bulk.reserve_ids(session, "persons", len(records))
    batch = build.Batch()
    for record, pid, number in zip(records, person_ids, numbers, strict=True):
        build.add_person(batch, ctx, record, pid, number)
    _households(batch, ctx, session, records, person_ids)
    bulk.insert_rows(session, "persons", build.PERSON_COLUMNS, batch.persons)
    bulk.insert_rows(session, "person_versions", build.VERSION_COLUMNS, batch.versions)
    bulk.insert_rows(session, "person_old_id_numbers", ("number", "person_id"), batch.old_ids)
    bulk.insert_rows(session, "residences", build.RESIDENCE_COLUMNS, batch.residences)
    bulk.insert_rows(session, "households", build.HOUSEHOLD_COLUMNS, batch.households)
    bulk.insert_rows(session, "household_members", build.MEMBER_COLUMNS, batch.members)
    return ChunkResult(len(records), pl.DataFrame(rejects, schema=ERRORS_SCHEMA))
