"""`dancu card ...`: personalise one card for integrators, verify card files, run production."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from dancu.auth.principal import SYSTEM

app = typer.Typer(help="Identity cards.", no_args_is_help=True)


@app.command("personalise")
def personalise_command(
    ctx: typer.Context,
    id_number: str = typer.Option(..., help="12-digit personal ID number"),
    out: Path = typer.Option(..., help="Folder to write the card's files to"),
    photo: Path | None = typer.Option(None, help="Face photo (JPEG) to use"),
    no_images: bool = typer.Option(False, help="Leave out front.png and back.png"),
) -> None:
    """Write one person's card files (mrz.txt, qr.txt, front.png, back.png, chip/*, csca.pem).

    The person's valid card is personalised again if they have one, else a new, unregistered
    card number is used. Without a photo on record or given, a marked specimen portrait is used.
    """
    from sqlalchemy import select

    from dancu.audit.service import record
    from dancu.card import setup
    from dancu.card.models import Card, CardApplication
    from dancu.card.personalise import personalise, write_files
    from dancu.card.production import new_card_number
    from dancu.card.render import specimen_portrait
    from dancu.card.service import card_data, face_photo
    from dancu.cli import cli_session, console, fail, settings_from
    from dancu.kit.clock import now
    from dancu.registry.person.service import find

    face = photo.read_bytes() if photo else None
    if face is not None and not face.startswith(b"\xff\xd8\xff"):
        fail(f"{photo} is not a JPEG image")
    settings = settings_from(ctx)
    with cli_session(ctx) as session:
        person = find(session, id_number)
        card = session.scalar(
            select(Card).where(Card.person_id == person.id).order_by(Card.id.desc()).limit(1)
        )
        if face is None:
            for application in session.scalars(
                select(CardApplication)
                .where(CardApplication.person_id == person.id)
                .order_by(CardApplication.id.desc())
            ):
                face = face_photo(session, application, setup.cipher(settings))
                if face is not None:
                    break
        specimen = face is None
        number = card.card_number if card else new_card_number(session)
        issued: date = card.issue_date if card else now().date()
        data = card_data(
            session,
            person,
            card_number=number,
            issue_date=issued,
            face_jpeg=face or specimen_portrait(),
        )
        record(
            session,
            SYSTEM,
            action="card:card:personalise",
            subject_type="person",
            subject_id=str(person.id_number),
            details={"card_number": number},
        )
        made = personalise(data, setup.pki(settings), images=not no_images, specimen=specimen)
    write_files(made.files, out)
    console.print(
        f"card {number} for {id_number}: {len(made.files)} files in {out}"
        + (" (specimen portrait)" if specimen else "")
    )


@app.command("verify")
def verify_command(directory: Path = typer.Argument(..., help="A card folder")) -> None:
    """Re-check a card's files: chip hashes, SOD signature and chain to the CSCA, MRZ check
    digits, QR against MRZ and chip. Exit status 1 when any check fails."""
    from dancu.card.verify import verify_card
    from dancu.cli import console

    results = verify_card(directory)
    for result in results:
        mark = "[green]ok  [/green]" if result.ok else "[red]FAIL[/red]"
        console.print(f"{mark} {result.name}: {result.detail}", highlight=False)
    failed = [r for r in results if not r.ok]
    if failed:
        console.print(f"[red]{len(failed)} of {len(results)} checks failed[/red]")
        raise typer.Exit(1)
    console.print(f"all {len(results)} checks passed")


@app.command("batch")
def batch_command(
    ctx: typer.Context,
    province: str | None = typer.Option(None, help="Only this province's applications"),
    limit: int = typer.Option(500, min=1, max=10_000),
) -> None:
    """Group approved applications into a production batch."""
    from dancu.card.production import create_batch
    from dancu.card.schemas import BatchCreate
    from dancu.cli import cli_session, console

    with cli_session(ctx) as session:
        batch = create_batch(session, SYSTEM, BatchCreate(province_code=province, limit=limit))
        console.print(f"batch {batch.id} ({batch.reference}): {batch.cards_total} application(s)")


@app.command("produce")
def produce_command(
    ctx: typer.Context,
    batch_id: int = typer.Argument(...),
    no_images: bool = typer.Option(False, help="Chip and codes only, no card images"),
) -> None:
    """Personalise and print a batch's cards (resumable: run again to retry failures)."""
    from dancu.card import setup
    from dancu.card.production import produce_batch
    from dancu.cli import cli_factory, console, settings_from

    production = setup.production(settings_from(ctx), images=not no_images)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
    )
    with cli_factory(ctx) as sessions, Progress(*columns, console=console) as bar:
        task = bar.add_task("producing", total=None)
        view = produce_batch(
            sessions,
            SYSTEM,
            batch_id,
            production,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(
        f"batch {view.reference}: {view.status}, {view.cards_produced} produced, "
        f"{view.cards_failed} failed"
    )
    for failure in view.failures:
        console.print(f"  application {failure.application_id}: {failure.error}")


@app.command("expire")
def expire_command(ctx: typer.Context) -> None:
    """Mark active cards past their expiry date as expired (run daily)."""
    from dancu.card.issuance import expire_cards
    from dancu.cli import cli_session, console
    from dancu.kit.clock import now

    with cli_session(ctx) as session:
        count = expire_cards(session, SYSTEM, now().date())
    console.print(f"{count} card(s) expired")
