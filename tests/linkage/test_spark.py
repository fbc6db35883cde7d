"""The Spark backend, run in local mode: a model trained on Spark finds the residents of a dirty
copy, and a model trained on DuckDB scores every pair on Spark as it does on DuckDB (so the
translation of the levels' SQL is faithful). Needs pyspark and Java: without them this module
fails, it does not skip (CI installs both)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import polars as pl
import pyspark  # noqa: F401  (a missing pyspark fails here, not as a skip)
import pytest

from dancu.linkage import spark
from dancu.linkage.dirty import dirty_copy
from dancu.linkage.engine import (
    LinkageColumns,
    LinkageModel,
    TrainingOptions,
    best_matches,
    build_settings,
    predict,
    predict_duplicates,
    train,
)
from dancu.linkage.evaluate import score
from dancu.linkage.levels import translate
from dancu.linkage.prepare import prepare_people
from dancu.synth import generate

RESIDENTS, DIRTY = 600, 150


@dataclass(frozen=True)
class Case:
    people: pl.DataFrame
    dirty: pl.DataFrame
    register: pl.DataFrame
    incoming: pl.DataFrame
    duckdb_model: LinkageModel


@pytest.fixture(scope="module")
def case() -> Iterator[Case]:
    os.environ.setdefault("DANCU_SPARK_MASTER", "local[2]")
    people = generate(RESIDENTS, seed=21, as_of=date(2026, 6, 1))
    dirty = dirty_copy(people, DIRTY, seed=8)
    register, incoming = prepare_people(people), prepare_people(dirty)
    spark.session()
    yield Case(people, dirty, register, incoming, train(register, incoming))
    spark.stop()


def _same_scores(on_duckdb: pl.DataFrame, on_spark: pl.DataFrame, keys: list[str]) -> None:
    assert on_duckdb.height > 0
    assert on_spark.select(keys).equals(on_duckdb.select(keys))
    for column in ("match_probability", "match_weight"):
        gap = (on_spark[column] - on_duckdb[column]).abs().max()
        assert isinstance(gap, float) and gap < 1e-6, column


def test_a_model_trained_on_spark_finds_the_residents(case: Case) -> None:
    # Each u chunk, rare-level probe and EM iteration is a Spark job of about 1.5 s here.
    one_chunk = TrainingOptions(u_chunks=1, u_min_count=None, em_max_iterations=5)
    model = train(case.register, case.incoming, options=one_chunk, backend="spark")
    best = best_matches(predict(model, case.register, case.incoming, backend="spark"))
    found = score(best, case.people["id_number"], case.dirty["true_id_number"])
    assert found.f1 >= 0.95


def test_a_duckdb_model_scores_every_pair_the_same_on_spark(case: Case) -> None:
    model = case.duckdb_model
    on_duckdb = predict(model, case.register, case.incoming, threshold=0.01)
    on_spark = predict(model, case.register, case.incoming, threshold=0.01, backend="spark")
    _same_scores(on_duckdb, on_spark, ["register_id", "record_id"])
    assert (
        best_matches(on_spark)
        .select("record_id", "register_id")
        .equals(best_matches(on_duckdb).select("record_id", "register_id"))
    )


def test_duplicates_are_found_the_same_on_spark(case: Case) -> None:
    # The register with some of its people entered twice, with typos.
    twice = prepare_people(dirty_copy(case.people, 40, seed=9))
    register = pl.concat([case.register, twice.with_columns(pl.col("unique_id") + RESIDENTS)])
    model = case.duckdb_model
    on_duckdb = predict_duplicates(model, register)
    on_spark = predict_duplicates(model, register, backend="spark")
    _same_scores(on_duckdb, on_spark, ["id_l", "id_r"])


def test_the_levels_translate_to_spark_sql_and_back() -> None:
    settings = build_settings(LinkageColumns(), probability_two_random_records_match=0.01)
    on_spark = translate(settings, "spark")
    conditions = [
        level["sql_condition"]
        for comparison in on_spark["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    assert any(c.startswith("JARO_WINKLER(`given_name_folded_l`") for c in conditions)
    assert not any('"' in c or "SIMILARITY" in c for c in conditions)
    assert translate(settings, "duckdb") == settings  # the DuckDB path is left as it is
    back = translate(on_spark, "duckdb")
    assert back["sql_dialect"] == "duckdb"
    assert "jaro_winkler_similarity" in str(back["comparisons"]).lower()
