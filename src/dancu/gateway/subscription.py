"""Subscriptions to register events: webhooks (signed, retried with backoff, in order per
person, dead letters kept) and a pull feed for agencies that cannot take webhooks.

Webhook requests carry ``X-Dancu-Signature: t=<unix time>,v1=<hex>`` where ``v1`` is
HMAC-SHA256 under the subscription's secret of ``"<t>.<body>"``, and ``X-Dancu-Event-Id`` for
de-duplication (delivery is at least once). The body holds identifiers only — event id, type,
ID number, time, commune and province codes, the names of what changed — and the agency reads
the record itself through its lookup grant.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.gateway import access, agency
from dancu.gateway.agency import Caller
from dancu.gateway.errors import BadGrant, GrantNotFound, NotGranted
from dancu.gateway.models import Agency, Subscription
from dancu.jobs import JobStatus, enqueue, list_jobs
from dancu.jobs.service import retry
from dancu.kit.clock import now
from dancu.kit.sealing import Sealer
from dancu.registry.events import EVENT_TYPES, RegisterEvent

DELIVER_JOB = "gateway.deliver_event"
PULL_LAG = timedelta(seconds=2)  # events younger than this may still be behind an open commit
TIMEOUT_SECONDS = 10


def seal(value: str, deployment_secret: bytes) -> str:
    return Sealer(deployment_secret, "dancu webhook secrets").seal(value.encode())


def unseal(sealed: str, deployment_secret: bytes) -> str:
    return Sealer(deployment_secret, "dancu webhook secrets").open(sealed).decode()


def subscribe(
    session: Session,
    caller: Caller,
    *,
    purpose: str,
    event_types: list[str],
    webhook_url: str | None,
    provinces: list[str] | None,
    deployment_secret: bytes,
) -> tuple[Subscription, str | None]:
    """A new subscription within the caller's ``subscribe`` grant; returns the webhook signing
    secret (shown once) when there is a webhook."""
    grant = agency.grant_for(session, caller, "subscribe", purpose)
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown or not event_types:
        raise BadGrant(f"event types must be among {', '.join(EVENT_TYPES)}")
    if grant.provinces is not None and (provinces is None or set(provinces) - set(grant.provinces)):
        raise NotGranted(f"your grant covers provinces {', '.join(grant.provinces)} only")
    if webhook_url is not None and not webhook_url.startswith(("https://", "http://")):
        raise BadGrant("webhook_url must be an http(s) URL")
    secret = secrets.token_urlsafe(32) if webhook_url else None
    subscription = Subscription(
        agency_id=caller.agency_id,
        client_id=caller.client_id,
        purpose=purpose,
        event_types=sorted(set(event_types)),
        provinces=sorted(set(provinces)) if provinces else None,
        webhook_url=webhook_url,
        secret_sealed=seal(secret, deployment_secret) if secret else None,
    )
    session.add(subscription)
    session.flush()
    return subscription, secret


def subscriptions_of(session: Session, caller: Caller) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription)
            .where(Subscription.agency_id == caller.agency_id, Subscription.status == "active")
            .order_by(Subscription.id)
        )
    )


def own(session: Session, caller: Caller, subscription_id: int) -> Subscription:
    found = session.get(Subscription, subscription_id)
    if found is None or found.agency_id != caller.agency_id:
        raise GrantNotFound(f"you have no subscription {subscription_id}")
    return found


def _matches(subscription: Subscription, event: RegisterEvent) -> bool:
    return event.type in subscription.event_types and (
        subscription.provinces is None or event.province_code in subscription.provinces
    )


def _allowed(session: Session, subscription: Subscription, event: RegisterEvent) -> bool:
    """Whether the agency's grant still covers this event (checked at fan-out and delivery)."""
    caller = Caller(subscription.agency_id, "", subscription.client_id)
    try:
        grant = agency.grant_for(session, caller, "subscribe", subscription.purpose)
    except NotGranted:
        return False
    return grant.provinces is None or event.province_code in grant.provinces


