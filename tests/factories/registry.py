from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dancu.auth.principal import SYSTEM, Principal
from dancu.registry.person.models import Person
from dancu.registry.person.schemas import PersonCreate
from dancu.registry.person.service import register_person

BA_DINH = "00004"  # Phường Ba Đình, Hà Nội (current)
NGOC_HA = "00008"  # Phường Ngọc Hà, Hà Nội (current)


def person_payload(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "full_name": "Nguyễn Văn An",
        "birth_date": "1990-05-21",
        "sex": "male",
        "birth_registration_code": "001",
        "ethnicity_code": "01",
        "religion_code": "00",
        "permanent_residence": {"address_line": "Số 1 Hoàng Diệu", "commune_code": BA_DINH},
    }
    body.update(over)
    return body


def make_person(session: Session, *, principal: Principal = SYSTEM, **over: Any) -> Person:
    return register_person(session, principal, PersonCreate.model_validate(person_payload(**over)))
