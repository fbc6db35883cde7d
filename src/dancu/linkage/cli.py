"""`dancu link`: link a file to the register, or to another file."""

from __future__ import annotations

from pathlib import Path

import typer

from dancu.auth.principal import SYSTEM


def link_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The records to link (.csv, .xlsx, .parquet)"),
    out: Path = typer.Option(..., help="Where to write the results (CSV)"),
    map_: str | None = typer.Option(
        None,
        "--map",
        help="FIELD=COLUMN,… for record_key, id_number, old_id_number, full_name, "
        "birth_date, sex, permanent_commune, phone",
    ),
    against: Path | None = typer.Option(None, help="Link to this file instead of the register"),
    against_map: str | None = typer.Option(None, help="--map for the --against file"),
    match: float = typer.Option(0.9, help="Match probability at or above which it is a match"),
    review: float = typer.Option(0.5, help="… at or above which a clerk should review it"),
) -> None:
    """Link FILE to the register (or to --against): per record the best candidate, its match
    probability, per-field agreement and a decision (match / review / no_match)."""
    from dancu.audit.service import record
    from dancu.cli import cli_session, console, fail
    from dancu.kit.errors import DancuError
    from dancu.linkage.link import link, parse_map, read_any, register_frame, standardise

    try:
        incoming = standardise(read_any(file), parse_map(map_))
        if against is not None:
            other = standardise(read_any(against), parse_map(against_map))
        else:
            with cli_session(ctx) as session:
                other = register_frame(session)
                record(
                    session,
                    SYSTEM,
                    action="linkage:link:run",
                    subject_type="file",
                    subject_id=file.name[:64],
                    details={"records": incoming.height},
                )
        with console.status("linking …") as status:
            results = link(
                other, incoming, match=match, review=review, step=lambda text: status.update(text)
            )
    except DancuError as exc:
        fail(exc.detail)
        return
    results.write_csv(out)
    counts = dict(results.group_by("decision").len().iter_rows())
    console.print(
        f"{incoming.height:,} records linked against {other.height:,}: "
        f"{counts.get('match', 0):,} match, {counts.get('review', 0):,} review, "
        f"{counts.get('no_match', 0):,} no match → {out}"
    )
