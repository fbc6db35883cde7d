"""`dancu import FILE`: digitised legacy records into the register."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dancu.auth.models import Officer
from dancu.auth.principal import SYSTEM, Principal
from dancu.auth.service import principal_of
from dancu.kit.db import unit_of_work
from dancu.kit.errors import NotFound
from dancu.registry.importer.service import CHUNK, ImportSummary, import_file

_COLUMNS = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(), TextColumn("ETA"),
            TimeRemainingColumn())  # fmt: skip


def run_import(
    factory: sessionmaker[Session],
    file: Path,
    *,
    console: Console,
    rejects: Path | None = None,
    officer: str | None = None,
    chunk_size: int = CHUNK,
) -> ImportSummary:
    """Import with a progress bar (rows/s, ETA) and print the summary."""
    principal = _principal(factory, officer)
    started = time.perf_counter()
    with Progress(*_COLUMNS, console=console) as bar:
        task = bar.add_task("import", total=None, rate="-")

        def report(done: int, total: int) -> None:
            elapsed = max(time.perf_counter() - started, 1e-6)
            bar.update(task, completed=done, total=total, rate=f"{done / elapsed:,.0f}")

        summary = import_file(
            factory,
            principal,
            file,
            progress=report,
            chunk_size=chunk_size,
            rejects_to=rejects or file.with_name(f"{file.stem}.rejects.csv"),
        )
    _print_summary(console, summary, time.perf_counter() - started)
    return summary


def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .csv, .xlsx or .parquet file (docs/import-format.md)"),
    rejects: Path | None = typer.Option(
        None, help="Where to write rejected rows (default: FILE.rejects.csv beside the file)"
    ),
    officer: str | None = typer.Option(
        None, help="Attribute the records to this officer account (default: the system)"
    ),
    chunk_size: int = typer.Option(CHUNK, min=100, help="Rows per transaction (checkpoint)"),
) -> None:
    """Import residents: every row validated, bad rows to a rejects file with line, field, value
    and reason; resumable after a crash; importing the same file again adds nothing."""
    from dancu.cli import cli_factory, console

    with cli_factory(ctx) as factory:
        run_import(
            factory, file, console=console, rejects=rejects, officer=officer, chunk_size=chunk_size
        )


def _principal(factory: sessionmaker[Session], officer: str | None) -> Principal:
    if officer is None:
        return SYSTEM
    with unit_of_work(factory) as session:
        row = session.scalar(select(Officer).where(Officer.username == officer))
        if row is None:
            raise NotFound(f"there is no officer account {officer!r}")
        return principal_of(row)


def _print_summary(console: Console, summary: ImportSummary, seconds: float) -> None:
    if summary.already_done:
        console.print(
            f"{summary.file_name} was imported before: nothing to do "
            f"({summary.rows_imported:,} residents came from it)"
        )
        return
    verb = "resumed and finished" if summary.resumed else "imported"
    console.print(
        f"[bold]{summary.file_name}[/bold] {verb} in {seconds:,.1f} s: "
        f"{summary.rows_total:,} rows, [green]{summary.rows_imported:,} imported[/green], "
        f"[red]{summary.rows_rejected:,} rejected[/red]"
    )
    if summary.rejects_path is not None:
        console.print(f"rejected rows, with line, field, value and reason: {summary.rejects_path}")
