"""Linking a file to the register (or to another file): read it whatever its column names,
train the engine on the pair, keep each record's best candidate, decide with two thresholds.

    dancu link people.xlsx --map 'full_name=Ho ten,birth_date=Ngay sinh,id_number=CCCD' \\
        --out results.csv [--against other.csv] [--match 0.9] [--review 0.5]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.kit.errors import InvalidInput
from dancu.linkage.engine import LinkageColumns, best_matches, predict, train
from dancu.linkage.prepare import prepare_people
from dancu.registry.person.models import Person

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


def register_frame(session: Session) -> pl.DataFrame:
    """Every resident as a linkage record (current commune as the place)."""
    rows = session.execute(
        select(
            Person.id_number,
            Person.full_name,
            Person.birth_year,
            Person.birth_month,
            Person.birth_day,
            Person.sex,
            Person.commune_code,
            Person.phone,
        )
    ).all()
    birth = [
        f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if d else "")
        for _, _, y, m, d, *_ in rows
    ]
    return pl.DataFrame(
        {
            "record_key": [str(r[0]) for r in rows],
            "id_number": [str(r[0]) for r in rows],
            "old_id_number": [None] * len(rows),
            "full_name": [r[1] for r in rows],
            "birth_date": birth,
            "sex": [r[5] for r in rows],
            "permanent_commune": [r[6] for r in rows],
            "phone": [r[7] for r in rows],
        },
        schema={f: pl.String for f in FIELDS},
    )


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


def link(
    register: pl.DataFrame,
    incoming: pl.DataFrame,
    *,
    match: float = 0.9,
    review: float = 0.5,
    step: Callable[[str], None] = lambda _: None,
) -> pl.DataFrame:
    """Per incoming record: its key, the best candidate's key, probability, per-field agreement
    and a decision (match >= ``match``, review >= ``review``, else no_match)."""
    if not 0 < review <= match <= 1:
        raise LinkInputInvalid("thresholds must satisfy 0 < review <= match <= 1")
    step("preparing records")
    left = prepare_people(register)
    right = prepare_people(incoming)
    step("training the model (u by sampling, m by EM)")
    model = train(left, right, columns=LinkageColumns())
    step("scoring candidate pairs")
    best = best_matches(predict(model, left, right, threshold=review))
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
        *(pl.col(c).alias(f"{c}_reg") for c in COMPARED.values()),
    )
    joined = (
        keys_in.join(best, on="record_id", how="left")
        .join(keys_reg, on="register_id", how="left")
        .join(detail_in, on="record_id", how="left")
        .join(detail_reg, on="register_id", how="left")
    )
    decision = (
        pl.when(pl.col("match_probability") >= match)
        .then(pl.lit("match"))
        .when(pl.col("match_probability") >= review)
        .then(pl.lit("review"))
        .otherwise(pl.lit("no_match"))
    )
    return joined.select(
        "record_key",
        "matched_key",
        pl.col("match_probability").round(6),
        decision.alias("decision"),
        *_agreement(),
    ).sort(pl.col("record_key").cast(pl.Int64, strict=False), "record_key")
