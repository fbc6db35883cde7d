"""Linking a file to the register (or to another file): read it whatever its column names,
train the engine on the pair, keep each record's best candidate, decide with two thresholds.

    dancu link people.xlsx --map 'full_name=Ho ten,birth_date=Ngay sinh,id_number=CCCD' \\
        --out results.csv [--against other.csv] [--match 0.9] [--review 0.5]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from dancu.kit.errors import InvalidInput
from dancu.linkage.checkpoint import Passthrough, Stages
from dancu.linkage.engine import (
    LinkageColumns,
    LinkageModel,
    TrainingFailed,
    best_matches,
    predict,
    train,
)
from dancu.linkage.prepare import prepare_people
from dancu.registry.person import repository

FIELDS = (
    "record_key",
    "id_number",
    "old_id_number",
    "full_name",
    "birth_date",
    "sex",
    "permanent_commune",
    "phone",
)
COMPARED = {
    "full_name": "full_name_folded",
    "birth_date": "birth_date_text",
    "sex": "sex",
    "commune": "commune_code",
    "id_number": "id_number",
}


class LinkInputInvalid(InvalidInput):
    code = "linkage.input_invalid"


def read_any(path: Path) -> pl.DataFrame:
    """Every column of a .csv, .xlsx or .parquet file as text."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise LinkInputInvalid(f"there is no file {path}")
    try:
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema=False, encoding="utf8")
        if suffix == ".xlsx":
            return pl.read_excel(path, infer_schema_length=0)
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns(pl.all().cast(pl.String))
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise LinkInputInvalid(f"{path.name} could not be read: {exc}") from exc
    raise LinkInputInvalid(f"{path.name}: give a .csv, .xlsx or .parquet file")


def parse_map(text: str | None) -> dict[str, str]:
    """``'full_name=Ho ten,birth_date=Ngay sinh'`` -> {field: column}."""
    mapping: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        if not sep or field.strip() not in FIELDS:
            raise LinkInputInvalid(f"--map entries are FIELD=COLUMN with FIELD one of {FIELDS}")
        mapping[field.strip()] = column.strip()
    return mapping


def standardise(frame: pl.DataFrame, mapping: dict[str, str]) -> pl.DataFrame:
    """The file's columns renamed to the linkage fields (mapped, or already so named)."""
    columns = {}
    for field in FIELDS:
        source = mapping.get(field, field)
        if source in frame.columns:
            columns[field] = pl.col(source).cast(pl.String).str.strip_chars()
        elif field in mapping:
            raise LinkInputInvalid(f"the file has no column {source!r} (mapped to {field})")
        else:
            columns[field] = pl.lit(None, pl.String)
    if "full_name" not in mapping and "full_name" not in frame.columns:
        raise LinkInputInvalid("map the name column: --map 'full_name=<your column>'")
    out = frame.select(**columns)
    if "record_key" not in mapping and "record_key" not in frame.columns:
        out = out.with_columns(pl.int_range(1, out.height + 1).cast(pl.String).alias("record_key"))
    return out


def person_records(persons: Sequence[Any]) -> pl.DataFrame:
    """Residents (``Person`` rows or rows of its columns) as linkage records in the FIELDS
    layout, keyed by ID number, with the current commune as the place."""
    birth = [
        f"{p.birth_year:04d}"
        + (f"-{p.birth_month:02d}" if p.birth_month else "")
        + (f"-{p.birth_day:02d}" if p.birth_day else "")
        for p in persons
    ]
    return pl.DataFrame(
        {
            "record_key": [str(p.id_number) for p in persons],
            "id_number": [str(p.id_number) for p in persons],
            "old_id_number": [None] * len(persons),
            "full_name": [p.full_name for p in persons],
            "birth_date": birth,
            "sex": [p.sex for p in persons],
            "permanent_commune": [p.commune_code for p in persons],
            "phone": [p.phone for p in persons],
        },
        schema={f: pl.String for f in FIELDS},
    )


def register_frame(session: Session, *, every: int = 1) -> pl.DataFrame:
    """Every resident (or every ``every``-th by row id, a sample) as a linkage record."""
    return person_records(repository.identity_rows(session, every=every))


