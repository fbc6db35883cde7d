"""Turn validated rows into the register's rows: the person and its first version, residences,
old ID numbers and households, exactly as one-by-one registration would write them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dancu.idnumber import IdNumber
from dancu.kit import bulk
from dancu.registry.importer.columns import RESIDENCE_KINDS
from dancu.registry.person.service import compact

PERSON_COLUMNS = ("id", "id_number", "version", "full_name", "name_key", "birth_year",
                  "birth_month", "birth_day", "sex", "phone", "commune_code", "province_code",
                  "status", "data", "created_at", "updated_at")  # fmt: skip
VERSION_COLUMNS = ("person_id", "version", "id_number", "recorded_at", "officer", "officer_id",
                   "action", "reason", "legal_reference", "changes")  # fmt: skip
RESIDENCE_COLUMNS = ("person_id", "kind", "address_line", "commune_code", "province_code",
                     "converted_from", "valid_from", "valid_to", "recorded_at", "recorded_by",
                     "officer_id", "reason")  # fmt: skip
HOUSEHOLD_COLUMNS = ("id", "household_number", "commune_code", "province_code", "address_line",
                     "version", "created_at")  # fmt: skip
MEMBER_COLUMNS = ("household_id", "person_id", "relation_to_head", "is_head", "joined_at",
                  "joined_reason", "joined_by")  # fmt: skip


@dataclass
class Batch:
    persons: list[tuple[Any, ...]] = field(default_factory=list)
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    residences: list[tuple[Any, ...]] = field(default_factory=list)
    old_ids: list[tuple[Any, ...]] = field(default_factory=list)
    households: list[tuple[Any, ...]] = field(default_factory=list)
    members: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What every row of a chunk shares, already encoded for the database."""

    officer: str
    officer_id: int | None
    reason: str
    at: str  # kit.bulk.timestamp
    today: str  # ISO date
    yes: Any  # kit.bulk.boolean(True) / (False)
    no: Any


def _relations(row: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for kind in ("father", "mother", "spouse"):
        if row[f"{kind}_name"] or row[f"{kind}_id_number"]:
            out.append({"kind": kind, "full_name": row[f"{kind}_name"] or "",
                        "id_number": row[f"{kind}_id_number"], "old_id_number": None,
                        "nationality_code": "VN"})  # fmt: skip
    return out


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """The record as PersonFields serialises it (the same keys the API reads back)."""
    old = row["old_id_n"]
    return {
        "full_name": row["full_name"], "other_names": [], "birth_date": row["birth_n"],
        "sex": row["sex_n"], "place_of_birth": row["place_of_birth"],
        "birth_registration_code": row["brc"], "birth_registration_place": None,
        "hometown": row["hometown"], "ethnicity_code": row["ethnicity_n"],
        "religion_code": row["religion_n"], "nationality_code": row["nationality_n"],
        "blood_group": row["blood_n"],
        "old_id_numbers": [{"number": old, "issued_on": None, "issued_place": None,
                            "expires_on": None}] if old else [],
        "relations": _relations(row), "marital_status": row["marital_status_n"],
        "phone": row["phone_n"], "email": row["email"], "temporary_absence": None,
        "residence_document_number": None,
    }  # fmt: skip


def _home(row: dict[str, Any]) -> tuple[str | None, str | None]:
    for kind in RESIDENCE_KINDS:
        if row[f"{kind}_code"]:
            return row[f"{kind}_code"], row[f"{kind}_province"]
    return None, None


def add_person(
    batch: Batch, ctx: Context, row: dict[str, Any], person_id: int, number: IdNumber
) -> None:
    data = snapshot(row)
    document = bulk.document(compact(data))
    commune, province = _home(row)
    number_text = str(number)
    batch.persons.append((
        person_id, number_text, 1, data["full_name"], f" {row['name_fold']} ", row["birth_y"],
        row["birth_m"], row["birth_d"], data["sex"], data["phone"], commune, province, "alive",
        document, ctx.at, ctx.at,
    ))  # fmt: skip
    # The first version is the record as imported; ``changes`` lists what later versions change.
    batch.versions.append(
        (
            person_id,
            1,
            number_text,
            ctx.at,
            ctx.officer,
            ctx.officer_id,
            "import",
            ctx.reason,
            None,
            "{}",
        )
    )
    if data["old_id_numbers"]:
        batch.old_ids.append((data["old_id_numbers"][0]["number"], person_id))
    for kind in RESIDENCE_KINDS:
        if row[f"{kind}_code"]:
            until = row["temporary_until_date"] if kind == "temporary" else None
            batch.residences.append((
                person_id, kind, row[f"{kind}_address"] or "", row[f"{kind}_code"],
                row[f"{kind}_province"], row[f"{kind}_from"], ctx.today,
                until.isoformat() if until else None, ctx.at, ctx.officer, ctx.officer_id,
                ctx.reason,
            ))  # fmt: skip
