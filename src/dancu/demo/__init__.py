"""`dancu demo`: a ready-to-explore register — schema, administrative units, a synthetic
population in realistic households, and a demo officer — optionally followed by the API."""

from __future__ import annotations

import random
from datetime import timedelta

import typer
from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dancu.adminunit import datafiles
from dancu.auth.models import Officer
from dancu.auth.principal import SYSTEM
from dancu.idnumber import service as idnumbers
from dancu.kit.clock import today
from dancu.registry.bulk import BulkHousehold, BulkPerson, BulkResidence, insert_households
from dancu.registry.person.models import Person

from .population import Generator, HouseholdPlan, link_family

DEMO_PROVINCES = ("01", "79", "48", "40", "92", "31", "66")
DEMO_COMMUNE = "00004"  # Phường Ba Đình, Hà Nội: the demo officer's commune
DEMO_USERS = (
    ("admin", "dancu-admin-2026", "central_admin", None),
    ("canbo.badinh", "dancu-demo-2026", "commune_officer", DEMO_COMMUNE),
    ("kiemtra", "dancu-audit-2026", "auditor", None),
)
BATCH = 2000


def _communes(rng: random.Random) -> list[tuple[str, str]]:
    rows = [
        r
        for r in datafiles.communes()
        if r["unit_set"] == "current" and r["province_code"] in DEMO_PROVINCES
    ]
    chosen = rng.sample(rows, min(60, len(rows)))
    pairs = [(r["code"], r["province_code"]) for r in chosen]
    return [(DEMO_COMMUNE, "01")] * 8 + pairs  # the demo officer's commune is a busy one


def _birth_codes() -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for row in datafiles.read_rows("birth_registration_places.csv"):
        codes.setdefault(row["current_province_code"], []).append(row["code"])
    return codes


def _to_bulk(session: Session, plans: list[HouseholdPlan], gen: Generator) -> list[BulkHousehold]:
    members = [m for plan in plans for m in plan.members]
    numbers = idnumbers.allocate_many(
        session, [(m.snapshot["birth_registration_code"], m.sex, m.birth.year) for m in members]
    )
    for member, number in zip(members, numbers, strict=True):
        member.id_number = number
    out = []
    for plan in plans:
        link_family(plan, gen.today)
        household = BulkHousehold(
            f"{plan.commune_code}{gen.rng.randrange(10**7):07d}",
            plan.commune_code,
            plan.province_code,
            plan.address_line,
        )
        for m in plan.members:
            assert m.id_number is not None
            since = max(m.birth, gen.today - timedelta(days=gen.rng.randrange(1, 9000)))
            homes = [
                BulkResidence(
                    "permanent", plan.address_line, plan.commune_code, plan.province_code, since
                )
            ]
            if m.relation_to_head != "child" and gen.rng.random() < 0.05:
                code, province = gen.rng.choice(gen.communes)
                if code != plan.commune_code:
                    homes.append(
                        BulkResidence(
                            "temporary",
                            f"Phòng trọ {gen.rng.randint(1, 40)}",
                            code,
                            province,
                            gen.today - timedelta(days=90),
                            gen.today + timedelta(days=400),
                        )
                    )
            household.members.append(BulkPerson(m.id_number, m.snapshot, homes, m.relation_to_head))
        out.append(household)
    return out


def load_population(session: Session, *, people: int, seed: int) -> int:
    """Generate and insert about ``people`` residents; returns how many were written."""
    rng = random.Random(seed)
    gen = Generator(seed, _communes(rng), _birth_codes(), today())
    written = 0
    with Progress() as progress:
        task = progress.add_task("demo population", total=people)
        batch: list[HouseholdPlan] = []
        for plan in gen.households(people):
            batch.append(plan)
            if sum(len(p.members) for p in batch) >= BATCH:
                written += insert_households(
                    session, SYSTEM, _to_bulk(session, batch, gen), reason="demo population"
                )
                progress.update(task, completed=written)
                batch = []
        if batch:
            written += insert_households(
                session, SYSTEM, _to_bulk(session, batch, gen), reason="demo population"
            )
        progress.update(task, completed=written)
    return written


def _ensure_users(session: Session) -> None:
    from dancu.auth.service import create_officer

    for username, password, role, jurisdiction in DEMO_USERS:
        if session.scalar(select(Officer.id).where(Officer.username == username)) is None:
            create_officer(
                session,
                username=username,
                password=password,
                role=role,
                jurisdiction_code=jurisdiction,
                full_name=f"Demo {role}",
            )


def demo_command(
    ctx: typer.Context,
    people: int = typer.Option(20_000, help="How many residents to generate (first run only)."),
    seed: int = typer.Option(2026, help="Random seed: the same seed gives the same population."),
    serve: bool = typer.Option(False, "--serve", help="Start the API afterwards."),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Set up a demo register (an existing population is kept) and print how to use it."""
    from dancu.cli import cli_session, console, settings_from
    from dancu.cli import serve as serve_command
    from dancu.migrations import upgrade

    settings = settings_from(ctx)
    upgrade(settings.database_url)
    with cli_session(ctx) as session:
        existing = session.scalar(select(func.count()).select_from(Person)) or 0
        if existing == 0:
            console.print(f"generating {people:,} residents in households (seed {seed}) …")
            existing = load_population(session, people=people, seed=seed)
        _ensure_users(session)
    console.print(f"\n[bold green]dancu demo register ready[/bold green]: {existing:,} residents")
    console.print(f"  API       http://{host}:{port}\n  API docs  http://{host}:{port}/docs")
    console.print("  sign in   POST /v1/auth/token (form fields username, password):")
    for username, password, role, jurisdiction in DEMO_USERS:
        where = f" for commune {jurisdiction}" if jurisdiction else ""
        console.print(f"            {username} / {password}  ({role}{where})")
    if serve:
        serve_command(ctx, host=host, port=port)
