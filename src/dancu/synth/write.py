"""Write the synthetic nation as the digitisation file (people.csv / people.parquet), streaming
block by block so memory stays bounded at any size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Final

import polars as pl
from polars.io.plugins import register_io_source

from dancu.synth.nation import generate_chunks
from dancu.synth.people import SCHEMA

FORMATS: Final = ("csv", "parquet")
Progress = Callable[[pl.DataFrame], None]


def _reported(chunks: Iterator[pl.DataFrame], progress: Progress | None) -> Iterator[pl.DataFrame]:
    for chunk in chunks:
        yield chunk
        if progress is not None:
            progress(chunk)


def _write_csv(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    with path.open("wb") as out:
        first = True
        for chunk in chunks:
            chunk.write_csv(out, include_header=first)
            first = False
        if first:  # no rows: still a header
            pl.DataFrame(schema=SCHEMA).write_csv(out)


def _write_parquet(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    def source(
        with_columns: list[str] | None,
        predicate: pl.Expr | None,
        n_rows: int | None,
        batch_size: int | None,
    ) -> Iterator[pl.DataFrame]:
        yield from chunks

    register_io_source(source, schema=SCHEMA).sink_parquet(path)


def write(
    people: int,
    seed: int,
    out_dir: Path,
    fmt: str,
    *,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write ``people`` residents to ``out_dir/people.<fmt>`` and return its path.

    ``progress`` is called with each block once it is generated."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"people.{fmt}"
    chunks = _reported(generate_chunks(people, seed, as_of=as_of), progress)
    if fmt == "csv":
        _write_csv(chunks, path)
    else:
        _write_parquet(chunks, path)
    return path
