"""`dancu agency ...`: register agencies, their clients and grants; suspend; rotate keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import typer
from pydantic import BaseModel, ValidationError

from dancu.auth.principal import SYSTEM

M = TypeVar("M", bound=BaseModel)

app = typer.Typer(help="Agencies connected to the gateway.", no_args_is_help=True)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@app.command("create")
def create(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Short code, e.g. bhxh"),
    name: str = typer.Option(..., help="The agency's name"),
    kind: str = typer.Option("ministry", help="ministry, province, bank or other"),
) -> None:
    """Register an agency."""
    from dancu.cli import cli_session, console
    from dancu.gateway.agency import create_agency
    from dancu.gateway.schemas import AgencyCreate

    body = _validated(AgencyCreate, {"code": code, "name": name, "kind": kind})
    with cli_session(ctx) as session:
        create_agency(session, SYSTEM, body)
    console.print(
        f"agency {code} created; now: dancu agency grant {code} … and dancu agency client {code}"
    )


@app.command("grant")
def grant(
    ctx: typer.Context,
    code: str = typer.Argument(...),
    operations: str = typer.Option(..., help="verify,lookup,batch,subscribe"),
    purposes: str = typer.Option(..., help="purpose codes, comma-separated"),
    legal_basis: str = typer.Option(..., help="the legal text that allows it"),
    fields: str = typer.Option("", help="fields for lookup, comma-separated"),
    provinces: str = typer.Option("", help="province codes; empty: all"),
    consent: bool = typer.Option(False, help="each person's consent is required"),
    rate: int = typer.Option(600, help="calls per minute per client"),
) -> None:
    """Grant an agency operations, fields, purposes and geography."""
    from dancu.cli import cli_session, console
    from dancu.gateway.agency import create_grant
    from dancu.gateway.schemas import GrantCreate

    body = _validated(GrantCreate, {
        "operations": _split(operations), "purposes": _split(purposes),
        "fields": _split(fields), "provinces": _split(provinces) or None,
        "requires_consent": consent, "rate_per_minute": rate, "legal_basis": legal_basis,
    })  # fmt: skip
    with cli_session(ctx) as session:
        made = create_grant(session, SYSTEM, code, body)
        console.print(f"grant {made.id} for {code}: {', '.join(made.operations)}")


@app.command("client")
def client(
    ctx: typer.Context,
    code: str = typer.Argument(...),
    public_jwk: Path | None = typer.Option(None, help="A public JWK file for private_key_jwt"),
) -> None:
    """Create an API client; prints the client id and secret once (only a hash is kept)."""
    from dancu.cli import cli_session, console
    from dancu.gateway.agency import create_client

    key = json.loads(public_jwk.read_text()) if public_jwk else None
    with cli_session(ctx) as session:
        made, secret = create_client(session, SYSTEM, code, key)
        client_id = made.client_id
    console.print(f"client_id     {client_id}")
    if secret:
        console.print(f"client_secret {secret}\n(store it now: it is not shown again)")


@app.command("suspend")
def suspend(
    ctx: typer.Context,
    code: str = typer.Argument(...),
    grant_id: int | None = typer.Option(None, "--grant", help="Only this grant"),
    resume: bool = typer.Option(False, help="Resume instead"),
) -> None:
    """Suspend an agency (or one grant) at once; --resume lifts it."""
    from dancu.cli import cli_session, console
    from dancu.gateway.agency import set_agency_status, set_grant_status

    with cli_session(ctx) as session:
        if grant_id is not None:
            set_grant_status(session, SYSTEM, grant_id, "active" if resume else "suspended")
        else:
            set_agency_status(session, SYSTEM, code, "active" if resume else "suspended")
    what = f"grant {grant_id}" if grant_id is not None else f"agency {code}"
    console.print(f"{what} {'resumed' if resume else 'suspended'}")


@app.command("rotate-key")
def rotate_key(
    ctx: typer.Context,
    retire: bool = typer.Option(False, help="Retire all but the newest key instead"),
) -> None:
    """Make a new token signing key current (old ones verify until retired)."""
    from dancu.cli import cli_session, console, settings_from
    from dancu.gateway import tokens

    with cli_session(ctx) as session:
        if retire:
            console.print(f"{tokens.retire_old_keys(session)} key(s) retired")
        else:
            kid = tokens.rotate_key(session, settings_from(ctx).signing_key())
            console.print(f"new signing key {kid}; retire the old one after 5 minutes")


def _validated(model: type[M], data: dict[str, object]) -> M:
    from dancu.cli import fail

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        raise
