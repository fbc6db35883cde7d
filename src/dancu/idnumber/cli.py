"""`dancu id ...`: personal ID numbers."""

from __future__ import annotations

import json
from typing import Any

import typer

from dancu.idnumber.errors import InvalidIdNumber
from dancu.idnumber.value import IdNumber

app = typer.Typer(help="Personal ID numbers (số định danh cá nhân).", no_args_is_help=True)

INVALID_EXIT_CODE = 2


def describe(number: IdNumber) -> dict[str, Any]:
    """What the digits of ``number`` say, as JSON-ready data."""
    return {
        "number": str(number),
        "formatted": number.formatted(),
        "province_code": number.province_code,
        "province_name": number.province_name,
        "registered_abroad": number.registered_abroad,
        "country_name": number.country_name,
        "sex": number.sex,
        "century": number.century,
        "birth_year": number.birth_year,
        "serial": number.serial,
    }


@app.command("parse")
def parse(
    number: str = typer.Argument(..., help="12 digits; spaces and dashes are ignored."),
) -> None:
    """Check a personal ID number and print what its digits encode, as JSON (no database needed).

    Exits 2 with the reason on standard error when the number cannot exist.
    """
    try:
        parsed = IdNumber.parse(number)
    except InvalidIdNumber as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(INVALID_EXIT_CODE) from None
    typer.echo(json.dumps(describe(parsed), ensure_ascii=False, indent=2))
