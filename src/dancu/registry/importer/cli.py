"""`dancu import FILE`: digitised legacy records into the register."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.orm import Session, sessionmaker

from dancu.auth.principal import SYSTEM, Principal


def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A .csv, .xlsx or .parquet file (docs/import-format.md)"),
    rejects: Path | None = typer.Option(
        None, help="Where to write rejected rows (default: FILE.rejects.csv beside the file)"
    ),
    officer: str | None = typer.Option(
        None, help="Attribute the records to this officer account (default: the system)"
    ),
    chunk_size: int = typer.Option(20_000, min=100, help="Rows per transaction (checkpoint)"),
) -> None:
    """Import residents: every row validated, bad rows to a rejects file with line, field, value
    and reason; resumable after a crash; importing the same file again adds nothing."""
    from dancu.cli import console, fail, settings_from
    from dancu.kit.db import build_engine, session_factory
    from dancu.kit.errors import DancuError
    from dancu.registry.importer.service import import_file

    settings = settings_from(ctx)
    engine = build_engine(settings.database_url)
    factory = session_factory(engine)
    rejects_path = rejects or file.with_name(f"{file.stem}.rejects.csv")
    started = time.perf_counter()
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[rate]} rows/s"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())  # fmt: skip
    try:
        principal = _principal(factory, officer)
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("import", total=None, rate="-")

            def report(done: int, total: int) -> None:
                elapsed = max(time.perf_counter() - started, 1e-6)
                bar.update(task, completed=done, total=total, rate=f"{done / elapsed:,.0f}")

            summary = import_file(
                factory,
                principal,
                file,
                rejects_to=rejects_path,
                progress=report,
                chunk_size=chunk_size,
            )
    except DancuError as exc:
        fail(exc.detail)
    finally:
        engine.dispose()
    _print_summary(summary, time.perf_counter() - started)


def _principal(factory: sessionmaker[Session], officer: str | None) -> Principal:
    from sqlalchemy import select

    from dancu.auth.models import Officer
    from dancu.auth.service import principal_of
    from dancu.kit.db import unit_of_work
    from dancu.kit.errors import NotFound

    if officer is None:
        return SYSTEM
    with unit_of_work(factory) as session:
        row = session.scalar(select(Officer).where(Officer.username == officer))
        if row is None:
            raise NotFound(f"there is no officer account {officer!r}")
        return principal_of(row)


def _print_summary(summary: object, seconds: float) -> None:
    from dancu.cli import console
    from dancu.registry.importer.service import ImportSummary

    assert isinstance(summary, ImportSummary)
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
