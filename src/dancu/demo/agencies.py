"""Demo agencies: social insurance (verify and look up, all provinces) and a bank (verify;
look up name and birth date only with the citizen's consent), with public demo credentials."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dancu.auth.principal import SYSTEM
from dancu.gateway import agency
from dancu.gateway.models import Agency
from dancu.gateway.schemas import AgencyCreate, GrantCreate
from dancu.kit.db import unit_of_work


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: str
    client_id: str
    secret: str
    grant: dict[str, object]
    summary: str


DEMO_AGENCIES = (
    DemoAgency(
        "bhxh", "Bảo hiểm xã hội Việt Nam", "ministry", "bhxh-demo", "dancu-bhxh-demo-2026",
        {"operations": ["verify", "lookup", "batch", "subscribe"],
         "fields": ["full_name", "birth_date", "sex", "status", "permanent_residence"],
         "purposes": ["social-insurance", "health-insurance"],
         "legal_basis": "Law on Social Insurance 2024; Decree 13/2023 Art. 17"},
        "verify, lookup (name, birth date, sex, status, permanent residence), batch check, "
        "event subscriptions; all provinces",
    ),
    DemoAgency(
        "vcb", "Ngân hàng TMCP Ngoại thương Việt Nam", "bank", "vcb-demo", "dancu-vcb-demo-2026",
        {"operations": ["verify", "lookup"], "fields": ["full_name", "birth_date"],
         "purposes": ["banking-kyc"], "requires_consent": True, "rate_per_minute": 120,
         "legal_basis": "Decree 13/2023 Art. 11 (consent); Law 26/2023 Art. 22"},
        "verify; lookup of name and birth date with the citizen's consent",
    ),
)  # fmt: skip


def ensure_agencies(factory: sessionmaker[Session]) -> tuple[DemoAgency, ...]:
    with unit_of_work(factory) as session:
        for demo in DEMO_AGENCIES:
            if session.scalar(select(Agency.id).where(Agency.code == demo.code)) is not None:
                continue
            agency.create_agency(
                session, SYSTEM, AgencyCreate(code=demo.code, name=demo.name, kind=demo.kind)
            )
            agency.create_grant(session, SYSTEM, demo.code, GrantCreate.model_validate(demo.grant))
            agency.create_client(
                session, SYSTEM, demo.code, None, fixed=(demo.client_id, demo.secret)
            )
    return DEMO_AGENCIES
