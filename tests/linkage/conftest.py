from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from dancu.cli import app


def import_people(people: pl.DataFrame, url: str, workdir: Path) -> dict[str, str]:
    """Load ``people`` (synth's file format) into the database at ``url`` with `dancu import`;
    returns the environment that points the CLI at it."""
    people.write_parquet(workdir / "people.parquet")
    env = {"DANCU_DATABASE_URL": url, "DANCU_VAR_DIR": str(workdir)}
    imported = CliRunner().invoke(app, ["import", str(workdir / "people.parquet")], env=env)
    assert imported.exit_code == 0, imported.output
    return env
