"""Clerical review of record linkage: runs and their versioned models stored in the database, the
queue of candidate pairs an officer decides, the precision those decisions show, and the
re-estimation of a model's m probabilities from the pairs officers confirmed.

Reviewing is for the centre (every pair) and province officers (pairs whose register-side record
is in their province); a pair outside one's jurisdiction does not exist for one (404, so the
queue reveals nothing). Every read of a pair and every decision is audited, identifiers only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl
from sqlalchemy import (
    ColumnElement,
    Integer,
    case,
    func,
    insert,
    literal_column,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dancu.audit.service import record, record_read
from dancu.auth.principal import Principal, Role
from dancu.jobs import enqueue
from dancu.kit.clock import now
from dancu.kit.errors import Conflict, InvalidInput, NotFound, RuleViolation
from dancu.linkage.engine import LinkageModel, ModelVersionError
from dancu.linkage.models import LinkageModelRow, LinkageRun, ReviewPair
from dancu.linkage.prepare import prepare_people
from dancu.linkage.relearn import MissingColumns, estimate_m_from_matches

RECORD_FIELDS: Final = (
    "id_number", "old_id_number", "full_name", "birth_date", "sex", "permanent_commune", "phone",
)  # fmt: skip
RUN_KINDS: Final = ("link", "dedupe", "batch")
RUN_STATUSES: Final = ("running", "done", "failed")
DECISIONS: Final = ("match", "not_match")
STATUSES: Final = ("pending", *DECISIONS)
BANDS: Final = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0))
MIN_LABELS: Final = 10
# A decision on a pair queued by the gateway's batch check goes back to the agency's row (a job
# the gateway handles: linkage does not reach into the gateway).
BATCH_PAIR_DECIDED_JOB: Final = "linkage.batch_pair_decided"
MAX_PAGE: Final = 200
REVIEWERS: Final = (Role.CENTRAL_ADMIN, Role.PROVINCE_OFFICER)


class ReviewPairNotFound(NotFound):
    code = "linkage.review_pair.not_found"


class ReviewPairDecided(Conflict):
    code = "linkage.review_pair.already_decided"


class LinkageRunNotFound(NotFound):
    code = "linkage.run.not_found"


class LinkageModelNotFound(NotFound):
    code = "linkage.model.not_found"


class LinkageModelUnreadable(RuleViolation):
    code = "linkage.model.unreadable"


class TooFewLabels(InvalidInput):
    code = "linkage.model.too_few_labels"


@dataclass(frozen=True)
class PairIn:
    """A candidate pair for review: refs (the register's ID number, or the file's record key),
    both records as display strings of ``RECORD_FIELDS``, the score, and per compared field
    "agree" / "differ" / "missing". ``province_code`` is the register-side record's."""

    left_ref: str
    right_ref: str
    left: dict[str, str | None]
    right: dict[str, str | None]
    probability: float
    weight: float
    agreement: dict[str, str]
    province_code: str | None = None


# Runs and models ---------------------------------------------------------------------------


def open_run(
    session: Session,
    *,
    kind: str,
    source: str,
    params: dict[str, Any],
    username: str,
    model_id: int | None = None,
) -> LinkageRun:
    """Start a run (status ``running``); ``finish_run`` closes it with its counts."""
    if kind not in RUN_KINDS:
        raise InvalidInput(f"a linkage run is one of {', '.join(RUN_KINDS)}, not {kind!r}")
    run = LinkageRun(kind=kind, source=source, status="running", params=params, counts={},
                     model_id=model_id, created_by=username)  # fmt: skip
    session.add(run)
    session.flush()
    return run


def add_pairs(session: Session, run: LinkageRun, pairs: Iterable[PairIn]) -> int:
    """Queue pairs for review (status ``pending``) in one bulk insert; returns how many."""
    rows = [
        {"run_id": run.id, "left_ref": p.left_ref, "right_ref": p.right_ref,
         "left_record": _display(p.left), "right_record": _display(p.right),
         "match_probability": float(p.probability), "match_weight": float(p.weight),
         "agreement": dict(p.agreement), "province_code": p.province_code, "status": "pending"}
        for p in pairs
    ]  # fmt: skip
    if rows:
        session.execute(insert(ReviewPair), rows)
    return len(rows)


