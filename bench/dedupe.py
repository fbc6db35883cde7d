"""Deduplication of the register: residents registered twice found and clustered, against the
truth, next to the exact-match baseline, with records/s.

    .venv/bin/python bench/dedupe.py [--register 200000] [--twice 2000]

A synthetic register gets ``--twice`` residents registered a second time (under a new number:
the name typed differently — no diacritics, a wrong tone, a letter lost, the middle name
dropped —, the commune sometimes another, the phone often missing; birth date and sex right).
`find_duplicates` (model trained on that register, clustered at 0.9) is scored on the pairs it
puts in one cluster; the baseline clusters records with the same folded full name and birth
date (the MOSIP/Aadhaar-style exact rule).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import polars as pl

from dancu.linkage.dedupe import find_duplicates
from dancu.linkage.dirty import DirtRates, dirty_copy
from dancu.linkage.link import FIELDS
from dancu.linkage.prepare import fold_series
from dancu.synth import generate

SECOND_TIME = DirtRates(unmatched=0.0, day_month_swap=0.0, year_only=0.0, year_month_only=0.0,
                        day_off=0.0, legacy_date_format=0.0, wrong_sex=0.0, legacy_commune=0.0,
                        id_missing=0.0, old_id_instead=0.0, phone_missing=0.3)  # fmt: skip


def _register(people: int, twice: int, seed: int) -> tuple[pl.DataFrame, set[frozenset[str]]]:
    base = generate(people, seed=seed, as_of=date(2026, 6, 1))
    copies = dirty_copy(base, twice, seed=seed + 1, rates=SECOND_TIME)
    new_numbers = "9" + pl.int_range(0, twice, eager=True).cast(pl.String).str.zfill(11)
    copies = copies.with_columns(new_numbers.alias("id_number"))
    truth = {frozenset(p) for p in zip(copies["id_number"], copies["true_id_number"], strict=True)}
    rows = pl.concat([base.select(FIELDS[1:]), copies.with_columns(
        pl.lit(None, pl.String).alias("old_id_number")).select(FIELDS[1:])])  # fmt: skip
    return rows.with_columns(pl.col("id_number").alias("record_key")).select(FIELDS), truth


def _pairs_of(clusters: pl.DataFrame, key: str = "record_key") -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for members in clusters.group_by("cluster_id").agg(key)[key].to_list():
        pairs.update(frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1 :])
    return pairs


def _report(name: str, found: set[frozenset[str]], truth: set[frozenset[str]], secs: float,
            records: int) -> float:  # fmt: skip
    right = len(found & truth)
    precision = right / len(found) if found else 1.0
    recall = right / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{name:<28} precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
          f"{secs:7.1f} s  {records / secs:>9,.0f} records/s")  # fmt: skip
    return f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--register", type=int, default=200_000)
    parser.add_argument("--twice", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    register, truth = _register(args.register, args.twice, args.seed)
    print(f"register of {register.height:,} records, {len(truth):,} residents in it twice")

    start = time.perf_counter()
    keyed = register.with_columns(fold_series(register["full_name"]).alias("folded"))
    groups = keyed.group_by("folded", "birth_date").agg("record_key").filter(
        pl.col("record_key").list.len() > 1).with_row_index("cluster_id")  # fmt: skip
    exact = _pairs_of(groups.explode("record_key"))
    baseline = _report("exact name + birth date", exact, truth,
                       time.perf_counter() - start, register.height)  # fmt: skip

    start = time.perf_counter()
    found = find_duplicates(register, step=lambda text: print(f"  {text}"))
    ours = _report("dancu dedupe (0.9)", _pairs_of(found.clusters), truth,
                   time.perf_counter() - start, register.height)  # fmt: skip
    print(f"F1 ratio dancu / exact: {ours / max(baseline, 1e-9):.2f}")


if __name__ == "__main__":
    main()
