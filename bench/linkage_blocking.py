"""Blocking of the linkage engine: how many true pairs the blocking rules bring in (blocking
recall: a pair never compared can never be found) and how many comparisons they generate per
incoming record, as the register grows.

    .venv/bin/python bench/linkage_blocking.py [--register 200000 1000000] [--dirty 20000]

Uses the dirty copies of `bench/linkage.py` (seed 1) and the engine's own blocking rules
(`linkage/levels.py`); every blocked pair is generated (threshold 0), none is scored away.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import polars as pl

from dancu.linkage.dirty import dirty_copy
from dancu.linkage.engine import LinkageColumns, _frames, _linker, build_settings
from dancu.linkage.prepare import prepare_people
from dancu.synth import generate


def measure(people: int, dirty_records: int) -> None:
    register = generate(people, seed=1, as_of=date(2026, 6, 1))
    dirty = dirty_copy(register, dirty_records, seed=1)
    left, right = prepare_people(register), prepare_people(dirty)
    columns = LinkageColumns()
    settings = build_settings(columns, probability_two_random_records_match=1e-6)
    start = time.perf_counter()
    linker = _linker(settings, _frames(columns, left, right))
    blocked = pl.from_arrow(
        linker.inference.predict(threshold_match_probability=0.0).as_pyarrow_table()
    )
    assert isinstance(blocked, pl.DataFrame)
    seconds = time.perf_counter() - start
    from_register = pl.col("source_dataset_l") == "register"
    pairs = blocked.select(
        pl.when(from_register).then("unique_id_l").otherwise("unique_id_r").alias("register_id"),
        pl.when(from_register).then("unique_id_r").otherwise("unique_id_l").alias("record_id"),
    )
    numbers = register.select(pl.col("id_number")).with_row_index("register_id")
    truth = dirty.with_row_index("record_id").select("record_id", "true_id_number").drop_nulls()
    found = (
        pairs.join(numbers.with_columns(pl.col("register_id").cast(pl.Int64)), on="register_id")
        .join(truth.with_columns(pl.col("record_id").cast(pl.Int64)), on="record_id")
        .filter(pl.col("id_number") == pl.col("true_id_number"))
    )
    recall = found["record_id"].n_unique() / truth.height
    print(f"register {people:>11,}  dirty {dirty_records:,}  blocked pairs {pairs.height:>12,}  "
          f"per record {pairs.height / dirty_records:>8.1f}  blocking recall {recall:.5f}  "
          f"{seconds:6.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--register", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--dirty", type=int, default=20_000)
    args = parser.parse_args()
    for people in args.register:
        measure(people, args.dirty)


if __name__ == "__main__":
    main()