def _display(values: dict[str, str | None]) -> dict[str, str | None]:
    return {f: None if values.get(f) is None else str(values[f]) for f in RECORD_FIELDS}


def finish_run(
    session: Session, run: LinkageRun, counts: dict[str, int], *, status: str = "done"
) -> None:
    if status not in RUN_STATUSES:
        raise InvalidInput(f"a run ends {' or '.join(RUN_STATUSES[1:])}, not {status!r}")
    run.status, run.counts, run.finished_at = status, dict(counts), now()
    session.flush()


def get_run(session: Session, run_id: int) -> LinkageRun:
    run = session.get(LinkageRun, run_id)
    if run is None:
        raise LinkageRunNotFound(f"there is no linkage run {run_id}")
    return run


def list_runs(
    session: Session, principal: Principal, *, before_id: int | None = None, limit: int = 50
) -> Sequence[LinkageRun]:
    """The newest runs first (counts only, no personal data)."""
    principal.require_role(*REVIEWERS, Role.AUDITOR)
    query = select(LinkageRun).order_by(LinkageRun.id.desc()).limit(_limit(limit))
    if before_id is not None:
        query = query.where(LinkageRun.id < before_id)
    return session.scalars(query).all()


def read_run(
    session: Session, principal: Principal, run_id: int
) -> tuple[LinkageRun, dict[str, Any]]:
    """A run with the quality its review decisions show (figures only)."""
    principal.require_role(*REVIEWERS, Role.AUDITOR)
    return get_run(session, run_id), quality(session, run_id)


def _model_of(row: LinkageModelRow) -> LinkageModel:
    try:
        return LinkageModel.from_document(row.document, f"model {row.name} v{row.version}")
    except ModelVersionError as exc:
        raise LinkageModelUnreadable(f"{exc}: train it again") from exc


def save_model(
    session: Session, model: LinkageModel, *, name: str, trained_on: str, labels_used: int = 0
) -> LinkageModelRow:
    """Store ``model`` as the next version of ``name`` (1, 2, 3...); a concurrent save of the
    same name takes the version after (the unique (name, version) key decides)."""
    for _attempt in range(3):
        top = session.scalar(
            select(func.max(LinkageModelRow.version)).where(LinkageModelRow.name == name)
        )
        row = LinkageModelRow(name=name, version=(top or 0) + 1, document=model.document(),
                              trained_on=trained_on, labels_used=labels_used)  # fmt: skip
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        return row
    raise Conflict(f"model {name!r} is being saved by someone else: try again")


def latest_model(session: Session, name: str) -> tuple[LinkageModelRow, LinkageModel] | None:
    row = session.scalars(
        select(LinkageModelRow)
        .where(LinkageModelRow.name == name)
        .order_by(LinkageModelRow.version.desc())
        .limit(1)
    ).first()
    return None if row is None else (row, _model_of(row))


def get_model_row(session: Session, model_id: int) -> LinkageModelRow:
    row = session.get(LinkageModelRow, model_id)
    if row is None:
        raise LinkageModelNotFound(f"there is no linkage model {model_id}")
    return row


def load_model(session: Session, model_id: int) -> LinkageModel:
    return _model_of(get_model_row(session, model_id))


def list_models(session: Session, principal: Principal) -> Sequence[LinkageModelRow]:
    """Every stored model version, by name and newest version first."""
    principal.require_role(Role.CENTRAL_ADMIN)
    query = select(LinkageModelRow).order_by(LinkageModelRow.name, LinkageModelRow.version.desc())
    return session.scalars(query).all()


# The review queue --------------------------------------------------------------------------


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is between 1 and {MAX_PAGE}")
    return limit


