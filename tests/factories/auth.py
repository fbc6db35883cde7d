from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dancu.auth import service
from dancu.auth.models import Officer

PASSWORD = "correct-horse-battery"


def make_officer(
    session: Session,
    *,
    role: str = "central_admin",
    jurisdiction: str | None = None,
    username: str | None = None,
) -> Officer:
    name = username or f"{role.split('_')[0]}-{jurisdiction or 'all'}".lower()
    return service.create_officer(
        session, username=name, password=PASSWORD, role=role, jurisdiction_code=jurisdiction
    )


def auth_headers(client: TestClient, officer: Officer) -> dict[str, str]:
    response = client.post(
        "/v1/auth/token", data={"username": officer.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
