"""`dancu demo`: a ready-to-explore register — schema, administrative units, a synthetic
population in realistic households (`dancu synth`, loaded by the digitisation import), and demo
accounts — optionally followed by the API."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from dancu.auth.models import Officer
from dancu.demo.agencies import ensure_agencies
from dancu.demo.cards import demo_cards
from dancu.kit.db import unit_of_work
from dancu.registry.person.models import Person


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    jurisdiction: str | None


def _busiest(session: Session, column: InstrumentedAttribute[str | None]) -> str:
    """The commune or province with the most residents, so the demo officers have work."""
    stmt = select(column).group_by(column).order_by(func.count().desc(), column).limit(1)
    value = session.scalar(stmt)
    assert value is not None, "the demo population is empty"
    return str(value)


def demo_users(session: Session) -> list[DemoUser]:
    commune = _busiest(session, Person.commune_code)
    province = _busiest(session, Person.province_code)
    return [
        DemoUser("admin", "dancu-admin-2026", "central_admin", None),
        DemoUser("canbo.xa", "dancu-demo-2026", "commune_officer", commune),
        DemoUser("canbo.tinh", "dancu-demo-2026", "province_officer", province),
        DemoUser("kiemtra", "dancu-audit-2026", "auditor", None),
    ]


def ensure_users(factory: sessionmaker[Session]) -> list[DemoUser]:
    from dancu.auth.service import create_officer

    with unit_of_work(factory) as session:
        users = demo_users(session)
        for user in users:
            exists = session.scalar(select(Officer.id).where(Officer.username == user.username))
            if exists is None:
                create_officer(
                    session,
                    username=user.username,
                    password=user.password,
                    role=user.role,
                    jurisdiction_code=user.jurisdiction,
                    full_name=f"Demo {user.role}",
                )
        names = dict(session.execute(select(Officer.username, Officer.jurisdiction_code)).all())
    # An existing account keeps its jurisdiction (the population may have grown since).
    return [DemoUser(u.username, u.password, u.role, names.get(u.username)) for u in users]


def _place(session: Session, code: str) -> str:
    from dancu.adminunit import service as adminunit

    if len(code) == 2:
        column, name = Person.province_code, adminunit.get_province(session, code).name
    else:
        column, name = Person.commune_code, adminunit.get_commune(session, code).name
    residents = session.scalar(select(func.count()).where(column == code)) or 0
    return f"{code} {name}, {residents:,} residents"


def demo_command(
    ctx: typer.Context,
    people: int = typer.Option(20_000, help="How many residents to generate (first run only)."),
    seed: int = typer.Option(2026, help="Random seed: the same seed gives the same population."),
    serve: bool = typer.Option(False, "--serve", help="Start the API afterwards."),
    host: str = typer.Option("127.0.0.1", help="Address for --serve."),
    port: int = typer.Option(8000, help="Port for --serve."),
) -> None:
    """Set up a demo register (an existing population is kept) and print how to use it."""
    from dancu.cli import cli_factory, console, settings_from
    from dancu.cli import serve as serve_command
    from dancu.migrations import upgrade
    from dancu.registry.importer.cli import run_import
    from dancu.synth import write

    settings = settings_from(ctx)
    upgrade(settings.database_url)
    with cli_factory(ctx) as factory:
        with factory() as session:
            existing = session.scalar(select(func.count()).select_from(Person)) or 0
        if existing == 0:
            console.print(f"generating {people:,} residents in households (seed {seed}) …")
            path = write(people, seed, settings.var_dir / "demo", "parquet")
            existing = run_import(factory, path, console=console).rows_imported
            users = ensure_users(factory)
            commune = next(u.jurisdiction for u in users if u.role == "commune_officer")
            assert commune is not None
            issued = demo_cards(factory, settings, commune)
            console.print(
                f"identity cards: {issued} issued in commune {commune}, more waiting "
                "for review, batching and hand-over"
            )
        users = ensure_users(factory)
        agencies = ensure_agencies(factory)
    console.print(f"\n[bold green]dancu demo register ready[/bold green]: {existing:,} residents")
    console.print(f"  API       http://{host}:{port}\n  API docs  http://{host}:{port}/docs")
    console.print("  sign in   POST /v1/auth/token (form fields username, password):")
    with cli_factory(ctx) as factory, factory() as session:
        for user in users:
            where = f" for {_place(session, user.jurisdiction)}" if user.jurisdiction else ""
            console.print(f"            {user.username} / {user.password}  ({user.role}{where})")
    console.print("  agencies  POST /v1/gateway/token (grant_type=client_credentials):")
    for demo in agencies:
        console.print(
            f"            {demo.client_id} / {demo.secret}  ({demo.name}: {demo.summary})"
        )
    if serve:
        serve_command(ctx, host=host, port=port, workers=1, jobs=True)
