"""HTTP: the public reference-data endpoints, no sign-in needed."""

from __future__ import annotations

from fastapi.testclient import TestClient

BASE = "/v1/admin-units"


def test_provinces_current_and_legacy(client: TestClient) -> None:
    current = client.get(f"{BASE}/provinces")
    assert current.status_code == 200
    assert len(current.json()) == 34
    legacy = client.get(f"{BASE}/provinces", params={"set": "legacy"}).json()
    assert len(legacy) == 63
    assert {
        "code": "24",
        "name": "Tỉnh Bắc Giang",
        "division_type": "tỉnh",
        "unit_set": "legacy",
    } in legacy


def test_communes_of_a_province(client: TestClient) -> None:
    response = client.get(f"{BASE}/provinces/79/communes")
    assert response.status_code == 200
    assert any(c["code"] == "26740" and c["name"] == "Phường Sài Gòn" for c in response.json())


def test_legacy_commune_comes_with_its_conversion(client: TestClient) -> None:
    body = client.get(f"{BASE}/communes/26740", params={"set": "legacy"}).json()
    assert body["name"] == "Phường Bến Nghé"
    assert body["district_name"] == "Quận 1"
    assert [
        (c["code"], c["name"], c["province_code"], c["is_default"]) for c in body["converted_to"]
    ] == [("26740", "Phường Sài Gòn", "79", True)]


def test_current_commune_has_no_conversion(client: TestClient) -> None:
    body = client.get(f"{BASE}/communes/26740").json()
    assert (body["name"], body["unit_set"], body["converted_to"]) == (
        "Phường Sài Gòn",
        "current",
        [],
    )


def test_unknown_commune_is_a_404_problem(client: TestClient) -> None:
    response = client.get(f"{BASE}/communes/00002")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "adminunit.commune.not_found"
    assert body["status"] == 404 and "00002" in body["detail"]


def test_unknown_province_is_a_404_problem(client: TestClient) -> None:
    response = client.get(f"{BASE}/provinces/02/communes")
    assert response.status_code == 404
    assert response.json()["code"] == "adminunit.province.not_found"


def test_bad_set_is_a_422_problem(client: TestClient) -> None:
    response = client.get(f"{BASE}/provinces", params={"set": "old"})
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_search_by_name_without_diacritics(client: TestClient) -> None:
    response = client.get(f"{BASE}/communes", params={"name": "ben nghe", "set": "legacy"})
    assert response.status_code == 200
    assert [c["code"] for c in response.json()] == ["26740"]
    hcm = client.get(f"{BASE}/communes", params={"name": "SAI GON", "province_code": "79"})
    assert hcm.json()[0]["name"] == "Phường Sài Gòn"


def test_search_too_short_is_refused(client: TestClient) -> None:
    response = client.get(f"{BASE}/communes", params={"name": "x"})
    assert response.status_code == 422
    assert response.json()["code"] == "adminunit.search.invalid"


def test_code_lists(client: TestClient) -> None:
    ethnicities = client.get(f"{BASE}/code-lists/ethnicities").json()
    assert len(ethnicities) == 54 and ethnicities[0] == {"code": "01", "name": "Kinh"}
    religions = client.get(f"{BASE}/code-lists/religions").json()
    assert {"code": "00", "name": "Không"} in religions
    nationalities = client.get(f"{BASE}/code-lists/nationalities").json()
    assert {"code": "VN", "name": "Việt Nam"} in nationalities
    places = client.get(f"{BASE}/code-lists/birth-registration-places").json()
    assert len(places) == 63
    assert {
        "code": "024",
        "name": "Tỉnh Bắc Giang",
        "legacy_province_code": "24",
        "current_province_code": "24",
    } in places


def test_unknown_code_list(client: TestClient) -> None:
    response = client.get(f"{BASE}/code-lists/blood-types")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_endpoints_need_no_sign_in_and_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/admin-units/provinces"]["get"]
    assert "security" not in operation
    assert "202/2025/QH15" in operation["description"]


def test_a_pre_2025_code_asked_as_current_says_how_to_ask(client: TestClient) -> None:
    response = client.get("/v1/admin-units/communes/26734")
    assert response.status_code == 404
    assert "set=legacy" in response.json()["detail"]
    assert "Tân Định" in response.json()["detail"]
