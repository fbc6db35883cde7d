"""`dancu`: the operator's command line. Every command reads DANCU_DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from dancu.config import Settings
from dancu.kit.db import build_engine, session_factory, unit_of_work
from dancu.kit.errors import DancuError

app = typer.Typer(
    help="dancu — national population register.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def settings_from(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


@contextmanager
def cli_factory(ctx: typer.Context) -> Iterator[sessionmaker[Session]]:
    """A session factory on the configured database, for commands that run several units of
    work (imports); expected refusals exit 1 with the reason."""
    settings = settings_from(ctx)
    engine = build_engine(settings.database_url)
    factory = session_factory(engine)
    factory.configure(info={"settings": settings})  # for job handlers that need a secret
    try:
        yield factory
    except DancuError as exc:
        fail(exc.detail)
    finally:
        engine.dispose()


@contextmanager
def cli_session(ctx: typer.Context) -> Iterator[Session]:
    """One CLI command = one unit of work; expected refusals exit 1 with the reason, not a trace."""
    settings = settings_from(ctx)
    engine = build_engine(settings.database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            yield session
    except DancuError as exc:
        fail(exc.detail)
    finally:
        engine.dispose()


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Create or upgrade the schema (and load the administrative units) to REVISION."""
    from dancu.migrations import upgrade

    settings = settings_from(ctx)
    upgrade(settings.database_url, revision)
    console.print(f"database at [bold]{_safe_url(settings.database_url)}[/bold] is at {revision}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(
        1, min=1, help="Worker processes (settings come from DANCU_* variables in each)."
    ),
    jobs: bool = typer.Option(
        True,
        help="Also run background jobs (webhooks, batch checks) in this process; in "
        "production run `dancu worker` separately and pass --no-jobs.",
    ),
) -> None:
    """Run the HTTP API."""
    import uvicorn

    from dancu.app import create_app

    settings = settings_from(ctx)
    console.print(f"dancu API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    with _embedded_worker(ctx, enabled=jobs):
        if workers == 1:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
            return
        settings.signing_key()  # made once here, before the workers race to create it
        uvicorn.run(
            "dancu.app:create_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="info",
        )


@contextmanager
def _embedded_worker(ctx: typer.Context, *, enabled: bool) -> Iterator[None]:
    """A job worker in a thread beside the API, for a one-machine setup (`make run`)."""
    if not enabled:
        yield
        return
    import threading

    from dancu.jobs import Worker, load_handlers

    load_handlers()
    stop = threading.Event()
    with cli_factory(ctx) as sessions:
        worker = Worker(sessions)
        thread = threading.Thread(
            target=worker.run_forever, args=(stop, 1.0), name="dancu-jobs", daemon=True
        )
        thread.start()
        console.print("background jobs run in this process (dancu worker not needed)")
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)


audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@audit_app.command("flush")
def audit_flush(ctx: typer.Context) -> None:
    """Move read events left in the local read journal (by a server that was stopped or
    killed) into the database. Segments of running servers are left to them."""
    from dancu.audit.journal import drain

    directory = settings_from(ctx).var_dir / "audit-journal"
    with cli_factory(ctx) as sessions:
        moved = drain(directory, sessions)
    console.print(f"moved {moved:,} read event(s) from {directory} into the audit trail")


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Recompute the hash chains of the gateway's access records: prove them intact or show
    where each breaks (exit status 1)."""
    from dancu.gateway.access import verify_chains

    with cli_session(ctx) as session:
        reports = verify_chains(session)
    for report in reports:
        mark = "[green]ok  [/green]" if report.ok else "[red]BROKEN[/red]"
        console.print(f"{mark} chain {report.chain}: {report.records:,} record(s), {report.detail}")
    if not all(r.ok for r in reports):
        raise typer.Exit(1)
    console.print(f"all {len(reports)} chains intact")


def _register_subcommands() -> None:
    from dancu.auth.cli import app as user_app
    from dancu.card.cli import app as card_app
    from dancu.demo import demo_command
    from dancu.gateway.cli import app as agency_app
    from dancu.idnumber.cli import app as id_app
    from dancu.jobs.cli import app as jobs_app
    from dancu.jobs.cli import worker_command
    from dancu.linkage.cli import app as linkage_app
    from dancu.linkage.cli import dedupe_command, link_command
    from dancu.registry.importer.cli import import_command
    from dancu.registry.person.cli import app as person_app
    from dancu.synth.cli import synth_command

    app.add_typer(user_app, name="user")
    app.add_typer(audit_app, name="audit")
    app.add_typer(card_app, name="card")
    app.add_typer(agency_app, name="agency")
    app.add_typer(id_app, name="id")
    app.add_typer(jobs_app, name="jobs")
    app.command("worker")(worker_command)
    app.add_typer(person_app, name="person")
    app.command("demo")(demo_command)
    app.command("import")(import_command)
    app.command("synth")(synth_command)
    app.command("link")(link_command)
    app.command("dedupe")(dedupe_command)
    app.add_typer(linkage_app, name="linkage")


_register_subcommands()


def main() -> None:
    app()
