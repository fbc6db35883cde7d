"""Resident records over HTTP: registration, reads, optimistic concurrency, history, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dancu.idnumber import IdNumber
from dancu.registry.person.models import Person, PersonVersion
from dancu.registry.residence.models import Residence
from tests.factories.auth import auth_headers, make_officer
from tests.factories.registry import BA_DINH, NGOC_HA, person_payload


@pytest.fixture
def admin(client: TestClient, session: Session) -> dict[str, str]:
    officer = make_officer(session, role="central_admin", username="admin")
    session.commit()
    return auth_headers(client, officer)


@pytest.fixture
def officer(client: TestClient, session: Session) -> dict[str, str]:
    o = make_officer(session, role="commune_officer", jurisdiction=BA_DINH, username="canbo")
    session.commit()
    return auth_headers(client, o)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def test_register_allocates_a_number_from_the_birth_data(
    client: TestClient, officer: dict[str, str]
) -> None:
    response = client.post(
        "/v1/people", json=person_payload(sex="female", birth_date="2003-02-01"), headers=officer
    )
    assert response.status_code == 201, response.text
    body = response.json()
    number = IdNumber.parse(body["id_number"])
    assert (number.province_code, number.sex, number.birth_year) == ("001", "female", 2003)
    assert str(number)[3] == "3"  # born 2000-2099, female
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert body["full_name"] == "Nguyễn Văn An"
    assert body["residences"][0]["commune_code"] == BA_DINH
    assert body["residences"][0]["province_code"] == "01"


def test_names_are_stored_nfc(client: TestClient, officer: dict[str, str]) -> None:
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Ha\u0300"  # NFD input from a legacy system
    body = client.post(
        "/v1/people", json=person_payload(full_name=decomposed), headers=officer
    ).json()
    assert body["full_name"] == "Nguyễn Thị Hà"


def test_partial_birth_dates_are_kept_as_given(client: TestClient, admin: dict[str, str]) -> None:
    body = client.post("/v1/people", json=person_payload(birth_date="1957"), headers=admin).json()
    assert body["birth_date"] == "1957"
    assert IdNumber.parse(body["id_number"]).birth_year == 1957


def test_bad_input_is_refused_whole_with_field_paths(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    before = _count(session)
    response = client.post(
        "/v1/people",
        json=person_payload(
            birth_date="1990-02-30",
            sex="x",
            permanent_residence={"address_line": "a", "commune_code": "1"},
        ),
        headers=admin,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "request.invalid"
    paths = {tuple(e["loc"]) for e in problem["errors"]}
    assert ("body", "birth_date") in paths
    assert ("body", "sex") in paths
    assert ("body", "permanent_residence", "commune_code") in paths
    assert _count(session) == before


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("ethnicity_code", "99", "registry.person.rule_violation"),
        ("birth_registration_code", "003", "idnumber.invalid"),
        ("birth_date", "2099-01-01", "registry.person.rule_violation"),
    ],
)
def test_domain_refusals_write_nothing(
    client: TestClient, admin: dict[str, str], session: Session, field: str, value: str, code: str
) -> None:
    before = _count(session)
    response = client.post("/v1/people", json=person_payload(**{field: value}), headers=admin)
    assert response.status_code in (422, 400), response.text
    assert response.json()["code"] == code
    assert _count(session) == before


def test_unknown_commune_is_a_404_problem(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/v1/people",
        json=person_payload(permanent_residence={"address_line": "x", "commune_code": "99999"}),
        headers=admin,
    )
    assert response.status_code == 404
    assert response.json()["code"] == "adminunit.commune.not_found"


def test_update_needs_if_match_and_refuses_stale_versions(
    client: TestClient, officer: dict[str, str]
) -> None:
    created = client.post("/v1/people", json=person_payload(), headers=officer)
    number = created.json()["id_number"]
    url = f"/v1/people/{number}"
    change = {"phone": "0912345678", "reason": "citizen request"}

    assert client.patch(url, json=change, headers=officer).status_code == 428
    first = client.patch(url, json=change, headers={**officer, "If-Match": created.headers["ETag"]})
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"2"'
    stale = client.patch(
        url,
        json={"phone": "0987654321", "reason": "other clerk"},
        headers={**officer, "If-Match": created.headers["ETag"]},
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "registry.person.stale_version"
    assert client.get(url, headers=officer).json()["phone"] == "0912345678"


def test_every_change_is_a_version_with_who_when_why(
    client: TestClient, officer: dict[str, str]
) -> None:
    number = client.post("/v1/people", json=person_payload(), headers=officer).json()["id_number"]
    client.patch(
        f"/v1/people/{number}",
        json={"full_name": "Nguyễn Văn Ân", "reason": "typo", "legal_reference": "CT01/2026/123"},
        headers={**officer, "If-Match": '"1"'},
    )
    history = client.get(f"/v1/people/{number}/history", headers=officer).json()
    assert [v["version"] for v in history] == [1, 2]
    assert history[1]["officer"] == "canbo"
    assert history[1]["reason"] == "typo"
    assert history[1]["legal_reference"] == "CT01/2026/123"
    assert history[1]["changes"] == {"full_name": {"old": "Nguyễn Văn An", "new": "Nguyễn Văn Ân"}}


def test_a_record_can_be_read_as_of_a_past_date(
    client: TestClient, officer: dict[str, str], session: Session
) -> None:
    number = client.post("/v1/people", json=person_payload(), headers=officer).json()["id_number"]
    person = session.scalar(select(Person).where(Person.id_number == number))
    assert person is not None
    past = datetime(2024, 1, 1, tzinfo=UTC)
    session.execute(
        update(PersonVersion).where(PersonVersion.person_id == person.id).values(recorded_at=past)
    )
    session.execute(
        update(Residence).where(Residence.person_id == person.id).values(recorded_at=past)
    )
    session.commit()
    client.patch(
        f"/v1/people/{number}",
        json={"full_name": "Nguyễn Văn Bình", "reason": "court ruling"},
        headers={**officer, "If-Match": '"1"'},
    )

    then = client.get(
        f"/v1/people/{number}", params={"as_of": "2024-06-01"}, headers=officer
    ).json()
    now = client.get(f"/v1/people/{number}", headers=officer).json()
    assert (then["full_name"], then["version"]) == ("Nguyễn Văn An", 1)
    assert (now["full_name"], now["version"]) == ("Nguyễn Văn Bình", 2)
    before = client.get(f"/v1/people/{number}", params={"as_of": "2023-01-01"}, headers=officer)
    assert before.status_code == 404


def test_correcting_sex_reestablishes_the_id_number(
    client: TestClient, officer: dict[str, str]
) -> None:
    old = client.post("/v1/people", json=person_payload(), headers=officer).json()["id_number"]
    response = client.patch(
        f"/v1/people/{old}",
        json={"sex": "female", "reason": "data-entry error"},
        headers={**officer, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    new = response.json()["id_number"]
    assert new != old
    assert IdNumber.parse(new).sex == "female"
    assert response.json()["cancelled_id_numbers"] == [old]
    # the cancelled number still finds the person
    assert client.get(f"/v1/people/{old}", headers=officer).json()["id_number"] == new
    history = client.get(f"/v1/people/{new}/history", headers=officer).json()
    assert history[-1]["changes"]["id_number"] == {"old": old, "new": new}


def test_search_is_case_and_diacritic_insensitive(
    client: TestClient, officer: dict[str, str]
) -> None:
    for name in ("Nguyễn Văn An", "Nguyễn Văn Anh", "Trần Thị Đào"):
        client.post("/v1/people", json=person_payload(full_name=name), headers=officer)
    found = client.get("/v1/people", params={"name": "nguyen van an"}, headers=officer).json()
    # "Anh" is one typo away from "An": listed after the exact match, and marked so.
    assert [(p["full_name"], p["match"]) for p in found["items"]] == [
        ("Nguyễn Văn An", "exact"),
        ("Nguyễn Văn Anh", "approximate"),
    ]
    dao = client.get("/v1/people", params={"name": "TRAN THI DAO"}, headers=officer).json()
    assert [p["full_name"] for p in dao["items"]] == ["Trần Thị Đào"]


def test_search_pages_with_a_cursor(client: TestClient, officer: dict[str, str]) -> None:
    for i in range(5):
        client.post(
            "/v1/people",
            json=person_payload(full_name=f"Lê Văn Tám {chr(65 + i)}"),
            headers=officer,
        )
    seen: list[str] = []
    params: dict[str, str | int] = {"name": "le van tam", "limit": 2}
    while True:
        page = client.get("/v1/people", params=params, headers=officer).json()
        seen += [p["id_number"] for p in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5


def test_commune_officers_act_only_in_their_commune(
    client: TestClient, officer: dict[str, str], admin: dict[str, str], session: Session
) -> None:
    elsewhere = person_payload(permanent_residence={"address_line": "x", "commune_code": NGOC_HA})
    refused = client.post("/v1/people", json=elsewhere, headers=officer)
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.out_of_jurisdiction"
    number = client.post("/v1/people", json=elsewhere, headers=admin).json()["id_number"]
    assert client.get(f"/v1/people/{number}", headers=officer).status_code == 403
    patch = client.patch(
        f"/v1/people/{number}",
        json={"phone": "0912345678", "reason": "x y z"},
        headers={**officer, "If-Match": '"1"'},
    )
    assert patch.status_code == 403
    found = client.get("/v1/people", params={"name": "nguyen van an"}, headers=officer).json()
    assert number not in [p["id_number"] for p in found["items"]]


def test_auditors_read_but_never_write(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    auditor = make_officer(session, role="auditor", username="auditor")
    session.commit()
    headers = auth_headers(client, auditor)
    number = client.post("/v1/people", json=person_payload(), headers=admin).json()["id_number"]
    assert client.get(f"/v1/people/{number}", headers=headers).status_code == 200
    refused = client.post("/v1/people", json=person_payload(), headers=headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.read_only_role"


def test_requests_without_a_valid_token_are_401(client: TestClient) -> None:
    assert client.get("/v1/people/001090123456").status_code == 401
    bad = client.get("/v1/people/001090123456", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert bad.json()["code"] == "auth.invalid_token"
    wrong = client.post("/v1/auth/token", data={"username": "nobody", "password": "whatever1"})
    assert wrong.status_code == 401


def test_unknown_person_is_a_404_problem(client: TestClient, admin: dict[str, str]) -> None:
    response = client.get("/v1/people/001090999999", headers=admin)
    assert response.status_code == 404
    assert response.json()["code"] == "registry.person.not_found"
    invalid = client.get("/v1/people/12345", headers=admin)
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "idnumber.invalid"


def test_every_item_the_law_lists_round_trips(client: TestClient, admin: dict[str, str]) -> None:
    full = person_payload(
        other_names=["Tư"],
        place_of_birth="Bệnh viện Phụ sản Hà Nội",
        birth_registration_place="UBND phường Ba Đình",
        hometown="Xã Yên Thế, Tỉnh Bắc Giang",
        ethnicity_code="02",
        religion_code="01",
        blood_group="O+",
        old_id_numbers=[
            {
                "number": "012345678",
                "issued_on": "2008-04-01",
                "issued_place": "Công an TP Hà Nội",
                "expires_on": "2023-04-01",
            }
        ],
        relations=[
            {"kind": "father", "full_name": "Nguyễn Văn Bố", "id_number": "001060123456"},
            {
                "kind": "legal_representative",
                "full_name": "Lê Thị Giám Hộ",
                "old_id_number": "123456789",
            },
        ],
        marital_status="married",
        phone="0912345678",
        email="an@example.vn",
        temporary_absence={
            "from_date": "2026-01-01",
            "destination": "Tỉnh Lâm Đồng",
            "reason": "work",
        },
        residence_document_number="CT07-2026-000123",
        temporary_residence={"address_line": "Phòng 2, Số 7 Ngọc Hà", "commune_code": NGOC_HA},
        temporary_residence_until="2027-06-30",
        current_residence={"address_line": "Phòng 2, Số 7 Ngọc Hà", "commune_code": NGOC_HA},
    )
    number = client.post("/v1/people", json=full, headers=admin).json()["id_number"]
    read = client.get(f"/v1/people/{number}", headers=admin).json()
    for key in (
        "other_names",
        "place_of_birth",
        "birth_registration_place",
        "hometown",
        "ethnicity_code",
        "religion_code",
        "blood_group",
        "marital_status",
        "phone",
        "email",
        "residence_document_number",
    ):
        assert read[key] == full[key], key
    assert read["old_id_numbers"][0]["issued_place"] == "Công an TP Hà Nội"
    assert [r["kind"] for r in read["relations"]] == ["father", "legal_representative"]
    assert read["temporary_absence"]["destination"] == "Tỉnh Lâm Đồng"
    assert {r["kind"] for r in read["residences"]} == {"permanent", "temporary", "current"}
    by_old = client.get("/v1/people", params={"name": "nguyen van an"}, headers=admin).json()
    assert number in [p["id_number"] for p in by_old["items"]]


def test_death_is_recorded_and_shown(client: TestClient, admin: dict[str, str]) -> None:
    number = client.post("/v1/people", json=person_payload(), headers=admin).json()["id_number"]
    no_date = client.patch(
        f"/v1/people/{number}",
        json={"death_kind": "missing", "reason": "x y z"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert no_date.status_code == 422
    died = client.patch(
        f"/v1/people/{number}",
        json={"death_date": "2026-03", "reason": "death registered"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert died.status_code == 200, died.text
    assert (died.json()["status"], died.json()["death_date"]) == ("dead", "2026-03")
    before_birth = client.patch(
        f"/v1/people/{number}",
        json={"death_date": "1980", "reason": "typo"},
        headers={**admin, "If-Match": '"2"'},
    )
    assert before_birth.status_code == 422


def test_province_officers_cover_their_province(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    hanoi = make_officer(session, role="province_officer", jurisdiction="01", username="tinh01")
    session.commit()
    headers = auth_headers(client, hanoi)
    inside = client.post("/v1/people", json=person_payload(), headers=headers)
    assert inside.status_code == 201
    saigon = person_payload(
        permanent_residence={"address_line": "Số 2 Lê Duẩn", "commune_code": "26740"}
    )
    outside = client.post("/v1/people", json=saigon, headers=admin).json()["id_number"]
    assert client.get(f"/v1/people/{outside}", headers=headers).status_code == 403
    assert (
        client.get(f"/v1/people/{inside.json()['id_number']}", headers=headers).status_code == 200
    )


def test_reads_and_writes_are_audited_without_personal_data(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    from dancu.audit.models import AuditEvent

    number = client.post("/v1/people", json=person_payload(), headers=admin).json()["id_number"]
    client.get(f"/v1/people/{number}", headers=admin)
    events = session.scalars(select(AuditEvent).where(AuditEvent.subject_id == number)).all()
    assert [e.action for e in events] == ["registry:person:register", "registry:person:read"]
    assert all(e.actor == "admin" for e in events)
    assert all("Nguyễn" not in str(e.details) for e in events)
