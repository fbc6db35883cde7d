"""`dancu person ...`: look a resident up from the operator's console."""

from __future__ import annotations

import json

import typer

from dancu.auth.principal import SYSTEM

app = typer.Typer(help="Resident records.", no_args_is_help=True)


@app.command("show")
def show(
    ctx: typer.Context,
    id_number: str = typer.Argument(..., help="12-digit personal ID number"),
    as_of: str | None = typer.Option(None, help="Show the record as it stood on YYYY-MM-DD"),
) -> None:
    """Print a resident's record as JSON (the read is audited as the system operator)."""
    from datetime import date

    from dancu.cli import cli_session, fail
    from dancu.registry.person.read import get_person

    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    with cli_session(ctx) as session:
        person = get_person(session, SYSTEM, id_number, as_of=day)
    typer.echo(json.dumps(person.model_dump(mode="json"), ensure_ascii=False, indent=2))
