"""Households: exactly one head, one household per person, at their permanent residence."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.auth import auth_headers, make_officer
from tests.factories.registry import BA_DINH, NGOC_HA, person_payload


@pytest.fixture
def headers(client: TestClient, session: Session) -> dict[str, str]:
    officer = make_officer(session, role="commune_officer", jurisdiction=BA_DINH, username="canbo")
    session.commit()
    return auth_headers(client, officer)


def _person(client: TestClient, headers: dict[str, str], name: str, commune: str = BA_DINH) -> str:
    body = person_payload(
        full_name=name,
        permanent_residence={"address_line": "Số 5 Đội Cấn", "commune_code": commune},
    )
    response = client.post("/v1/people", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id_number"])


@pytest.fixture
def family(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    return {
        name: _person(client, headers, full)
        for name, full in [
            ("head", "Lê Văn Hùng"),
            ("wife", "Phạm Thị Lan"),
            ("son", "Lê Văn Nam"),
            ("daughter", "Lê Thị Mai"),
        ]
    }


def _create(client: TestClient, headers: dict[str, str], family: dict[str, str]) -> dict:
    response = client.post(
        "/v1/households",
        headers=headers,
        json={
            "head_id_number": family["head"],
            "members": [
                {"id_number": family["wife"], "relation_to_head": "spouse"},
                {"id_number": family["son"], "relation_to_head": "child"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_create_household_with_one_head(
    client: TestClient, headers: dict[str, str], family: dict[str, str]
) -> None:
    household = _create(client, headers, family)
    heads = [m for m in household["members"] if m["is_head"]]
    assert [h["id_number"] for h in heads] == [family["head"]]
    assert household["address_line"] == "Số 5 Đội Cấn"
    assert household["household_number"].startswith(BA_DINH)
    person = client.get(f"/v1/people/{family['son']}", headers=headers).json()
    assert person["household"]["relation_to_head"] == "child"


def test_a_person_belongs_to_one_household_only(
    client: TestClient, headers: dict[str, str], family: dict[str, str]
) -> None:
    _create(client, headers, family)
    again = client.post(
        "/v1/households",
        headers=headers,
        json={
            "head_id_number": family["daughter"],
            "members": [{"id_number": family["son"], "relation_to_head": "sibling"}],
        },
    )
    assert again.status_code == 409
    assert again.json()["code"] == "registry.household.already_member"


def test_members_live_in_the_households_commune(
    client: TestClient, session: Session, headers: dict[str, str], family: dict[str, str]
) -> None:
    admin = make_officer(session, role="central_admin", username="admin")
    session.commit()
    outsider = _person(client, auth_headers(client, admin), "Đỗ Văn Xa", commune=NGOC_HA)
    household = _create(client, headers, family)
    response = client.post(
        f"/v1/households/{household['id']}/members",
        headers=headers,
        json={"id_number": outsider, "relation_to_head": "other", "reason": "join"},
    )
    assert response.status_code in (403, 422)


def test_change_head_keeps_exactly_one_head_and_the_history(
    client: TestClient, headers: dict[str, str], family: dict[str, str]
) -> None:
    household = _create(client, headers, family)
    response = client.post(
        f"/v1/households/{household['id']}/head",
        headers=headers,
        json={
            "id_number": family["wife"],
            "former_head_relation": "spouse",
            "reason": "head deceased? no: agreed by members",
        },
    )
    assert response.status_code == 200, response.text
    members = response.json()["members"]
    assert [m["id_number"] for m in members if m["is_head"]] == [family["wife"]]
    assert {m["id_number"]: m["relation_to_head"] for m in members}[family["head"]] == "spouse"
    past = client.get(
        f"/v1/households/{household['id']}", params={"include_past": True}, headers=headers
    ).json()["members"]
    assert any(m["left_at"] and m["relation_to_head"] == "head" for m in past)


def test_head_cannot_leave_while_others_remain(
    client: TestClient, headers: dict[str, str], family: dict[str, str]
) -> None:
    household = _create(client, headers, family)
    response = client.post(
        f"/v1/households/{household['id']}/members/{family['head']}/remove",
        headers=headers,
        json={"reason": "moved away"},
    )
    assert response.status_code == 422
    ok = client.post(
        f"/v1/households/{household['id']}/members/{family['son']}/remove",
        headers=headers,
        json={"reason": "moved away"},
    )
    assert ok.status_code == 200
    assert family["son"] not in [m["id_number"] for m in ok.json()["members"]]


def test_split_household(
    client: TestClient, headers: dict[str, str], family: dict[str, str]
) -> None:
    household = _create(client, headers, family)
    response = client.post(
        f"/v1/households/{household['id']}/split",
        headers=headers,
        json={
            "head_id_number": family["son"],
            "reason": "son married",
            "address_line": "Số 5A Đội Cấn",
        },
    )
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["split_from_id"] == household["id"]
    assert [(m["id_number"], m["is_head"]) for m in new["members"]] == [(family["son"], True)]
    old = client.get(f"/v1/households/{household['id']}", headers=headers).json()
    assert family["son"] not in [m["id_number"] for m in old["members"]]
    refused = client.post(
        f"/v1/households/{household['id']}/split",
        headers=headers,
        json={"head_id_number": family["head"], "reason": "x y z"},
    )
    assert refused.status_code == 422


def test_moving_away_takes_a_member_out_of_the_household(
    client: TestClient, session: Session, headers: dict[str, str], family: dict[str, str]
) -> None:
    household = _create(client, headers, family)
    admin = make_officer(session, role="central_admin", username="admin")
    session.commit()
    moved = client.put(
        f"/v1/people/{family['son']}/residence/permanent",
        headers=auth_headers(client, admin),
        json={"address_line": "Số 9 Ngọc Hà", "commune_code": NGOC_HA, "reason": "moved"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["household"] is None
    members = client.get(f"/v1/households/{household['id']}", headers=headers).json()["members"]
    assert family["son"] not in [m["id_number"] for m in members]
