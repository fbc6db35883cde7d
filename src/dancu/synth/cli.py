"""`dancu synth`: write a realistic synthetic nation in the digitisation file format."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from dancu.synth.write import FORMATS, write

console = Console(soft_wrap=True)


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


def synth_command(
    ctx: typer.Context,
    people: int = typer.Option(
        100_000, "--people", min=0, help="Number of residents (rows) to write, exactly."
    ),
    seed: int = typer.Option(
        1, "--seed", min=0, help="Random seed: the same people, seed and date give the same file."
    ),
    out: Path = typer.Option(
        Path("synth"), "--out", file_okay=False, help="Directory to write people.<format> into."
    ),
    format: str = typer.Option(
        "parquet",
        "--format",
        help="csv or parquet (all columns strings), or db: write parquet and import it into "
        "the database (DANCU_DATABASE_URL).",
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Reference date for ages and temporary stays (default: today)."
    ),
) -> None:
    """Write a synthetic population in realistic households (docs/import-format.md)."""
    if format not in (*FORMATS, "db"):
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}, db", param_hint="--format")
    reference_date = _as_of(as_of)
    households = 0
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("generating", total=people)

        def advance(chunk: pl.DataFrame) -> None:
            nonlocal households
            households += int((chunk["relation_to_head"] == "head").sum())
            bar.advance(task, chunk.height)

        path = write(
            people,
            seed,
            out,
            "parquet" if format == "db" else format,
            as_of=reference_date,
            progress=advance,
        )
    elapsed = time.perf_counter() - started
    console.print(
        f"wrote {people:,} residents in {households:,} households to {path} ({elapsed:.1f} s)",
        highlight=False,
    )
    if format == "db":
        from dancu.cli import cli_factory
        from dancu.registry.importer.cli import run_import

        with cli_factory(ctx) as factory:
            run_import(factory, path, console=console)