def _agreement() -> list[pl.Expr]:
    exprs = []
    for name, column in COMPARED.items():
        a, b = pl.col(f"{column}_in"), pl.col(f"{column}_reg")
        exprs.append(
            pl.when(a.is_null() | b.is_null())
            .then(pl.lit("missing"))
            .when(a.cast(pl.String) == b.cast(pl.String))
            .then(pl.lit("agree"))
            .otherwise(pl.lit("differ"))
            .alias(f"{name}_agreement")
        )
    return exprs


def decide(probability: pl.Expr, *, match: float, review: float) -> pl.Expr:
    return (
        pl.when(probability >= match)
        .then(pl.lit("match"))
        .when(probability >= review)
        .then(pl.lit("review"))
        .otherwise(pl.lit("no_match"))
    )


def check_thresholds(match: float, review: float) -> None:
    if not 0 < review <= match <= 1:
        raise LinkInputInvalid("thresholds must satisfy 0 < review <= match <= 1")


def link(
    register: pl.DataFrame,
    incoming: pl.DataFrame,
    *,
    match: float = 0.9,
    review: float = 0.5,
    step: Callable[[str], None] = lambda _: None,
    stages: Stages | None = None,
    model: LinkageModel | None = None,
    backend: str = "duckdb",
) -> pl.DataFrame:
    """Per incoming record: its key, the best candidate's key, probability and weight,
    per-field agreement and a decision (match >= ``match``, review >= ``review``, else
    no_match). ``stages`` keeps each stage's result so a killed run resumes; ``model`` skips
    training (a saved model); the register side's province is kept for the review queue."""
    check_thresholds(match, review)
    stages = stages or Passthrough()
    step("1/3 preparing records")
    left = stages.frame("prepared-register", lambda: prepare_people(register))
    right = stages.frame("prepared-incoming", lambda: prepare_people(incoming))
    if model is None:
        step("2/3 training the model (u by sampling, m by EM)")
        trained = stages.model("model", lambda: _train(left, right, backend))
    else:
        trained = model
    step("3/3 scoring candidate pairs")
    best = stages.frame(
        "best",
        lambda: best_matches(predict(trained, left, right, threshold=review, backend=backend)),
    )
    keys_in = incoming.select(pl.int_range(0, incoming.height).alias("record_id"), "record_key")
    keys_reg = register.select(
        pl.int_range(0, register.height).alias("register_id"),
        pl.col("record_key").alias("matched_key"),
    )
    detail_in = right.select(
        pl.col("unique_id").alias("record_id"),
        *(pl.col(c).alias(f"{c}_in") for c in COMPARED.values()),
    )
    detail_reg = left.select(
        pl.col("unique_id").alias("register_id"),
        pl.col("province_code").alias("matched_province"),
        *(pl.col(c).alias(f"{c}_reg") for c in COMPARED.values()),
    )
    joined = (
        keys_in.join(best, on="record_id", how="left")
        .join(keys_reg, on="register_id", how="left")
        .join(detail_in, on="record_id", how="left")
        .join(detail_reg, on="register_id", how="left")
    )
    return joined.select(
        "record_key",
        "matched_key",
        pl.col("match_probability").round(6),
        pl.col("match_weight").round(4),
        decide(pl.col("match_probability"), match=match, review=review).alias("decision"),
        *_agreement(),
        "matched_province",
    ).sort(pl.col("record_key").cast(pl.Int64, strict=False), "record_key")


def _train(left: pl.DataFrame, right: pl.DataFrame, backend: str) -> LinkageModel:
    try:
        return train(left, right, columns=LinkageColumns(), backend=backend)
    except TrainingFailed as exc:
        raise LinkInputInvalid(
            f"{exc}: the files share too little to learn from; score with a saved model "
            "(--model, e.g. one kept with --save-model from a larger run)"
        ) from exc


def display_records(frame: pl.DataFrame) -> dict[str, dict[str, str | None]]:
    """Each record of a FIELDS frame by its key, as shown to a clerk."""
    fields = [f for f in FIELDS if f != "record_key"]
    return {
        str(row["record_key"]): {f: row[f] for f in fields}
        for row in frame.select(FIELDS).iter_rows(named=True)
    }
