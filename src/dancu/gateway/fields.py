"""The register fields an agency can be granted, each a path into the person's record, and the
operations and purposes a grant names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

OPERATIONS = ("verify", "lookup", "batch", "subscribe")

# field name -> what it is (shown to administrators and in the access log)
FIELDS: dict[str, str] = {
    "id_number": "the personal ID number (batch checks of records that lack one)",
    "full_name": "full name",
    "other_names": "other names",
    "birth_date": "date of birth (may be partial)",
    "sex": "sex",
    "status": "alive, dead or missing",
    "death_date": "date of death",
    "birth_registration_place": "place of birth registration",
    "place_of_birth": "place of birth",
    "hometown": "place of origin (quê quán)",
    "ethnicity_code": "ethnic group (GSO code)",
    "religion_code": "religion",
    "nationality_code": "nationality",
    "blood_group": "blood group",
    "marital_status": "marital status",
    "phone": "phone number",
    "email": "e-mail address",
    "old_id_numbers": "former 9-digit ID numbers",
    "relations": "parents, spouse, children, representatives",
    "permanent_residence": "permanent residence",
    "temporary_residence": "temporary residence",
    "current_residence": "current residence",
    "household": "household number and relation to the head",
}

# Purpose codes; every call names one of its grant's purposes.
PURPOSES: dict[str, str] = {
    "social-insurance": "social insurance enrolment and benefits",
    "health-insurance": "health insurance",
    "tax": "tax registration",
    "education": "school enrolment",
    "banking-kyc": "bank customer identification (with the citizen's consent)",
    "social-support": "social-support payments",
    "vaccination": "vaccination campaigns",
    "civil-status": "civil status registration",
    "statistics": "official statistics",
}


def project(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """Only ``fields`` of a person's record (``PersonRead`` as JSON), always with the ID
    number; residences by kind, the household reduced to its number and relation."""
    residences = {r["kind"]: r for r in record.get("residences", [])}
    out: dict[str, Any] = {"id_number": record["id_number"]}
    for name in fields:
        if name == "id_number":
            continue
        if name.endswith("_residence"):
            out[name] = residences.get(name.removesuffix("_residence"))
        elif name == "household":
            household = record.get("household")
            out[name] = (
                {k: household[k] for k in ("household_number", "relation_to_head", "is_head")}
                if household
                else None
            )
        else:
            out[name] = record.get(name)
    return out