def pending(
    session: Session,
    principal: Principal,
    *,
    run_id: int | None,
    status: str = "pending",
    after_id: int = 0,
    limit: int = 50,
) -> list[ReviewPair]:
    """Pairs of ``status`` in id order after ``after_id`` (keyset pagination), within the
    reviewer's jurisdiction. The evidence in them is personal data: the listing is audited."""
    principal.require_role(*REVIEWERS)
    if status not in STATUSES:
        raise InvalidInput(f"status is one of {', '.join(STATUSES)}")
    query = (
        select(ReviewPair)
        .where(ReviewPair.status == status, ReviewPair.id > after_id)
        .order_by(ReviewPair.id)
        .limit(_limit(limit))
    )
    if run_id is not None:
        query = query.where(ReviewPair.run_id == run_id)
    if not principal.is_national:
        query = query.where(ReviewPair.province_code == principal.jurisdiction_code)
    pairs = list(session.scalars(query))
    record_read(session, principal, action="linkage:review:list", subject_type="linkage_run",
                subject_id="-" if run_id is None else str(run_id),
                details={"status": status, "pairs": [p.id for p in pairs]})  # fmt: skip
    return pairs


def _visible(session: Session, principal: Principal, pair_id: int) -> ReviewPair:
    principal.require_role(*REVIEWERS)
    pair = session.get(ReviewPair, pair_id)
    if pair is None or not principal.covers(None, pair.province_code):
        raise ReviewPairNotFound(f"there is no review pair {pair_id} in your queue")
    return pair


def _id_numbers(pair: ReviewPair) -> list[str]:
    found = {r.get("id_number") for r in (pair.left_record, pair.right_record)}
    return sorted(n for n in found if n)


def show(session: Session, principal: Principal, pair_id: int) -> ReviewPair:
    """One pair with its evidence; the read is audited with the register ID numbers shown."""
    pair = _visible(session, principal, pair_id)
    record_read(session, principal, action="linkage:review:read",
                subject_type="linkage_review_pair", subject_id=str(pair.id),
                details={"run_id": pair.run_id, "id_numbers": _id_numbers(pair)})  # fmt: skip
    return pair


def decide(
    session: Session, principal: Principal, pair_id: int, decision: str, note: str | None = None
) -> ReviewPair:
    """Decide a pending pair. The write is conditional (``WHERE status = 'pending'``), so of two
    officers deciding at once the second cannot overwrite the first: the same decision again is
    accepted as it stands, a different one is refused naming who decided."""
    if decision not in DECISIONS:
        raise InvalidInput(f"the decision is {' or '.join(DECISIONS)}")
    pair = _visible(session, principal, pair_id)
    written = session.execute(
        update(ReviewPair)
        .where(ReviewPair.id == pair_id, ReviewPair.status == "pending")
        .values(status=decision, decided_by=principal.username, decided_at=now(), note=note)
        .execution_options(synchronize_session=False)
    )
    session.refresh(pair)
    if written.rowcount == 0:  # type: ignore[attr-defined]
        if pair.status == decision:
            return pair
        raise ReviewPairDecided(
            f"pair {pair_id} was already decided '{pair.status}' by {pair.decided_by} "
            f"at {pair.decided_at:%Y-%m-%d %H:%M} UTC"
        )
    record(session, principal, action="linkage:review:decide",
           subject_type="linkage_review_pair", subject_id=str(pair.id),
           details={"run_id": pair.run_id, "decision": decision,
                    "id_numbers": _id_numbers(pair)})  # fmt: skip
    run = session.get(LinkageRun, pair.run_id)
    if run is not None and run.kind == "batch":
        enqueue(session, BATCH_PAIR_DECIDED_JOB, {"pair_id": pair.id},
                ordering_key=f"linkage-run:{run.id}")  # fmt: skip
    return pair


# Quality -----------------------------------------------------------------------------------


def _band_of() -> ColumnElement[int]:
    # Literal SQL, not bound parameters: PostgreSQL must see the GROUP BY expression as the same
    # one selected.
    p = ReviewPair.match_probability
    whens: list[tuple[Any, Any]] = [(p >= literal_column(repr(low)), literal_column(str(i)))
             for i, (low, _high) in reversed(list(enumerate(BANDS)))]  # fmt: skip
    return type_coerce(case(*whens, else_=literal_column("-1")), Integer)


