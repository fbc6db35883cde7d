"""`dancu link`: a file with its own column names linked to the register and to another file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from dancu.cli import app
from dancu.linkage.dirty import dirty_copy
from dancu.synth import generate

HEADERS = {
    "id_number": "CCCD",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "permanent_commune": "Mã xã",
    "phone": "SĐT",
}
MAP = ",".join(f"{field}={column}" for field, column in HEADERS.items())


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, new_database: Callable[[], str]
) -> dict[str, object]:
    workdir = tmp_path_factory.mktemp("link")
    people = generate(1500, seed=5, as_of=date(2026, 6, 1))
    register = workdir / "people.parquet"
    people.write_parquet(register)
    env = {"DANCU_DATABASE_URL": new_database(), "DANCU_VAR_DIR": str(workdir)}
    imported = CliRunner().invoke(app, ["import", str(register)], env=env)
    assert imported.exit_code == 0, imported.output
    dirty = dirty_copy(people, 300, seed=2)
    truth = dict(zip(range(1, dirty.height + 1), dirty["true_id_number"], strict=True))
    agency_file = workdir / "agency.csv"
    dirty.select(*(pl.col(f).alias(c) for f, c in HEADERS.items())).write_csv(agency_file)
    return {
        "env": env,
        "file": agency_file,
        "register": register,
        "truth": truth,
        "workdir": workdir,
    }


def _accuracy(results: pl.DataFrame, truth: dict[int, str | None]) -> tuple[float, float]:
    matched = results.filter(pl.col("decision") == "match")
    right = sum(
        1
        for key, found in matched.select("record_key", "matched_key").iter_rows()
        if truth[int(key)] == found
    )
    linkable = sum(1 for v in truth.values() if v is not None)
    return right / max(matched.height, 1), right / linkable


def test_link_a_file_to_the_register(world: dict[str, object]) -> None:
    out = Path(str(world["workdir"])) / "results.csv"
    result = CliRunner().invoke(
        app, ["link", str(world["file"]), "--map", MAP, "--out", str(out)], env=world["env"]
    )  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert "300 records linked against 1," in result.output  # a few synth rows are rejected
    results = pl.read_csv(out, infer_schema=False)
    assert results.height == 300
    assert {
        "record_key",
        "matched_key",
        "match_probability",
        "decision",
        "full_name_agreement",
        "birth_date_agreement",
    } <= set(results.columns)
    precision, recall = _accuracy(results, world["truth"])  # type: ignore[arg-type]
    assert precision > 0.97 and recall > 0.85, (precision, recall)


def test_link_two_files(world: dict[str, object]) -> None:
    out = Path(str(world["workdir"])) / "pair.csv"
    result = CliRunner().invoke(
        app,
        [
            "link",
            str(world["file"]),
            "--map",
            MAP,
            "--out",
            str(out),
            "--against",
            str(world["register"]),
            "--against-map",
            "record_key=id_number",
        ],
    )
    assert result.exit_code == 0, result.output
    precision, recall = _accuracy(pl.read_csv(out, infer_schema=False), world["truth"])  # type: ignore[arg-type]
    assert precision > 0.97 and recall > 0.9, (precision, recall)


def test_bad_maps_are_refused_clearly(world: dict[str, object]) -> None:
    out = Path(str(world["workdir"])) / "x.csv"
    unknown = CliRunner().invoke(
        app,
        ["link", str(world["file"]), "--map", "name=Họ và tên", "--out", str(out)],
        env=world["env"],
    )  # type: ignore[arg-type]
    assert unknown.exit_code == 1 and "FIELD=COLUMN" in unknown.output
    missing = CliRunner().invoke(
        app,
        ["link", str(world["file"]), "--map", "full_name=Tên", "--out", str(out)],
        env=world["env"],
    )  # type: ignore[arg-type]
    assert missing.exit_code == 1 and "no column 'Tên'" in missing.output


def test_a_file_that_knows_only_birth_years_links(world: dict[str, object]) -> None:
    """One of the EM sessions blocks on the full birth date and finds no pairs here: the others
    still train the model (it once failed with Splink's EMTrainingException)."""
    workdir = Path(str(world["workdir"]))
    years = workdir / "years.csv"
    frame = pl.read_csv(Path(str(world["file"])), infer_schema=False)
    frame.with_columns(pl.col("Ngày sinh").str.extract(r"(\d{4})")).write_csv(years)
    out = workdir / "years-out.csv"
    result = CliRunner().invoke(
        app, ["link", str(years), "--map", MAP, "--out", str(out), "--no-queue"], env=world["env"]
    )  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    precision, recall = _accuracy(pl.read_csv(out, infer_schema=False), world["truth"])  # type: ignore[arg-type]
    assert precision > 0.95 and recall > 0.7, (precision, recall)
