"""`dancu user ...`: officer accounts."""

from __future__ import annotations

import typer

from dancu.auth import service

app = typer.Typer(help="Officer accounts.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    username: str = typer.Option(..., help="Sign-in name (lower case)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, help="At least 8 characters."),
    role: str = typer.Option(
        ..., help="commune_officer, province_officer, central_admin or auditor."
    ),
    jurisdiction: str | None = typer.Option(
        None, help="Current commune code (commune officers) or province code (province officers)."
    ),
    full_name: str = typer.Option("", help="The officer's name, for the history."),
) -> None:
    """Create an officer account."""
    from dancu.cli import cli_session, console

    with cli_session(ctx) as session:
        officer = service.create_officer(
            session,
            username=username,
            password=password,
            role=role,
            jurisdiction_code=jurisdiction,
            full_name=full_name,
        )
        where = f" for {officer.jurisdiction_code}" if officer.jurisdiction_code else ""
    console.print(f"created {officer.role} [bold]{officer.username}[/bold]{where}")
