"""Read a digitisation file (CSV, XLSX, Parquet) into a frame of strings with source line numbers.

The whole file is refused, before anything is written, when it cannot be read, has unknown or
missing columns, or is empty; individual bad rows are the validator's business.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from dancu.registry.importer.columns import COLUMNS, REQUIRED
from dancu.registry.importer.errors import ImportFileInvalid

LINE = "_line"


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(path: Path) -> tuple[pl.DataFrame, int]:
    """The raw frame and the line/row number of its first data row."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
            return frame, 2  # line 1 is the header
        if suffix == ".xlsx":
            frame = pl.read_excel(
                path, infer_schema_length=0, drop_empty_rows=False, drop_empty_cols=False
            )
            return frame, 2
        if suffix == ".parquet":
            return pl.read_parquet(path), 1
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise ImportFileInvalid(f"{path.name} could not be read as {suffix[1:]}: {exc}") from exc
    raise ImportFileInvalid(f"{path.name}: only .csv, .xlsx and .parquet files can be imported")


def read_file(path: Path) -> pl.DataFrame:
    """All columns of the format as trimmed strings (empty -> null), plus ``_line``."""
    if not path.is_file():
        raise ImportFileInvalid(f"there is no file {path}")
    frame, first_line = _read(path)
    names = [c.strip().lower() for c in frame.columns]
    unknown = sorted(set(names) - set(COLUMNS))
    if unknown:
        raise ImportFileInvalid(
            f"{path.name} has columns the format does not know: {', '.join(unknown)} "
            "(see docs/import-format.md; nothing was imported)"
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ImportFileInvalid(f"{path.name} lacks the required columns: {', '.join(missing)}")
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    frame = frame.select(
        [pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(c) for c in names]
        + [pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in names]
    ).select(COLUMNS)
    if frame.height == 0:
        raise ImportFileInvalid(f"{path.name} has no data rows")
    return frame.with_row_index(LINE, offset=first_line).with_columns(pl.col(LINE).cast(pl.Int64))
