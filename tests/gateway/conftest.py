from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.auth import auth_headers, make_officer
from tests.factories.registry import BA_DINH, make_person

Headers = dict[str, str]


@pytest.fixture
def admin(client: TestClient, session: Session) -> Headers:
    officer = make_officer(session, role="central_admin")
    session.commit()
    return auth_headers(client, officer)


@pytest.fixture
def commune(client: TestClient, session: Session) -> Headers:
    officer = make_officer(session, role="commune_officer", jurisdiction=BA_DINH)
    session.commit()
    return auth_headers(client, officer)


@pytest.fixture
def resident(session: Session) -> str:
    number = str(
        make_person(
            session,
            full_name="Nguyễn Thị Minh Khai",
            birth_date="1990-05-21",
            sex="female",
            old_id_numbers=[{"number": "012345678"}],
        ).id_number
    )
    session.commit()
    return number


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def make_agency(
    client: TestClient, admin: Headers, code: str, kind: str = "ministry", **grant: Any
) -> dict[str, str]:
    """An agency with one grant and one client; returns the client's credentials."""
    ok(
        client.post(
            "/v1/gateway/agencies",
            json={"code": code, "name": f"Agency {code}", "kind": kind},
            headers=admin,
        ),
        201,
    )
    body = {
        "operations": ["verify", "lookup"],
        "fields": ["full_name"],
        "purposes": ["social-insurance"],
        "legal_basis": "Decree 13/2023 Art. 17",
    }
    body.update(grant)
    created = ok(client.post(f"/v1/gateway/agencies/{code}/grants", json=body, headers=admin), 201)
    credentials = ok(
        client.post(f"/v1/gateway/agencies/{code}/clients", json={}, headers=admin), 201
    )
    return {
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "grant_id": str(created["id"]),
    }


def token_headers(client: TestClient, credentials: dict[str, str]) -> Headers:
    response = client.post(
        "/v1/gateway/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
