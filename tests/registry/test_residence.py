"""Residence registration rules and history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.auth import auth_headers, make_officer
from tests.factories.registry import BA_DINH, NGOC_HA, person_payload


@pytest.fixture
def admin(client: TestClient, session: Session) -> dict[str, str]:
    officer = make_officer(session, role="central_admin", username="admin")
    session.commit()
    return auth_headers(client, officer)


@pytest.fixture
def number(client: TestClient, admin: dict[str, str]) -> str:
    return str(client.post("/v1/people", json=person_payload(), headers=admin).json()["id_number"])


def _temporary(until: date, commune: str = NGOC_HA) -> dict:
    return {
        "address_line": "Phòng 3, Số 7 Ngọc Hà",
        "commune_code": commune,
        "valid_from": date.today().isoformat(),
        "valid_to": until.isoformat(),
        "reason": "work",
    }


def test_temporary_residence_lasts_at_most_two_years(
    client: TestClient, admin: dict[str, str], number: str
) -> None:
    url = f"/v1/people/{number}/residence/temporary"
    too_long = client.put(
        url, json=_temporary(date.today() + timedelta(days=3 * 365)), headers=admin
    )
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "registry.residence.rule_violation"
    ok = client.put(url, json=_temporary(date.today() + timedelta(days=365)), headers=admin)
    assert ok.status_code == 200, ok.text
    kinds = {r["kind"]: r for r in ok.json()["residences"]}
    assert kinds["temporary"]["commune_code"] == NGOC_HA
    assert kinds["permanent"]["commune_code"] == BA_DINH


def test_temporary_residence_is_outside_the_permanent_commune(
    client: TestClient, admin: dict[str, str], number: str
) -> None:
    response = client.put(
        f"/v1/people/{number}/residence/temporary",
        json=_temporary(date.today() + timedelta(days=30), commune=BA_DINH),
        headers=admin,
    )
    assert response.status_code == 422


def test_a_move_closes_the_old_registration_and_keeps_it(
    client: TestClient, admin: dict[str, str], number: str
) -> None:
    moved = client.put(
        f"/v1/people/{number}/residence/permanent",
        headers=admin,
        json={"address_line": "Số 9 Ngọc Hà", "commune_code": NGOC_HA, "reason": "moved"},
    )
    assert moved.status_code == 200
    history = client.get(f"/v1/people/{number}/residence", headers=admin).json()
    assert [(r["commune_code"], r["ended_at"] is None) for r in history] == [
        (BA_DINH, False),
        (NGOC_HA, True),
    ]
    versions = client.get(f"/v1/people/{number}/history", headers=admin).json()
    assert versions[-1]["action"] == "residence.permanent"
    assert versions[-1]["changes"]["permanent_residence"]["new"]["commune_code"] == NGOC_HA


def test_ending_a_residence(client: TestClient, admin: dict[str, str], number: str) -> None:
    client.put(
        f"/v1/people/{number}/residence/temporary",
        headers=admin,
        json=_temporary(date.today() + timedelta(days=30)),
    )
    ended = client.post(
        f"/v1/people/{number}/residence/temporary/end",
        headers=admin,
        json={"reason": "left the rented room"},
    )
    assert ended.status_code == 200
    assert "temporary" not in {r["kind"] for r in ended.json()["residences"]}
    again = client.post(
        f"/v1/people/{number}/residence/temporary/end", headers=admin, json={"reason": "again"}
    )
    assert again.status_code == 404


def test_a_pre_2025_commune_code_is_converted(client: TestClient, admin: dict[str, str]) -> None:
    # 26734 was Phường Tân Định, Quận 1, TP HCM (a code not reused after 1 July 2025).
    body = person_payload(
        permanent_residence={"address_line": "Số 2 Lê Duẩn", "commune_code": "26734"}
    )
    response = client.post("/v1/people", json=body, headers=admin)
    assert response.status_code == 201, response.text
    residence = response.json()["residences"][0]
    assert residence["converted_from"] == "26734"
    assert residence["province_code"] == "79"
