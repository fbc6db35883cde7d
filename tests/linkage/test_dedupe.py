"""`dancu dedupe`: residents registered twice are found and clustered, nothing else is; a killed
run resumes from its last finished stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dancu.cli import app
from dancu.kit.db import build_engine, session_factory, unit_of_work
from dancu.linkage.checkpoint import Checkpoint, fingerprint
from dancu.linkage.dedupe import find_duplicates
from dancu.linkage.dirty import DirtRates, dirty_copy
from dancu.linkage.link import register_frame
from dancu.linkage.models import LinkageRun, ReviewPair
from dancu.synth import generate
from tests.factories.registry import make_person
from tests.linkage.conftest import import_people

RESIDENTS, TWICE = 1500, 40
# Registered a second time: the name typed differently, the date and sex right.
SECOND_TIME = DirtRates(unmatched=0.0, day_month_swap=0.0, year_only=0.0, year_month_only=0.0,
                        day_off=0.0, legacy_date_format=0.0, wrong_sex=0.0, legacy_commune=0.0,
                        phone_missing=0.3)  # fmt: skip


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, new_database: Callable[[], str]
) -> dict[str, object]:
    workdir = tmp_path_factory.mktemp("dedupe")
    people = generate(RESIDENTS, seed=8, as_of=date(2026, 6, 1))
    url = new_database()
    env = import_people(people, url, workdir)
    copies = dirty_copy(people, TWICE, seed=3, rates=SECOND_TIME)
    engine = build_engine(url)
    pairs = set()
    with unit_of_work(session_factory(engine)) as session:
        for row in copies.iter_rows(named=True):
            twin = make_person(
                session,
                full_name=row["full_name"],
                birth_date=row["birth_date"],
                sex=row["sex"],
                phone=row["phone"],
                birth_registration_code=row["true_id_number"][:3],
                permanent_residence={"address_line": "Thôn 1", "commune_code":
                                     row["permanent_commune"]},
            )  # fmt: skip
            pairs.add(frozenset((row["true_id_number"], str(twin.id_number))))
    engine.dispose()
    return {"env": env, "url": url, "pairs": pairs, "workdir": workdir}


def test_dedupe_finds_the_residents_registered_twice(world: dict[str, object]) -> None:
    out = Path(str(world["workdir"])) / "clusters.csv"
    scored = Path(str(world["workdir"])) / "pairs.csv"
    result = CliRunner().invoke(
        app, ["dedupe", "--out", str(out), "--pairs", str(scored)], env=world["env"]
    )  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert "residents: " in result.output and "clusters of likely duplicates" in result.output
    clusters = pl.read_csv(out, infer_schema=False)
    found = {
        frozenset(keys)
        for keys in clusters.group_by("cluster_id").agg("record_key")["record_key"].to_list()
    }
    truth: set[frozenset[str]] = world["pairs"]  # type: ignore[assignment]
    right = len(found & truth)
    assert right / max(len(found), 1) >= 0.95, (right, len(found))  # precision
    assert right / len(truth) >= 0.9, (right, len(truth))  # recall
    assert set(clusters["size"].unique().to_list()) <= {"2", "3"}
    every = pl.read_csv(scored, infer_schema=False)
    assert {"key_l", "key_r", "match_probability", "decision", "phone_agreement"} <= set(
        every.columns
    )
    engine = build_engine(str(world["url"]))
    with unit_of_work(session_factory(engine)) as session:
        run = session.scalars(select(LinkageRun).where(LinkageRun.kind == "dedupe")).one()
        queued = session.scalars(select(ReviewPair).where(ReviewPair.run_id == run.id)).all()
        assert run.status == "done" and run.counts["queued"] == len(queued)
        assert all(0.5 <= p.match_probability < 0.9 for p in queued)
    engine.dispose()
    assert not any((Path(str(world["workdir"])) / "linkage").iterdir())  # work files removed


def test_a_killed_run_resumes_from_its_last_stage(
    world: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = build_engine(str(world["url"]))
    with unit_of_work(session_factory(engine)) as session:
        register = register_frame(session)
    engine.dispose()
    work = Checkpoint.open(tmp_path, fingerprint("dedupe", {"match": 0.9}))

    def killed(text: str) -> None:
        if text.startswith("3/4"):
            raise KeyboardInterrupt  # the process dies while scoring

    with pytest.raises(KeyboardInterrupt):
        find_duplicates(register, stages=work, step=killed)
    assert work.done() == ["prepared-register", "model"]

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was trained again")

    monkeypatch.setattr("dancu.linkage.dedupe.train", no_training)
    again = find_duplicates(register, stages=Checkpoint.open(tmp_path, work.key))
    assert work.done() == ["prepared-register", "model", "pairs", "clusters"]
    fresh = find_duplicates(register, model=again.model)
    assert again.pairs.equals(fresh.pairs) and again.clusters.equals(fresh.clusters)
