"""HTTP for the clerical review of record linkage: the queue of candidate pairs with their
evidence, officers' decisions, runs with the precision those decisions show, and the stored
models with their re-estimation from confirmed matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dancu.deps import PrincipalDep, SessionDep
from dancu.linkage import review
from dancu.linkage.schemas import (
    DecisionIn,
    ModelRead,
    PairStatus,
    QualityRead,
    ReviewPage,
    ReviewPairRead,
    RunDetail,
    RunRead,
)

router = APIRouter(tags=["linkage"])
Limit = Annotated[int, Query(ge=1, le=review.MAX_PAGE)]


@router.get("/v1/linkage/reviews", response_model=ReviewPage)
def list_reviews(
    session: SessionDep,
    principal: PrincipalDep,
    status: PairStatus = "pending",
    run_id: int | None = None,
    after_id: Annotated[int, Query(ge=0)] = 0,
    limit: Limit = 50,
) -> ReviewPage:
    """The review queue in id order (keyset: pass ``next_after_id`` back as ``after_id``), both
    records side by side. Central administrators see every pair, province officers those whose
    register-side record is in their province. The listing is audited."""
    pairs = review.pending(
        session, principal, run_id=run_id, status=status, after_id=after_id, limit=limit
    )
    items = [ReviewPairRead.model_validate(p) for p in pairs]
    return ReviewPage(items=items, next_after_id=items[-1].id if len(items) == limit else None)


@router.get("/v1/linkage/reviews/{pair_id}", response_model=ReviewPairRead)
def read_review(pair_id: int, session: SessionDep, principal: PrincipalDep) -> ReviewPairRead:
    """One pair with its evidence; the read is audited. Pairs outside one's jurisdiction are
    not found."""
    return ReviewPairRead.model_validate(review.show(session, principal, pair_id))


@router.post("/v1/linkage/reviews/{pair_id}/decision", response_model=ReviewPairRead)
def decide_review(
    pair_id: int, body: DecisionIn, session: SessionDep, principal: PrincipalDep
) -> ReviewPairRead:
    """Decide a pending pair: ``match`` or ``not_match``. Sending the decision already made
    again changes nothing; a different decision on a decided pair is refused (409) naming
    who decided it."""
    pair = review.decide(session, principal, pair_id, body.decision, body.note)
    return ReviewPairRead.model_validate(pair)


@router.get("/v1/linkage/runs", response_model=list[RunRead])
def list_runs(
    session: SessionDep,
    principal: PrincipalDep,
    before_id: int | None = None,
    limit: Limit = 50,
) -> list[RunRead]:
    """Linkage runs, newest first (pass the last id as ``before_id`` for older ones)."""
    runs = review.list_runs(session, principal, before_id=before_id, limit=limit)
    return [RunRead.model_validate(r) for r in runs]


@router.get("/v1/linkage/runs/{run_id}", response_model=RunDetail)
def read_run(run_id: int, session: SessionDep, principal: PrincipalDep) -> RunDetail:
    """A run with its counts and the quality its review decisions show: pairs by status, the
    share decided, clerical precision overall and per probability band."""
    run, figures = review.read_run(session, principal, run_id)
    return RunDetail(run=RunRead.model_validate(run), quality=QualityRead.model_validate(figures))


@router.get("/v1/linkage/models", response_model=list[ModelRead])
def list_models(session: SessionDep, principal: PrincipalDep) -> list[ModelRead]:
    """Every stored model version (central administrators)."""
    return [ModelRead.model_validate(m) for m in review.list_models(session, principal)]


@router.post("/v1/linkage/models/{model_id}/reestimate", response_model=ModelRead, status_code=201)
def reestimate_model(model_id: int, session: SessionDep, principal: PrincipalDep) -> ModelRead:
    """A new version of the model with m probabilities estimated from every pair officers
    decided "match" in runs that used it (u is kept); at least 10 such decisions are needed.
    Central administrators only."""
    return ModelRead.model_validate(review.reestimate_as(session, principal, model_id))
