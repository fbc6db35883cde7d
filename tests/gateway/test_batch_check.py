"""Batch check: an agency's CSV checked in the background, resumable, results downloadable."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import dancu.gateway.jobs  # noqa: F401  (registers the handlers)
from dancu.config import Settings
from dancu.gateway import batch
from dancu.jobs import Worker
from dancu.kit.db import unit_of_work
from tests.factories.registry import make_person
from tests.gateway.conftest import Headers, make_agency, ok, token_headers

FIELDS = ["id_number", "full_name", "birth_date", "sex"]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["record_key", "id_number", "full_name", "birth_date", "sex"], *rows]
    )
    return buffer.getvalue().encode()


@pytest.fixture
def people(session: Session) -> tuple[str, str]:
    khai = make_person(
        session, full_name="Nguyễn Thị Minh Khai", birth_date="1990-05-21", sex="female"
    )
    binh = make_person(session, full_name="Trần Văn Bình", birth_date="1985-02-03")
    session.commit()
    return str(khai.id_number), str(binh.id_number)


def _submit(client: TestClient, headers: Headers, body: bytes) -> dict[str, object]:
    return ok(
        client.post(
            "/v1/gateway/batches",
            params={"purpose": "social-insurance"},
            files={"file": ("records.csv", body, "text/csv")},
            headers=headers,
        ),
        202,
    )


def test_a_batch_is_matched_with_agreements_and_corrections(
    client: TestClient,
    admin: Headers,
    people: tuple[str, str],
    sessions: sessionmaker[Session],
    settings: Settings,
) -> None:
    khai, binh = people
    headers = token_headers(
        client, make_agency(client, admin, "bhxh", operations=["batch"], fields=FIELDS)
    )
    submitted = _submit(
        client,
        headers,
        _csv(
            [
                ["k1", khai, "Nguyen Thi Minh Khai", "1990-05-21", "female"],
                ["k2", "", "Trần Văn Bình", "1985", ""],
                ["k3", "001090999999", "Ai Đó", "1970", "male"],
                ["k4", khai, "Nguyễn Thị Minh Khai", "1990-12-21", "female"],
                ["k5", "", "", "", ""],
            ]
        ),
    )
    assert submitted["status"] == "queued" and submitted["rows_total"] == 5
    sessions.configure(info={"settings": settings})
    Worker(sessions).run_once()
    status = ok(client.get(f"/v1/gateway/batches/{submitted['id']}", headers=headers))
    assert (status["status"], status["rows_done"], status["rows_matched"]) == ("done", 5, 3)
    response = client.get(f"/v1/gateway/batches/{submitted['id']}/results.csv", headers=headers)
    rows = {r["record_key"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert rows["k1"]["status"] == "matched" and rows["k1"]["id_number"] == khai
    assert rows["k1"]["full_name_agreement"] == "normalised"
    assert rows["k1"]["full_name_correction"] == "Nguyễn Thị Minh Khai"
    assert rows["k2"]["id_number"] == binh and rows["k2"]["birth_date_agreement"] == "normalised"
    assert rows["k3"]["status"] == "no_match" and rows["k3"]["id_number"] == ""
    assert rows["k4"]["birth_date_agreement"] == "no_match"
    assert rows["k4"]["birth_date_correction"] == "1990-05-21"
    assert rows["k5"]["status"] == "invalid"
    assert (
        client.delete(f"/v1/gateway/batches/{submitted['id']}", headers=headers).status_code == 204
    )
    assert client.get(f"/v1/gateway/batches/{submitted['id']}", headers=headers).status_code == 404


def test_without_the_id_number_field_no_number_is_returned(
    client: TestClient,
    admin: Headers,
    people: tuple[str, str],
    sessions: sessionmaker[Session],
    settings: Settings,
) -> None:
    headers = token_headers(
        client, make_agency(client, admin, "thue", operations=["batch"], fields=["full_name"])
    )
    submitted = _submit(client, headers, _csv([["k2", "", "Trần Văn Bình", "1985", ""]]))
    sessions.configure(info={"settings": settings})
    Worker(sessions).run_once()
    text = client.get(f"/v1/gateway/batches/{submitted['id']}/results.csv", headers=headers).text
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["status"] == "matched" and row["id_number"] == "" and people[1] not in text


def test_a_batch_goes_on_from_where_it_stopped(
    client: TestClient,
    admin: Headers,
    people: tuple[str, str],
    sessions: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch, "CHUNK", 2)
    headers = token_headers(
        client, make_agency(client, admin, "bhxh", operations=["batch"], fields=FIELDS)
    )
    rows = [[f"k{n}", people[0], "Nguyễn Thị Minh Khai", "1990-05-21", "female"] for n in range(5)]
    submitted = _submit(client, headers, _csv(rows))
    with unit_of_work(sessions) as session:  # the first chunk, then the process "dies"
        assert batch.run_chunk(session, int(str(submitted["id"])), 1) == 3
    midway = ok(client.get(f"/v1/gateway/batches/{submitted['id']}", headers=headers))
    assert (midway["status"], midway["rows_done"]) == ("running", 2)
    sessions.configure(info={"settings": settings})
    worker = Worker(sessions)  # a new worker: the queued jobs carry on
    for _ in range(4):
        worker.run_once()
    done = ok(client.get(f"/v1/gateway/batches/{submitted['id']}", headers=headers))
    assert (done["status"], done["rows_done"], done["rows_matched"]) == ("done", 5, 5)


def test_bad_files_are_refused(client: TestClient, admin: Headers) -> None:
    headers = token_headers(client, make_agency(client, admin, "bhxh", operations=["batch"]))
    no_key = client.post(
        "/v1/gateway/batches",
        params={"purpose": "social-insurance"},
        files={"file": ("x.csv", b"name\nAn\n", "text/csv")},
        headers=headers,
    )
    assert no_key.status_code == 422 and "record_key" in no_key.json()["detail"]
    latin = client.post(
        "/v1/gateway/batches",
        params={"purpose": "social-insurance"},
        files={"file": ("x.csv", "record_key\nNguyễn".encode("utf-16"), "text/csv")},
        headers=headers,
    )
    assert latin.status_code == 422
    not_granted = token_headers(client, make_agency(client, admin, "other"))
    refused = client.post(
        "/v1/gateway/batches",
        params={"purpose": "social-insurance"},
        files={"file": ("x.csv", _csv([]), "text/csv")},
        headers=not_granted,
    )
    assert refused.status_code == 403
