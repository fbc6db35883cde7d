"""`dancu worker` runs jobs; `dancu jobs ...` lists them, retries dead ones and purges done ones."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import FrameType

import typer
from rich.table import Table

from dancu.jobs.models import Job, JobStatus
from dancu.jobs.worker import Outcome, Tally, Worker

app = typer.Typer(help="The job queue: list jobs, retry dead ones.", no_args_is_help=True)

_STYLE = {"done": "green", "failed": "yellow", "dead": "red", "lost": "magenta"}


def worker_command(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Run the jobs due now, then exit."),
    concurrency: int = typer.Option(1, min=1, max=64, help="Jobs run at the same time."),
    poll_interval: float = typer.Option(1.0, min=0.05, help="Seconds between looks when idle."),
    lease: float = typer.Option(300.0, min=1.0, help="Seconds a job is held between renewals."),
    kind: list[str] | None = typer.Option(None, help="Run only this kind (repeatable)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="One line per job run."),
) -> None:
    """Run queued jobs (webhook deliveries, batch checks...) until stopped.

    SIGINT or SIGTERM stops gracefully: no new job is taken and the running ones finish. A
    worker killed outright loses nothing: its jobs are taken again when their lease expires.
    """
    from dancu.cli import cli_factory, console, err_console, fail
    from dancu.jobs.registry import default_registry, load_handlers

    load_handlers()
    if not default_registry.kinds():
        err_console.print("[yellow]warning:[/yellow] no job handlers are registered")
    with cli_factory(ctx) as sessions:
        try:
            worker = Worker(
                sessions,
                kinds=kind or None,
                concurrency=concurrency,
                lease_seconds=lease,
                on_outcome=_print_outcome if verbose else None,
            )
        except ValueError as exc:
            fail(str(exc))
        if once:
            worker.run_once()
        else:
            console.print(
                f"worker [bold]{worker.id}[/bold]: {', '.join(worker.kinds) or 'no kinds'}"
                f" ({concurrency} at a time); Ctrl-C stops after the running jobs"
            )
            with _stop_on_signals() as stop:
                worker.run_forever(stop, poll_interval)
    console.print(f"worker {worker.id} ran {_summary(worker.tally)}")


def _summary(tally: Tally) -> str:
    return (
        f"{tally.total} job(s): [green]{tally.done} done[/green], "
        f"[yellow]{tally.failed} to retry[/yellow], [red]{tally.dead} dead[/red], "
        f"{tally.lost} lost"
    )


def _print_outcome(outcome: Outcome) -> None:
    from dancu.cli import console

    job = outcome.job
    style = _STYLE[outcome.result]
    error = f": {outcome.error}" if outcome.error else ""
    console.print(
        f"job {job.id} {job.kind} attempt {job.attempts}/{job.max_attempts} "
        f"[{style}]{outcome.result}[/{style}] in {outcome.seconds:.3f} s{error}",
        highlight=False,
    )


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        from dancu.cli import err_console

        err_console.print(f"{signal.Signals(signum).name}: stopping after the running jobs")
        stop.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: JobStatus | None = typer.Option(None, help="Only jobs in this state."),
    kind: str | None = typer.Option(None, help="Only jobs of this kind."),
    limit: int = typer.Option(50, min=1, help="At most this many, newest first."),
) -> None:
    """List the newest jobs (all but done ones unless --status says), with counts by state."""
    from dancu.cli import cli_session, console
    from dancu.jobs.service import NOT_DONE, count_by_status, list_jobs

    statuses = (status.value,) if status else NOT_DONE
    with cli_session(ctx) as session:
        jobs = list_jobs(session, statuses=statuses, kind=kind, limit=limit)
        counts = count_by_status(session)
    if jobs:
        console.print(_table(jobs))
    for job in jobs:
        if job.last_error:
            console.print(f"job {job.id}: {job.last_error}", highlight=False)
    console.print("  ".join(f"{name} {n:,}" for name, n in counts.items()), highlight=False)


def _table(jobs: list[Job]) -> Table:
    table = Table("id", "kind", "status", "attempts", "due / finished (UTC)")
    table.add_column("ordering key", overflow="fold")
    for job in jobs:
        style = _STYLE.get(job.status, "")
        table.add_row(
            str(job.id),
            job.kind,
            f"[{style}]{job.status}[/{style}]" if style else job.status,
            f"{job.attempts}/{job.max_attempts}",
            _time(job.finished_at or job.run_at),
            job.ordering_key or "",
        )
    return table


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


@app.command("retry")
def retry_command(
    ctx: typer.Context, job_id: int = typer.Argument(..., help="The dead job's id.")
) -> None:
    """Put a dead job back in the queue with a fresh set of attempts, due at once."""
    from dancu.cli import cli_session, console
    from dancu.jobs.service import retry

    with cli_session(ctx) as session:
        job = retry(session, job_id)
        kind = job.kind
    console.print(f"job {job_id} ({kind}) is queued again")


@app.command("purge")
def purge_command(
    ctx: typer.Context,
    days: int = typer.Option(30, min=0, help="Delete done jobs finished more than DAYS ago."),
) -> None:
    """Delete old done jobs (dead ones stay until retried)."""
    from dancu.cli import cli_session, console
    from dancu.jobs.service import purge

    with cli_session(ctx) as session:
        deleted = purge(session, older_than=timedelta(days=days))
    console.print(f"deleted {deleted:,} done job(s) finished more than {days} day(s) ago")
