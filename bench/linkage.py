"""Record-linkage accuracy and speed against the truth, compared with three baselines.

    .venv/bin/python bench/linkage.py [--register 200000] [--dirty 20000] [--threshold 0.5]

1. `dancu synth` writes the register (Parquet, temporary directory);
2. `dirty_copy` makes realistic dirty copies of some residents, plus people not in it (truth kept);
3. each method links every dirty record to at most one resident (its best candidate above the
   threshold) and is scored: (a) exact 12-digit ID number, (b) exact folded full name + full birth
   date, (c) a plain Splink model with the library's default comparisons, (d) the dancu engine.
Prints precision, recall, F1, elapsed time and dirty records/s for each, and the ratio of the
engine's F1 to the best baseline's.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from dancu.linkage.dirty import dirty_copy
from dancu.linkage.engine import TrainingOptions, best_matches, predict, train
from dancu.linkage.evaluate import Scores, score
from dancu.linkage.prepare import prepare_people
from dancu.synth import write

Method = Callable[[pl.DataFrame, pl.DataFrame, float], pl.DataFrame]


def exact_id(register: pl.DataFrame, dirty: pl.DataFrame, threshold: float) -> pl.DataFrame:
    left = register.select(pl.col("unique_id").alias("register_id"), "id_number")
    right = dirty.select(pl.col("unique_id").alias("record_id"), "id_number").drop_nulls()
    return right.join(left, on="id_number").select("record_id", "register_id")


def exact_name_date(register: pl.DataFrame, dirty: pl.DataFrame, threshold: float) -> pl.DataFrame:
    keys = ["full_name_folded", "birth_date_text"]
    left = register.select(pl.col("unique_id").alias("register_id"), *keys).drop_nulls()
    right = dirty.select(pl.col("unique_id").alias("record_id"), *keys).drop_nulls()
    joined = right.join(left, on=keys).sort("record_id", "register_id")
    return joined.unique("record_id", keep="first").select("record_id", "register_id")


def plain_splink(register: pl.DataFrame, dirty: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Splink's out-of-the-box comparisons on the same prepared columns."""
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name_folded"),
            cl.NameComparison("family_name_folded"),
            cl.DateOfBirthComparison("birth_date_text", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("commune_code"),
            cl.ExactMatch("id_number"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("given_name_folded", "birth_year"),
            block_on("family_name_folded", "birth_date_text"),
        ],
        probability_two_random_records_match=0.95 / register.height,
    )
    db_api = DuckDBAPI()
    cols = ["unique_id", "given_name_folded", "family_name_folded", "birth_date_text",
            "birth_year", "sex", "commune_code", "id_number", "phone"]  # fmt: skip
    tables = [db_api.register(frame.select(cols).to_arrow(), dataset_display_name=name)
              for name, frame in (("register", register), ("incoming", dirty))]  # fmt: skip
    linker = Linker(tables, settings, log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=42)
    for rule in (block_on("family_name_folded", "birth_date_text"),
                 block_on("given_name_folded", "birth_year")):  # fmt: skip
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    scored = pl.from_arrow(predictions.as_pyarrow_table())  # type: ignore[no-untyped-call]
    assert isinstance(scored, pl.DataFrame)
    left_is_register = pl.col("source_dataset_l") == "register"
    pairs = scored.select(
        pl.when(left_is_register).then("unique_id_l").otherwise("unique_id_r").alias("register_id"),
        pl.when(left_is_register).then("unique_id_r").otherwise("unique_id_l").alias("record_id"),
        "match_weight",
    )
    return best_matches(pairs)


def engine(register: pl.DataFrame, dirty: pl.DataFrame, threshold: float) -> pl.DataFrame:
    model = train(register, dirty, options=TrainingOptions(seed=42))
    return best_matches(predict(model, register, dirty, threshold=threshold))


@dataclass(frozen=True)
class Data:
    register: pl.DataFrame  # prepared
    dirty: pl.DataFrame  # prepared
    register_ids: pl.Series
    truth: pl.Series


def _run(name: str, method: Method, data: Data, threshold: float) -> Scores:
    dirty = data.dirty
    started = time.perf_counter()
    best = method(data.register, dirty, threshold)
    elapsed = time.perf_counter() - started
    s = score(best.select("record_id", "register_id"), data.register_ids, data.truth)
    print(f"{name:<34} {s.precision:9.4f} {s.recall:8.4f} {s.f1:8.4f} {elapsed:9.1f} "
          f"{dirty.height / elapsed:11,.0f}")  # fmt: skip
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--register", type=int, default=200_000)
    parser.add_argument("--dirty", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = write(args.register, args.seed, Path(tmp), "parquet", as_of=date(2026, 1, 1))
        people = pl.read_parquet(path)
    dirty = dirty_copy(people, args.dirty, args.seed)
    data = Data(
        prepare_people(people), prepare_people(dirty), people["id_number"], dirty["true_id_number"]
    )
    print(f"register {people.height:,}, dirty {dirty.height:,} "
          f"({dirty['true_id_number'].null_count():,} with no counterpart), "
          f"made and prepared in {time.perf_counter() - started:.1f} s, "
          f"threshold {args.threshold}")  # fmt: skip
    print(f"{'method':<34} {'precision':>9} {'recall':>8} {'F1':>8} {'elapsed s':>9} "
          f"{'records/s':>11}")  # fmt: skip
    methods: list[tuple[str, Method]] = [
        ("(a) exact ID number", exact_id),
        ("(b) exact name + birth date", exact_name_date),
        ("(c) plain Splink, default levels", plain_splink),
    ]
    baselines = [_run(name, method, data, args.threshold) for name, method in methods]
    ours = _run("(d) dancu engine", engine, data, args.threshold)
    best = max(s.f1 for s in baselines)
    print(f"F1 ratio engine / best baseline: {ours.f1 / best:.3f}")


if __name__ == "__main__":
    main()
