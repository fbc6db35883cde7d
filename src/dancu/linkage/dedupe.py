"""Likely duplicate residents inside the register, clustered.

A person registered twice (two communes, two officers, a typo) holds two records and often two
ID numbers. The register is linked against itself with the same engine as ``dancu link``, every
pair above the review threshold is scored, and pairs at or above the match threshold are
grouped into clusters by connected components (Splink's clustering). Nothing is merged: the
clusters are for officers to act on, and pairs in the review band go to the clerical review
queue.

The model is trained on the register, but EM is not run on the register against itself: with
duplicates about 1 in 100 records, EM over blocked pairs settles on the wrong class (measured at
200,000 residents: it took people sharing a given name, a middle name and a commune —
siblings, neighbours — for the matches, and recall at 0.9 fell to 0.72). m is instead estimated
by EM on a sample of the register against a dirty copy of it (how two records of one person
differ), u from random pairs of the register, and the prior from the expected share of
duplicates. Officers' review decisions then re-estimate m from real pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import polars as pl

from dancu.linkage.checkpoint import Passthrough, Stages
from dancu.linkage.dirty import dirty_copy
from dancu.linkage.engine import (
    LinkageColumns,
    LinkageModel,
    TrainingOptions,
    clusters,
    predict_duplicates,
    term_frequencies,
    train,
)
from dancu.linkage.link import FIELDS, check_thresholds, decide
from dancu.linkage.prepare import prepare_people

# Within one register the 12-digit number is unique by construction, so two records of one
# person differ there by definition: the number tells nothing and is left out of the model.
DEDUPE_COLUMNS = LinkageColumns(id_number=None)
TRAINING_SAMPLE = 200_000
_SHOWN = ("full_name_folded", "birth_date_text", "sex", "commune_code", "old_id_number", "phone")


@dataclass(frozen=True)
class Duplicates:
    pairs: pl.DataFrame  # key_l, key_r, match_probability, match_weight, decision, agreement…
    clusters: pl.DataFrame  # cluster_id, size, best_probability, then the FIELDS of each member
    model: LinkageModel


def find_duplicates(
    register: pl.DataFrame,
    *,
    match: float = 0.9,
    review: float = 0.5,
    model: LinkageModel | None = None,
    options: TrainingOptions | None = None,
    stages: Stages | None = None,
    step: Callable[[str], None] = lambda _: None,
    backend: str = "duckdb",
) -> Duplicates:
    """``register``: records in the FIELDS layout (``record_key`` = the ID number)."""
    check_thresholds(match, review)
    stages = stages or Passthrough()
    step("1/4 preparing records")
    prepared = stages.frame("prepared-register", lambda: prepare_people(register))
    if model is None:
        step("2/4 training the model on the register (u by sampling, m by EM)")
        model = stages.model(
            "model", lambda: train_dedupe(register, prepared, options=options, backend=backend)
        )
    chosen = model
    step("3/4 scoring pairs of records")
    scored = stages.frame(
        "pairs",
        lambda: predict_duplicates(chosen, prepared, threshold=review, backend=backend),
    )
    step("4/4 clustering")
    grouped = stages.frame("clusters", lambda: clusters(scored, threshold=match))
    return Duplicates(
        _pairs(scored, prepared, register, match=match, review=review),
        _clusters(grouped, scored, register),
        chosen,
    )


def train_dedupe(
    register: pl.DataFrame,
    prepared: pl.DataFrame,
    *,
    options: TrainingOptions | None = None,
    backend: str = "duckdb",
) -> LinkageModel:
    """m by EM on a sample of the register against a dirty copy of it, u from random pairs,
    the prior from the expected share of duplicates, term frequencies of the whole register."""
    options = options or TrainingOptions()
    sample = register.sample(min(register.height, TRAINING_SAMPLE), seed=options.seed)
    dirty = dirty_copy(sample, max(sample.height // 4, 100), seed=options.seed)
    model = train(prepare_people(sample), prepare_people(dirty), columns=DEDUPE_COLUMNS,
                  options=options, backend=backend)  # fmt: skip
    prior = options.expected_duplicate_share / max(register.height - 1, 1)
    settings = {**model.settings, "link_type": "dedupe_only",
                "probability_two_random_records_match": min(prior, 0.5)}  # fmt: skip
    frequencies = term_frequencies(settings, prepared.select(DEDUPE_COLUMNS.used()))
    return replace(model, settings=settings, term_frequencies=frequencies)


def _pairs(
    scored: pl.DataFrame,
    prepared: pl.DataFrame,
    register: pl.DataFrame,
    *,
    match: float,
    review: float,
) -> pl.DataFrame:
    keys = register.select(pl.int_range(0, register.height).alias("id"), "record_key")
    side = prepared.select(pl.col("unique_id").alias("id"), "province_code", *_SHOWN)
    left = keys.join(side, on="id").rename(lambda c: c if c == "id" else f"{c}_l")
    right = keys.join(side, on="id").rename(lambda c: c if c == "id" else f"{c}_r")
    joined = scored.join(left, left_on="id_l", right_on="id").join(
        right, left_on="id_r", right_on="id"
    )
    agreement = [
        pl.when(pl.col(f"{c}_l").is_null() | pl.col(f"{c}_r").is_null())
        .then(pl.lit("missing"))
        .when(pl.col(f"{c}_l").cast(pl.String) == pl.col(f"{c}_r").cast(pl.String))
        .then(pl.lit("agree"))
        .otherwise(pl.lit("differ"))
        .alias(f"{c}_agreement")
        for c in _SHOWN
    ]
    return joined.select(
        pl.col("record_key_l").alias("key_l"),
        pl.col("record_key_r").alias("key_r"),
        pl.col("match_probability").round(6),
        pl.col("match_weight").round(4),
        decide(pl.col("match_probability"), match=match, review=review).alias("decision"),
        pl.col("province_code_l").alias("province_code"),
        *agreement,
    ).sort("match_probability", "key_l", "key_r", descending=[True, False, False])


def _clusters(grouped: pl.DataFrame, scored: pl.DataFrame, register: pl.DataFrame) -> pl.DataFrame:
    if grouped.is_empty():
        return pl.DataFrame(
            schema={"cluster_id": pl.Int64, "size": pl.UInt32, "best_probability": pl.Float64}
            | {f: pl.String for f in FIELDS}
        )
    best = (
        pl.concat(
            [
                scored.select(pl.col("id_l").alias("unique_id"), "match_probability"),
                scored.select(pl.col("id_r").alias("unique_id"), "match_probability"),
            ]
        )
        .group_by("unique_id")
        .agg(pl.col("match_probability").max().alias("best_probability"))
    )
    members = (
        register.select(FIELDS)
        .with_row_index("unique_id")
        .with_columns(pl.col("unique_id").cast(pl.Int64))
    )
    sized = grouped.with_columns(pl.len().over("cluster_id").alias("size"))
    return (
        sized.join(best, on="unique_id", how="left")
        .join(members, on="unique_id")
        .select(
            "cluster_id",
            pl.col("size").cast(pl.UInt32),
            pl.col("best_probability").round(6),
            *FIELDS,
        )
        .sort("cluster_id", "record_key")
    )
