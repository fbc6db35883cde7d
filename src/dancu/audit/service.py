"""record(): write an audit event in the caller's transaction, so it exists iff the act did;
record_read(): the same for reads, through the read journal where the session has one."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dancu.audit.journal import AuditJournal
from dancu.audit.models import AuditEvent
from dancu.auth.principal import Principal


def _event(
    principal: Principal,
    action: str,
    subject_type: str,
    subject_id: str,
    purpose: str | None,
    details: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "actor": principal.username,
        "actor_role": principal.role.value,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "purpose": purpose,
        "details": details or {},
    }


def record(
    session: Session,
    principal: Principal,
    *,
    action: str,
    subject_type: str,
    subject_id: str,
    purpose: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an event. ``action`` is ``context:subject:verb``; ``details`` must hold no personal
    data beyond identifiers (field names changed, counts), since the audit trail is widely read."""
    event = _event(principal, action, subject_type, subject_id, purpose, details)
    session.add(AuditEvent(**event))


def record_read(
    session: Session,
    principal: Principal,
    *,
    action: str,
    subject_type: str,
    subject_id: str,
    purpose: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Audit a read. Where the session carries a read journal (``session.info["audit_journal"]``,
    set by the API for read-only requests) the event is appended there and reaches
    ``audit_events`` within a second; otherwise it is written in the caller's transaction."""
    event = _event(principal, action, subject_type, subject_id, purpose, details)
    journal = session.info.get("audit_journal")
    if isinstance(journal, AuditJournal):
        journal.append(event)
    else:
        session.add(AuditEvent(**event))
