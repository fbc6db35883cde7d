"""`dancu synth` as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import typer
from typer.testing import CliRunner

from dancu.synth.cli import synth_command

app = typer.Typer()
app.command()(synth_command)


def test_writes_the_file_and_says_how_many_residents(tmp_path: Path) -> None:
    args = ["--people", "2500", "--seed", "4", "--out", str(tmp_path), "--format", "csv"]
    result = CliRunner().invoke(app, [*args, "--as-of", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert "wrote 2,500 residents in" in result.output
    assert pl.read_csv(tmp_path / "people.csv", infer_schema=False).height == 2500


def test_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--people", "10", "--out", str(tmp_path), "--format", "xml"])
    assert result.exit_code != 0
    assert not (tmp_path / "people.xml").exists()
