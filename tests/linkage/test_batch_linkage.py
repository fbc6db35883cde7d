"""The gateway's batch check runs on the linkage engine: an agency's dirty file without ID numbers
is matched to a real (synthetic) register accurately, uncertain rows go to the clerical review
queue and are reported as "review", and the prior follows the register's size."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

import dancu.gateway.jobs  # noqa: F401  (registers the handlers)
from dancu.cli import app as cli
from dancu.config import Settings
from dancu.gateway import batch
from dancu.jobs import Worker
from dancu.kit.db import build_engine, session_factory, unit_of_work
from dancu.linkage.dirty import dirty_copy
from dancu.linkage.registermodel import for_register, register_model
from dancu.synth import generate
from tests.factories.auth import auth_headers, make_officer
from tests.gateway.conftest import Headers, make_agency, ok, token_headers
from tests.linkage.conftest import import_people

RESIDENTS, ROWS = 1500, 200


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, new_database: Callable[[], str]
) -> Iterator[dict[str, object]]:
    from dancu.app import create_app

    workdir = tmp_path_factory.mktemp("batch")
    people = generate(RESIDENTS, seed=21, as_of=date(2026, 6, 1))
    url = new_database()
    import_people(people, url, workdir)
    settings = Settings(
        database_url=url,
        var_dir=workdir,
        auth={"secret_key": "test-secret-key-of-sufficient-length-0123456789"},
    )
    engine = build_engine(url)
    sessions = session_factory(engine)
    sessions.configure(info={"settings": settings})
    with TestClient(create_app(settings, sessions=sessions)) as client:
        yield {"client": client, "sessions": sessions, "people": people}
    engine.dispose()


def _file(dirty: pl.DataFrame) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["record_key", "full_name", "birth_date", "sex", "permanent_commune"])
    for n, row in enumerate(dirty.iter_rows(named=True)):
        birth = row["birth_date"]
        if "/" in birth:  # the gateway takes ISO dates (YYYY, YYYY-MM, YYYY-MM-DD)
            birth = "-".join(reversed(birth.split("/")))
        writer.writerow([f"r{n}", row["full_name"], birth, row["sex"], row["permanent_commune"]])
    return buffer.getvalue().encode()


def _run_batch(
    world: dict[str, object], clerk: str, agency: str, dirty: pl.DataFrame
) -> tuple[TestClient, Headers, Headers, int]:
    """A central admin, an agency with a batch grant, the dirty file submitted and the worker
    run until no job is left: (client, admin headers, agency headers, batch id)."""
    client: TestClient = world["client"]  # type: ignore[assignment]
    sessions: sessionmaker[Session] = world["sessions"]  # type: ignore[assignment]
    with unit_of_work(sessions) as session:
        admin = make_officer(session, role="central_admin", username=clerk)
    admin_headers = auth_headers(client, admin)
    fields = ["id_number", "full_name", "birth_date", "sex"]
    headers = token_headers(
        client, make_agency(client, admin_headers, agency, operations=["batch"], fields=fields)
    )
    submitted = ok(
        client.post(
            "/v1/gateway/batches",
            params={"purpose": "social-insurance"},
            files={"file": (f"{agency}.csv", _file(dirty), "text/csv")},
            headers=headers,
        ),
        202,
    )
    worker = Worker(sessions)
    while worker.run_once():
        pass
    return client, admin_headers, headers, int(submitted["id"])


def test_a_file_without_id_numbers_is_matched_by_the_engine(world: dict[str, object]) -> None:
    dirty = dirty_copy(world["people"], ROWS, seed=4)  # type: ignore[arg-type]
    client, admin_headers, headers, batch_id = _run_batch(world, "batch-admin", "bhxh-b", dirty)
    status = ok(client.get(f"/v1/gateway/batches/{batch_id}", headers=headers))
    assert status["status"] == "done" and status["rows_done"] == ROWS
    text = client.get(f"/v1/gateway/batches/{batch_id}/results.csv", headers=headers).text
    results = {r["record_key"]: r for r in csv.DictReader(io.StringIO(text))}
    truth = {f"r{n}": t for n, t in enumerate(dirty["true_id_number"])}
    matched = [k for k, r in results.items() if r["status"] == "matched"]
    right = sum(1 for k in matched if results[k]["id_number"] == truth[k])
    linkable = sum(1 for t in truth.values() if t is not None)
    assert right / len(matched) >= 0.98, (right, len(matched))
    assert right / linkable >= 0.8, (right, linkable)
    assert all(float(results[k]["match_probability"]) >= 0.9 for k in matched)
    in_review = [k for k, r in results.items() if r["status"] == "review"]
    assert all(results[k]["id_number"] == "" for k in in_review)  # nothing released
    queue = ok(client.get("/v1/linkage/reviews", params={"limit": 200}, headers=admin_headers))
    items = queue["items"] if isinstance(queue, dict) else queue
    batch_pairs = {p["right_ref"] for p in items}
    lines = {f"r{n}": n + 2 for n in range(ROWS)}  # the header is line 1
    assert {f"{batch_id}:{lines[k]}" for k in in_review} <= batch_pairs


def test_a_clerks_decision_goes_back_to_the_agencys_row(
    world: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "MATCH", 1.01)  # every candidate lands in the review band
    dirty = dirty_copy(world["people"], 40, seed=9)  # type: ignore[arg-type]
    client, admin_headers, headers, batch_id = _run_batch(world, "batch-clerk", "thue-b", dirty)
    sessions: sessionmaker[Session] = world["sessions"]  # type: ignore[assignment]
    worker = Worker(sessions)
    prefix = f"{batch_id}:"
    queue = ok(client.get("/v1/linkage/reviews", params={"limit": 200}, headers=admin_headers))
    pairs = [p for p in queue["items"] if p["right_ref"].startswith(prefix)]
    assert len(pairs) >= 2
    yes, no = pairs[0], pairs[1]
    for pair, decision in ((yes, "match"), (no, "not_match")):
        ok(
            client.post(
                f"/v1/linkage/reviews/{pair['id']}/decision",
                json={"decision": decision},
                headers=admin_headers,
            )
        )
    while worker.run_once():
        pass
    text = client.get(f"/v1/gateway/batches/{batch_id}/results.csv", headers=headers).text
    by_line = {r["line"]: r for r in csv.DictReader(io.StringIO(text))}
    matched = by_line[yes["right_ref"].split(":")[1]]
    assert matched["status"] == "matched" and matched["id_number"] == yes["left_ref"]
    assert by_line[no["right_ref"].split(":")[1]]["status"] == "no_match"
    others = [r for line, r in by_line.items() if f"{prefix}{line}" in
              {p["right_ref"] for p in pairs[2:]}]  # fmt: skip
    assert all(r["status"] == "review" for r in others)  # undecided rows stay in review


def test_the_prior_follows_the_register_size(world: dict[str, object]) -> None:
    sessions: sessionmaker[Session] = world["sessions"]  # type: ignore[assignment]
    with unit_of_work(sessions) as session:
        row, model = register_model(session)
        sized = for_register(session, model)
    assert row is None  # no model trained on this register yet: the packaged one
    prior = sized.settings["probability_two_random_records_match"]
    assert 0.95 / (RESIDENTS + 50) < prior < 0.95 / (RESIDENTS - 50)
    assert model.term_frequencies["family_name_folded"]["nguyen"] > 0.3


def test_linkage_train_stores_a_model_of_this_register(
    world: dict[str, object], tmp_path: Path
) -> None:
    sessions: sessionmaker[Session] = world["sessions"]  # type: ignore[assignment]
    url = str(sessions.kw["bind"].url.render_as_string(hide_password=False))
    env = {"DANCU_DATABASE_URL": url, "DANCU_VAR_DIR": str(tmp_path)}
    trained = CliRunner().invoke(cli, ["linkage", "train", "--sample", "1000"], env=env)
    assert trained.exit_code == 0, trained.output
    assert "model register-link version 1" in trained.output
    with unit_of_work(sessions) as session:
        row, _ = register_model(session)
    assert row is not None and row.version == 1 and "residents" in row.trained_on