def _precision(match: int, not_match: int) -> float | None:
    return match / (match + not_match) if match + not_match else None


def _bands(by_band: dict[int, dict[str, int]]) -> list[dict[str, Any]]:
    """The fixed bands, and one below them only where a run queued such pairs."""
    indexes = ([-1] if any(by_band[-1].values()) else []) + list(range(len(BANDS)))
    out = []
    for i in indexes:
        low, high = (0.0, BANDS[0][0]) if i < 0 else BANDS[i]
        counts = by_band[i]
        out.append({"band": f"{low:.1f}-{high:.1f}", "low": low, "high": high, **counts,
                    "precision": _precision(counts["match"], counts["not_match"])})  # fmt: skip
    return out


def quality(session: Session, run_id: int) -> dict[str, Any]:
    """What the officers' decisions say about the run: pairs by status, the share decided, and
    clerical precision (match / decided) overall and per probability band."""
    run = get_run(session, run_id)
    band = _band_of().label("band")
    rows = session.execute(
        select(band, ReviewPair.status, func.count())
        .where(ReviewPair.run_id == run_id)
        .group_by(band, ReviewPair.status)
    ).all()
    by_status = dict.fromkeys(STATUSES, 0)
    by_band = {i: dict.fromkeys(STATUSES, 0) for i in range(-1, len(BANDS))}
    for index, status, count in rows:
        by_status[status] = by_status.get(status, 0) + count
        by_band[index][status] = by_band[index].get(status, 0) + count
    total = sum(by_status.values())
    decided = by_status["match"] + by_status["not_match"]
    return {
        "run_id": run.id,
        "total": total,
        "by_status": by_status,
        "decided": decided,
        "decided_share": decided / total if total else None,
        "precision": _precision(by_status["match"], by_status["not_match"]),
        "bands": _bands(by_band),
        "run_counts": dict(run.counts),
    }


# Re-estimation from clerical labels -----------------------------------------------------------


def _side(records: list[dict[str, Any]]) -> pl.DataFrame:
    rows = [{f: r.get(f) for f in RECORD_FIELDS} for r in records]
    return prepare_people(pl.DataFrame(rows, schema=dict.fromkeys(RECORD_FIELDS, pl.String)))


def reestimate(session: Session, model_id: int, *, username: str) -> LinkageModelRow:
    """A new version of the model whose m probabilities come from every pair officers decided
    "match" in the runs that used it (u, from random pairs, is kept). At least ``MIN_LABELS``
    decisions are needed."""
    row = get_model_row(session, model_id)
    model = _model_of(row)
    matches = session.scalars(
        select(ReviewPair)
        .join(LinkageRun, LinkageRun.id == ReviewPair.run_id)
        .where(LinkageRun.model_id == model_id, ReviewPair.status == "match")
        .order_by(ReviewPair.id)
    ).all()
    if len(matches) < MIN_LABELS:
        raise TooFewLabels(
            f"model {row.name} v{row.version} has {len(matches)} pairs decided 'match'; "
            f"at least {MIN_LABELS} are needed to re-estimate it"
        )
    left = _side([p.left_record for p in matches])
    right = _side([p.right_record for p in matches])
    try:
        new = estimate_m_from_matches(model, left, right)
    except MissingColumns as exc:
        raise LinkageModelUnreadable(str(exc)) from exc
    trained_on = (f"{row.name} v{row.version} with {len(matches)} clerical match decisions "
                  f"(re-estimated by {username})")  # fmt: skip
    return save_model(session, new, name=row.name, trained_on=trained_on, labels_used=len(matches))


def reestimate_as(session: Session, principal: Principal, model_id: int) -> LinkageModelRow:
    """``reestimate`` on behalf of a central administrator, audited."""
    principal.require_role(Role.CENTRAL_ADMIN)
    saved = reestimate(session, model_id, username=principal.username)
    record(session, principal, action="linkage:model:reestimate", subject_type="linkage_model",
           subject_id=str(saved.id),
           details={"from_model": model_id, "labels_used": saved.labels_used})  # fmt: skip
    return saved