def fan_out(session: Session, event_id: int) -> int:
    """Enqueue one delivery per webhook subscription that wants this event (idempotent: the
    dedupe key is the subscription and event)."""
    event = session.get_one(RegisterEvent, event_id)
    count = 0
    for subscription in session.scalars(
        select(Subscription).where(
            Subscription.status == "active", Subscription.webhook_url.is_not(None)
        )
    ):
        if _matches(subscription, event) and _allowed(session, subscription, event):
            enqueue(
                session,
                DELIVER_JOB,
                {"subscription_id": subscription.id, "event_id": event.id},
                ordering_key=f"subscription:{subscription.id}:person:{event.id_number}",
                dedupe_key=f"deliver:{subscription.id}:{event.id}",
                max_attempts=12,
            )
            count += 1
    return count


def event_body(event: RegisterEvent) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "type": event.type,
        "id_number": event.id_number,
        "occurred_at": event.occurred_at.isoformat(),
        "commune_code": event.commune_code,
        "province_code": event.province_code,
        "details": event.details,
    }


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def deliver(session: Session, subscription_id: int, event_id: int, deployment_secret: bytes) -> str:
    """POST one event to the subscription's webhook; raise (to be retried) unless it answers
    2xx. Returns the outcome recorded in the access record."""
    subscription = session.get_one(Subscription, subscription_id)
    event = session.get_one(RegisterEvent, event_id)
    if subscription.status != "active" or subscription.webhook_url is None:
        return "cancelled"
    code = session.get_one(Agency, subscription.agency_id).code
    caller = Caller(subscription.agency_id, code, subscription.client_id)
    if not _allowed(session, subscription, event):
        outcome = "not_granted"
    else:
        assert subscription.secret_sealed is not None
        body = json.dumps(event_body(event), ensure_ascii=False).encode()
        secret = unseal(subscription.secret_sealed, deployment_secret)
        _post(subscription.webhook_url, body, signature(secret, int(time.time()), body), event.id)
        outcome = "delivered"
    access.append(
        session,
        caller,
        request_id=f"event-{event.id}-{subscription.id}",
        operation="event",
        purpose=subscription.purpose,
        subject=event.id_number,
        fields=["type"],
        outcome=outcome,
    )
    return outcome


def _post(url: str, body: bytes, signed: str, event_id: int) -> None:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Dancu-Signature": signed,
            "X-Dancu-Event-Id": str(event_id),
            "User-Agent": "dancu-gateway",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RuntimeError(f"webhook unreachable: {type(exc).__name__}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"webhook answered {status}")


def pull(
    session: Session, caller: Caller, *, purpose: str, after: int, limit: int
) -> dict[str, Any]:
    """Events after ``after`` that the caller's subscriptions want, oldest first."""
    grant = agency.grant_for(session, caller, "subscribe", purpose)
    wanted = subscriptions_of(session, caller)
    types = sorted({t for s in wanted for t in s.event_types})
    stmt = (
        select(RegisterEvent)
        .where(
            RegisterEvent.id > after,
            RegisterEvent.type.in_(types),
            RegisterEvent.occurred_at <= now() - PULL_LAG,
        )
        .order_by(RegisterEvent.id)
        .limit(limit * 4)
    )
    events, last = [], after
    for event in session.scalars(stmt):
        last = event.id
        in_grant = grant.provinces is None or event.province_code in grant.provinces
        if in_grant and any(_matches(s, event) for s in wanted):
            events.append(event_body(event))
            if len(events) == limit:
                break
    access.append(
        session,
        caller,
        request_id=f"pull-{secrets.token_hex(8)}",
        operation="events",
        purpose=purpose,
        subject=None,
        fields=["events"],
        outcome=f"{len(events)} events",
    )
    return {"events": events, "next_cursor": last}


def dead_letters(session: Session, subscription: Subscription) -> list[dict[str, Any]]:
    dead = list_jobs(session, statuses=(JobStatus.DEAD.value,), kind=DELIVER_JOB, limit=1000)
    return [
        {
            "job_id": j.id,
            "event_id": j.payload["event_id"],
            "attempts": j.attempts,
            "last_error": j.last_error,
            "failed_at": j.finished_at,
        }
        for j in dead
        if j.payload.get("subscription_id") == subscription.id
    ]


def retry_dead_letter(session: Session, subscription: Subscription, job_id: int) -> None:
    if not any(d["job_id"] == job_id for d in dead_letters(session, subscription)):
        raise GrantNotFound(f"job {job_id} is not a dead letter of subscription {subscription.id}")
    retry(session, job_id)
