"""Precision, recall and F1 of a linkage against the truth kept by ``dirty_copy``."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(best: pl.DataFrame, register_ids: pl.Series, truth: pl.Series) -> Scores:
    """``best``: at most one ``register_id`` per ``record_id`` (row numbers); ``register_ids``:
    the register's ID numbers by row; ``truth``: each incoming record's true ID number (null
    for people not in the register), by row."""
    predicted = best.select(
        pl.col("record_id").cast(pl.Int64),
        register_ids.gather(best["register_id"].cast(pl.Int64)).alias("predicted"),
    )
    frame = (
        pl.DataFrame({"truth": truth})
        .with_row_index("record_id")
        .with_columns(pl.col("record_id").cast(pl.Int64))
        .join(predicted, on="record_id", how="left")
    )
    right = int((frame["predicted"] == frame["truth"]).sum())
    claimed = int(frame["predicted"].is_not_null().sum())
    wanted = int(frame["truth"].is_not_null().sum())
    return Scores(right, claimed - right, wanted - right)
