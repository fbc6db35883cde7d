"""Linkage runs recorded in the database, with their review-band pairs queued for clerks.

``dancu link`` (against the register) and ``dancu dedupe`` record each run (what, by whom, with
which thresholds, how many of each decision) and put every pair whose probability falls between
the review and match thresholds into the clerical review queue (``linkage.review``), with both
records as a clerk sees them and the agreement of each field.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from dancu.linkage import review
from dancu.linkage.dedupe import Duplicates
from dancu.linkage.link import display_records
from dancu.linkage.models import LinkageRun


def _counts(decisions: pl.Series) -> dict[str, int]:
    counts = {str(k): int(v) for k, v in decisions.value_counts().iter_rows()}
    return {k: counts.get(k, 0) for k in ("match", "review", "no_match")}


def _agreement(row: dict[str, Any]) -> dict[str, str]:
    return {
        key.removesuffix("_agreement"): str(value)
        for key, value in row.items()
        if key.endswith("_agreement") and value is not None
    }


def _queue(
    session: Session,
    run: LinkageRun,
    band: pl.DataFrame,
    keys: tuple[str, str],
    records: tuple[dict[str, dict[str, str | None]], dict[str, dict[str, str | None]]],
    province: str,
) -> int:
    """Queue each row of ``band`` (keys in columns ``keys``, records looked up by key)."""
    pairs = [
        review.PairIn(
            left_ref=str(row[keys[0]]),
            right_ref=str(row[keys[1]]),
            left=records[0][str(row[keys[0]])],
            right=records[1][str(row[keys[1]])],
            probability=float(row["match_probability"]),
            weight=float(row["match_weight"]),
            agreement=_agreement(row),
            province_code=row[province],
        )
        for row in band.iter_rows(named=True)
    ]
    return review.add_pairs(session, run, pairs)


def store_link_run(
    session: Session,
    *,
    source: str,
    params: dict[str, Any],
    username: str,
    results: pl.DataFrame,
    register: pl.DataFrame,
    incoming: pl.DataFrame,
    model_id: int | None = None,
) -> tuple[int, int]:
    """Record a run of ``link`` against the register; returns (run id, pairs queued)."""
    run = review.open_run(
        session, kind="link", source=source, params=params, username=username, model_id=model_id
    )
    band = results.filter(pl.col("decision") == "review")
    records = (display_records(register), display_records(incoming))
    queued = _queue(session, run, band, ("matched_key", "record_key"), records, "matched_province")
    review.finish_run(session, run, {**_counts(results["decision"]), "queued": queued})
    return run.id, queued


def store_dedupe_run(
    session: Session,
    *,
    params: dict[str, Any],
    username: str,
    found: Duplicates,
    register: pl.DataFrame,
    model_id: int | None = None,
) -> tuple[int, int]:
    """Record a deduplication of the register; returns (run id, pairs queued)."""
    run = review.open_run(
        session,
        kind="dedupe",
        source="register",
        params=params,
        username=username,
        model_id=model_id,
    )
    records = display_records(register)
    band = found.pairs.filter(pl.col("decision") == "review")
    queued = _queue(session, run, band, ("key_l", "key_r"), (records, records), "province_code")
    counts = _counts(found.pairs["decision"])
    clusters = found.clusters["cluster_id"].n_unique() if found.clusters.height else 0
    review.finish_run(session, run, {**counts, "clusters": clusters, "queued": queued})
    return run.id, queued
