"""Job handlers of the gateway: fan register events out to subscriptions, deliver webhooks.

The deployment secret (which seals webhook secrets) comes from the settings the worker puts in
``session.info["settings"]``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dancu.config import Settings
from dancu.gateway import batch, subscription
from dancu.jobs import job
from dancu.linkage.review import BATCH_PAIR_DECIDED_JOB
from dancu.registry.events import PUBLISHED_JOB


def _secret(session: Session) -> bytes:
    settings = session.info.get("settings")
    if not isinstance(settings, Settings):
        raise RuntimeError("the worker's sessions carry no settings (session.info['settings'])")
    return settings.signing_key()


@job(PUBLISHED_JOB)
def fan_out(session: Session, payload: dict[str, Any]) -> None:
    subscription.fan_out(session, int(payload["event_id"]))


@job(subscription.DELIVER_JOB)
def deliver(session: Session, payload: dict[str, Any]) -> None:
    subscription.deliver(
        session, int(payload["subscription_id"]), int(payload["event_id"]), _secret(session)
    )


@job(batch.RUN_JOB)
def run_batch_check(session: Session, payload: dict[str, Any]) -> None:
    batch.run_chunk(session, int(payload["batch_id"]), int(payload["after_line"]))


@job(BATCH_PAIR_DECIDED_JOB)
def apply_review_decision(session: Session, payload: dict[str, Any]) -> None:
    batch.apply_decision(session, int(payload["pair_id"]))
