"""`dancu link` (a file to the register or to another file), `dancu dedupe` (duplicates inside
the register) and `dancu linkage train` (the model the gateway's batch check scores with).

Long runs keep each stage's result under ``var/linkage/<fingerprint>/``: a run that is killed
and started again with the same inputs and options goes on from the last stage it finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from dancu.auth.principal import SYSTEM
from dancu.linkage.checkpoint import Checkpoint

app = typer.Typer(help="Record linkage models.", no_args_is_help=True)


@contextmanager
def stage_progress(console: Console, what: str, stages: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over a run's stages ("2/4 scoring pairs …"), with the time spent: the
    stages themselves (Splink's training and scoring) report no finer progress."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(what, total=stages)

        def step(text: str) -> None:
            number, _, label = text.partition(" ")
            done = int(number.split("/")[0]) - 1 if "/" in number else 0
            progress.update(task, completed=done, description=f"{what}: {label or text}")

        yield step
        progress.update(task, completed=stages, description=f"{what}: done")


def _work(ctx: typer.Context, key: str) -> Checkpoint:
    """The run's checkpoint folder under ``var/linkage``, saying so when it resumes."""
    from dancu.cli import console, settings_from

    work = Checkpoint.open(settings_from(ctx).var_dir / "linkage", key)
    if work.done():
        console.print(f"resuming from {work.folder} ({', '.join(work.done())} done)")
    return work


_BACKEND = typer.Option("duckdb", help="duckdb (one machine) or spark (DANCU_SPARK_MASTER)")
_MATCH = typer.Option(0.9, help="Match probability at or above which it is a match")
_REVIEW = typer.Option(0.5, help="… at or above which a clerk should review it")


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
    match: float = _MATCH,
    review: float = _REVIEW,
    model: Path | None = typer.Option(None, help="Score with this saved model, not a new one"),
    save_model: Path | None = typer.Option(None, help="Save the trained model here (JSON)"),
    queue: bool = typer.Option(
        True, help="Record the run and queue review-band pairs for clerks (register only)"
    ),
    backend: str = _BACKEND,
) -> None:
    """Link FILE to the register (or to --against): per record the best candidate, its match
    probability, per-field agreement and a decision (match / review / no_match)."""
    from dancu.audit.service import record
    from dancu.cli import cli_session, console, fail
    from dancu.kit.errors import DancuError
    from dancu.linkage.checkpoint import fingerprint
    from dancu.linkage.engine import LinkageModel
    from dancu.linkage.link import link, parse_map, read_any, register_frame, standardise
    from dancu.linkage.runs import store_link_run

    options = {"map": map_, "against_map": against_map, "match": match, "review": review,
               "model": str(model), "backend": backend}  # fmt: skip
    try:
        incoming = standardise(read_any(file), parse_map(map_))
        saved = LinkageModel.load(model) if model is not None else None
        if against is not None:
            other = standardise(read_any(against), parse_map(against_map))
            key = fingerprint(file, against, options)
        else:
            with cli_session(ctx) as session:
                other = register_frame(session)
            key = fingerprint(file, int(other.hash_rows(seed=7).sum()), options)
        work = _work(ctx, key)
        with stage_progress(console, "linking", 3) as step:
            results = link(
                other,
                incoming,
                match=match,
                review=review,
                step=step,
                stages=work,
                model=saved,
                backend=backend,
            )
        if save_model is not None:
            (saved or LinkageModel.load(work.folder / "model.json")).save(save_model)
        run = ""
        if against is None:
            with cli_session(ctx) as session:
                record(
                    session,
                    SYSTEM,
                    action="linkage:link:run",
                    subject_type="file",
                    subject_id=file.name[:64],
                    details={"records": incoming.height},
                )
                if queue:
                    run_id, queued = store_link_run(
                        session,
                        source=file.name[:200],
                        params=options,
                        username=SYSTEM.username,
                        results=results,
                        register=other,
                        incoming=incoming,
                    )
                    run = f"; run {run_id}, {queued:,} pairs queued for review"
    except DancuError as exc:
        fail(exc.detail)
        return
    results.drop("matched_province").write_csv(out)
    work.remove()
    counts = dict(results.group_by("decision").len().iter_rows())
    console.print(
        f"{incoming.height:,} records linked against {other.height:,}: "
        f"{counts.get('match', 0):,} match, {counts.get('review', 0):,} review, "
        f"{counts.get('no_match', 0):,} no match → {out}{run}"
    )


def dedupe_command(
    ctx: typer.Context,
    out: Path = typer.Option(..., help="Where to write the clusters of likely duplicates (CSV)"),
    pairs: Path | None = typer.Option(None, help="Also write every scored pair here (CSV)"),
    match: float = _MATCH,
    review: float = _REVIEW,
    model: Path | None = typer.Option(None, help="Score with this saved model, not a new one"),
    queue: bool = typer.Option(True, help="Record the run and queue review-band pairs"),
    backend: str = _BACKEND,
) -> None:
    """Find likely duplicate residents inside the register: pairs scored by a model trained on
    the register, clustered at the match threshold. Nothing is merged."""
    from dancu.audit.service import record
    from dancu.cli import cli_session, console, fail
    from dancu.kit.errors import DancuError
    from dancu.linkage.checkpoint import fingerprint
    from dancu.linkage.dedupe import find_duplicates
    from dancu.linkage.engine import LinkageModel
    from dancu.linkage.link import register_frame
    from dancu.linkage.runs import store_dedupe_run

    options = {"match": match, "review": review, "model": str(model), "backend": backend}
    try:
        with cli_session(ctx) as session:
            register = register_frame(session)
        saved = LinkageModel.load(model) if model is not None else None
        key = fingerprint("dedupe", int(register.hash_rows(seed=7).sum()), options)
        work = _work(ctx, key)
        with stage_progress(console, "deduplicating", 4) as step:
            found = find_duplicates(
                register,
                match=match,
                review=review,
                model=saved,
                stages=work,
                step=step,
                backend=backend,
            )
        run = ""
        with cli_session(ctx) as session:
            record(
                session,
                SYSTEM,
                action="linkage:dedupe:run",
                subject_type="register",
                subject_id="register",
                details={"records": register.height, "pairs": found.pairs.height},
            )
            if queue:
                run_id, queued = store_dedupe_run(
                    session,
                    params=options,
                    username=SYSTEM.username,
                    found=found,
                    register=register,
                )
                run = f"; run {run_id}, {queued:,} pairs queued for review"
    except DancuError as exc:
        fail(exc.detail)
        return
    found.clusters.write_csv(out)
    if pairs is not None:
        found.pairs.write_csv(pairs)
    work.remove()
    clusters = found.clusters["cluster_id"].n_unique() if found.clusters.height else 0
    console.print(
        f"{register.height:,} residents: {clusters:,} clusters of likely duplicates "
        f"({found.clusters.height:,} records) → {out}{run}"
    )


@app.command("train")
def train_command(
    ctx: typer.Context,
    sample: int = typer.Option(50_000, help="Residents sampled from the register"),
    seed: int = typer.Option(42),
) -> None:
    """Train the model the gateway's batch check scores with, on a sample of the register
    (u from random pairs, m by EM against a dirty copy of the sample), and store it as the next
    version of "register-link"."""
    from dancu.cli import cli_session, console
    from dancu.linkage.registermodel import train_register_model

    with cli_session(ctx) as session, console.status("training …"):
        row = train_register_model(session, sample=sample, seed=seed)
    console.print(f"model {row.name} version {row.version} (id {row.id}): {row.trained_on}")
