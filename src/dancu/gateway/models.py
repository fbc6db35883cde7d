"""Gateway tables: agencies, their API clients and grants, citizens' consents, the
hash-chained access records, and the token signing keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from dancu.kit.clock import now
from dancu.kit.db import Base, UTCDateTime


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # ministry | province | bank | other
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | suspended
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(64))


class ApiClient(Base):
    """A system of an agency. The secret is 32 random bytes; only its SHA-256 is kept (a
    high-entropy secret needs no slow hash). ``public_jwk`` enables private_key_jwt."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_sha256: Mapped[str | None] = mapped_column(String(64))
    public_jwk: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | revoked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Grant(Base):
    """What an agency may do: operations, fields, purposes, provinces (None: all), rate."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    operations: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    provinces: Mapped[list[str] | None] = mapped_column(JSON)
    requires_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=600)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | suspended
    legal_basis: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Consent(Base):
    """A citizen's consent for an agency (a bank) to read their data for a purpose."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_person_agency", "person_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    purpose: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class AccessRecord(Base):
    """One gateway call, written in the call's transaction. Append-only. Sealing (shortly
    after, in sealing order) links it into its chain: ``position`` is its place there and
    ``hash`` covers the record and the previous record's hash, so any change, deletion or
    reordering of a sealed record breaks the chain. Unsealed: all three are null."""

    __tablename__ = "access_records"
    __table_args__ = (
        Index("ix_access_records_subject", "subject", "id"),
        Index("ix_access_records_chain", "chain", "position"),
        Index("ix_access_records_agency_at", "agency_id", "at"),
        # What the sealer looks for: only the few records not yet sealed are in it.
        Index(
            "ix_access_records_unsealed",
            "id",
            sqlite_where=text("position IS NULL"),
            postgresql_where=text("position IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    request_id: Mapped[str] = mapped_column(String(40))
    agency_id: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(12))  # the ID number asked about
    fields: Mapped[list[str]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(24))
    position: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AccessChainHead(Base):
    """The end of each chain: its last record, hash and length. Only the sealer writes it
    (its row lock serialises sealers of several processes)."""

    __tablename__ = "access_chain_heads"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(Integer, default=0)


class GatewayGeneration(Base):
    """One row counting changes to agencies, clients and grants (bumped in the changing
    transaction, see ``agency``): a process keeps grants in memory while this is unchanged,
    and every call reads it, so a suspension still takes effect on the next call."""

    __tablename__ = "gateway_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer)


def _bump_generation(_mapper: Any, connection: Connection, _target: Any) -> None:
    connection.execute(
        update(GatewayGeneration)
        .where(GatewayGeneration.id == 1)
        .values(value=GatewayGeneration.value + 1)
    )


# Every ORM change to an agency, a client or a grant bumps the generation in its own flush,
# hence in its transaction: no code path can change them and leave a cache believing otherwise.
for _model in (Agency, ApiClient, Grant):
    for _event in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _event, _bump_generation)


class SigningKey(Base):
    """The gateway's token signing keys (ES256). The newest active key signs; retired keys stay
    in the JWKS until tokens they signed have expired."""

    __tablename__ = "gateway_signing_keys"

    kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    private_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Subscription(Base):
    """An agency's subscription to register events of some types, within its grant's
    geography: delivered to ``webhook_url`` (signed with HMAC-SHA256 under the subscription's
    secret, sealed at rest) or, without one, read from the pull feed."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(64))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    provinces: Mapped[list[str] | None] = mapped_column(JSON)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class BatchCheck(Base):
    """An agency's file of its own records, checked against the register row by row in the
    background (a chain of jobs of ``CHUNK`` rows each, so it survives a restart)."""

    __tablename__ = "batch_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))  # queued | running | done | failed
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_matched: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BatchCheckRow(Base):
    """One input row (the agency's values) and, once checked, its result."""

    __tablename__ = "batch_check_rows"

    batch_id: Mapped[int] = mapped_column(ForeignKey("batch_checks.id"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    given: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
