"""Agencies get tokens, verify and look up within their grants; every call is recorded."""

from __future__ import annotations

import base64
import time
import uuid
import zlib

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dancu.audit.models import AuditEvent
from dancu.gateway.access import verify_chains
from dancu.gateway.fields import FIELDS
from dancu.gateway.models import AccessRecord
from tests.factories.registry import make_person
from tests.gateway.conftest import Headers, make_agency, ok, token_headers


def test_token_by_post_and_basic_and_refusals(client: TestClient, admin: Headers) -> None:
    credentials = make_agency(client, admin, "bhxh")
    token_headers(client, credentials)
    basic = base64.b64encode(
        f"{credentials['client_id']}:{credentials['client_secret']}".encode()
    ).decode()
    response = client.post(
        "/v1/gateway/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200 and response.json()["expires_in"] == 300
    wrong = client.post(
        "/v1/gateway/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": "nope",
        },
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    other = client.post("/v1/gateway/token", data={"grant_type": "password"})
    assert other.json()["error"] == "unsupported_grant_type"


def test_tokens_verify_with_the_published_jwks_and_survive_rotation(
    client: TestClient, admin: Headers, session: Session, settings: object
) -> None:
    from dancu.gateway import tokens

    credentials = make_agency(client, admin, "bhxh")
    old = token_headers(client, credentials)
    keys = KeySet.import_key_set(client.get("/v1/gateway/jwks.json").json())
    claims = jwt.decode(old["Authorization"][7:], keys, algorithms=["ES256"]).claims
    assert claims["agency"] == "bhxh" and claims["aud"] == "dancu-gateway"
    tokens.rotate_key(session, client.app.state.settings.signing_key())  # type: ignore[attr-defined]
    session.commit()
    client.app.state.gateway_keyset = None  # type: ignore[attr-defined]
    new = token_headers(client, credentials)

    def kid(headers: Headers) -> str:
        keys = KeySet.import_key_set(client.get("/v1/gateway/jwks.json").json())
        token = jwt.decode(headers["Authorization"][7:], keys, algorithms=["ES256"])
        return str(token.header["kid"])

    assert kid(old) != kid(new)
    assert len(client.get("/v1/gateway/jwks.json").json()["keys"]) == 2
    body = {"id_number": "001090000001", "purpose": "social-insurance", "sex": "male"}
    for headers in (old, new):  # the old key still verifies until retired
        assert client.post("/v1/gateway/verify", json=body, headers=headers).status_code == 200


def test_private_key_jwt(client: TestClient, admin: Headers) -> None:
    make_agency(client, admin, "bank1", kind="bank", purposes=["banking-kyc"])
    key = ECKey.generate_key("P-256")
    created = ok(
        client.post(
            "/v1/gateway/agencies/bank1/clients",
            json={"public_jwk": key.as_dict(private=False)},
            headers=admin,
        ),
        201,
    )
    assert created["client_secret"] is None
    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "ES256"},
        {
            "iss": created["client_id"],
            "sub": created["client_id"],
            "aud": "http://testserver/v1/gateway/token",
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        },
        key,
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }
    assert client.post("/v1/gateway/token", data=form).status_code == 200
    forged = jwt.encode(
        {"alg": "ES256"},
        {
            "iss": created["client_id"],
            "sub": created["client_id"],
            "aud": "http://testserver/v1/gateway/token",
            "exp": now + 60,
            "jti": "x",
        },
        ECKey.generate_key("P-256"),
    )
    refused = client.post("/v1/gateway/token", data={**form, "client_assertion": forged})
    assert refused.status_code == 401


def test_verify_answers_per_attribute_and_nothing_more(
    client: TestClient, admin: Headers, resident: str
) -> None:
    headers = token_headers(client, make_agency(client, admin, "bhxh"))
    base = {"id_number": resident, "purpose": "social-insurance"}
    exact = ok(
        client.post(
            "/v1/gateway/verify",
            headers=headers,
            json={
                **base,
                "full_name": "Nguyễn Thị Minh Khai",
                "birth_date": "1990-05-21",
                "sex": "female",
                "old_id_number": "012345678",
            },
        )
    )
    assert exact["match"] is True and exact["alive"] is True
    assert set(exact["attributes"].values()) == {"exact"}
    assert set(exact) == {"match", "attributes", "alive", "request_id"}
    loose = ok(
        client.post(
            "/v1/gateway/verify",
            headers=headers,
            json={**base, "full_name": "NGUYEN thi  minh khai", "birth_date": "1990"},
        )
    )
    assert loose["match"] is True
    assert loose["attributes"] == {"full_name": "normalised", "birth_date": "normalised"}
    wrong = ok(
        client.post(
            "/v1/gateway/verify",
            headers=headers,
            json={**base, "full_name": "Nguyễn Thị Minh Khai", "birth_date": "1991-05-21"},
        )
    )
    assert wrong == {**wrong, "match": False, "alive": None}
    assert wrong["attributes"] == {"full_name": "exact", "birth_date": "no_match"}
    unknown = ok(
        client.post(
            "/v1/gateway/verify",
            headers=headers,
            json={**base, "id_number": "001090999999", "full_name": "Nguyễn Thị Minh Khai"},
        )
    )
    assert set(unknown) == set(wrong) and unknown["alive"] is None
    assert unknown["attributes"] == {"full_name": "no_match"}


def test_lookup_returns_only_granted_fields_within_geography(
    client: TestClient, admin: Headers, resident: str
) -> None:
    fields = ["full_name", "birth_date", "sex", "permanent_residence"]
    headers = token_headers(client, make_agency(client, admin, "bhxh", fields=fields))
    found = ok(
        client.get(
            f"/v1/gateway/people/{resident}",
            params={"purpose": "social-insurance"},
            headers=headers,
        )
    )
    assert set(found) == {"id_number", *fields}
    assert found["permanent_residence"]["commune_code"] == "00004"
    hcm = token_headers(
        client, make_agency(client, admin, "hcm", kind="province", provinces=["79"])
    )
    outside = client.get(
        f"/v1/gateway/people/{resident}", params={"purpose": "social-insurance"}, headers=hcm
    )
    missing = client.get(
        "/v1/gateway/people/001090999999", params={"purpose": "social-insurance"}, headers=hcm
    )
    assert outside.status_code == missing.status_code == 404
    assert outside.json()["detail"] == missing.json()["detail"]


def test_consent_gates_a_banks_lookup(
    client: TestClient, admin: Headers, commune: Headers, resident: str
) -> None:
    headers = token_headers(
        client,
        make_agency(
            client,
            admin,
            "vcb",
            kind="bank",
            purposes=["banking-kyc"],
            fields=["full_name", "birth_date"],
            requires_consent=True,
        ),
    )
    params = {"purpose": "banking-kyc"}
    assert (
        client.get(f"/v1/gateway/people/{resident}", params=params, headers=headers).status_code
        == 404
    )
    ok(
        client.post(
            f"/v1/people/{resident}/consents",
            headers=commune,
            json={"agency_code": "vcb", "purpose": "banking-kyc"},
        ),
        201,
    )
    found = ok(client.get(f"/v1/gateway/people/{resident}", params=params, headers=headers))
    assert set(found) == {"id_number", "full_name", "birth_date"}


def test_refusals_suspension_and_the_access_log(
    client: TestClient, admin: Headers, commune: Headers, resident: str, session: Session
) -> None:
    credentials = make_agency(client, admin, "bhxh", operations=["verify"])
    headers = token_headers(client, credentials)
    body = {"id_number": resident, "purpose": "social-insurance", "sex": "female"}
    assert client.post("/v1/gateway/verify", json=body, headers=headers).status_code == 200
    not_lookup = client.get(
        f"/v1/gateway/people/{resident}", params={"purpose": "social-insurance"}, headers=headers
    )
    assert not_lookup.status_code == 403 and not_lookup.json()["code"] == "gateway.not_granted"
    wrong_purpose = client.post(
        "/v1/gateway/verify", json={**body, "purpose": "tax"}, headers=headers
    )
    assert wrong_purpose.status_code == 403
    ok(client.post(f"/v1/gateway/grants/{credentials['grant_id']}/suspend", headers=admin))
    assert client.post("/v1/gateway/verify", json=body, headers=headers).status_code == 403
    ok(client.post(f"/v1/gateway/grants/{credentials['grant_id']}/resume", headers=admin))
    assert client.post("/v1/gateway/verify", json=body, headers=headers).status_code == 200
    log = ok(client.get(f"/v1/people/{resident}/access-log", headers=commune))
    assert [(e["operation"], e["outcome"]) for e in reversed(log)] == [
        ("verify", "match"),
        ("lookup", "gateway.not_granted"),
        ("verify", "gateway.not_granted"),
        ("verify", "gateway.not_granted"),
        ("verify", "match"),
    ]
    assert {e["agency_code"] for e in log} == {"bhxh"}
    usage = ok(client.get("/v1/gateway/usage", headers=admin))
    assert {"agency_code": "bhxh", "operation": "verify", "outcome": "match", "calls": 2} in usage
    assert all(r.ok for r in verify_chains(session))


def test_rate_limit_and_failed_verification_throttle(
    client: TestClient, admin: Headers, resident: str, session: Session
) -> None:
    slow = token_headers(client, make_agency(client, admin, "slow", rate_per_minute=2))
    body = {"id_number": resident, "purpose": "social-insurance", "sex": "female"}
    codes = [
        client.post("/v1/gateway/verify", json=body, headers=slow).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    limited = client.post("/v1/gateway/verify", json=body, headers=slow)
    assert int(limited.headers["Retry-After"]) >= 1
    headers = token_headers(client, make_agency(client, admin, "busy"))
    wrong = {**body, "sex": "male"}
    answers = [
        client.post("/v1/gateway/verify", json=wrong, headers=headers).status_code for _ in range(6)
    ]
    assert answers == [200] * 5 + [429]
    flagged = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "gateway:verify:flagged", AuditEvent.subject_id == resident
        )
    ).all()
    assert len(flagged) == 1


def test_tampering_breaks_the_chain(
    client: TestClient, admin: Headers, resident: str, session: Session
) -> None:
    headers = token_headers(client, make_agency(client, admin, "bhxh"))
    body = {"id_number": resident, "purpose": "social-insurance", "sex": "female"}
    for _ in range(12):
        assert client.post("/v1/gateway/verify", headers=headers, json=body).status_code == 200
    assert all(r.ok for r in verify_chains(session))  # seals them first
    session.commit()  # sealed for good: from here on any change shows
    first = session.scalars(select(AccessRecord).order_by(AccessRecord.id)).first()
    assert first is not None
    session.execute(
        update(AccessRecord)
        .where(AccessRecord.id == first.id)
        .values(fields=["full_name", "phone"])
    )
    reports = verify_chains(session)
    broken = [r for r in reports if not r.ok]
    assert len(broken) == 1 and "altered" in broken[0].detail
    session.rollback()
    last = session.scalars(select(AccessRecord).order_by(AccessRecord.id.desc())).first()
    assert last is not None
    session.delete(last)
    session.flush()
    assert any("ends early" in r.detail for r in verify_chains(session) if not r.ok)


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("purpose", ["social-insurance", "tax"])
def test_no_call_returns_a_field_outside_its_grant(
    client: TestClient, admin: Headers, session: Session, field: str, purpose: str
) -> None:
    """The matrix: for every grantable field and purpose, a grant of that one field returns
    exactly that field from lookup, verify returns no personal data, and the other purpose and
    operations are refused."""
    number = str(make_person(session, phone="0912345678", email="a@example.vn").id_number)
    session.commit()
    other = "tax" if purpose == "social-insurance" else "social-insurance"
    headers = token_headers(
        client, make_agency(client, admin, "a1", fields=[field], purposes=[purpose])
    )
    found = ok(
        client.get(f"/v1/gateway/people/{number}", params={"purpose": purpose}, headers=headers)
    )
    assert set(found) == {"id_number", field}
    refused = client.get(f"/v1/gateway/people/{number}", params={"purpose": other}, headers=headers)
    assert refused.status_code == 403 and number not in refused.text
    checked = ok(
        client.post(
            "/v1/gateway/verify",
            headers=headers,
            json={"id_number": number, "purpose": purpose, "full_name": "Nguyễn Văn An"},
        )
    )
    assert set(checked) == {"match", "attributes", "alive", "request_id"}
    verify_only = token_headers(
        client,
        make_agency(client, admin, "a2", operations=["verify"], fields=[field], purposes=[purpose]),
    )
    assert (
        client.get(
            f"/v1/gateway/people/{number}", params={"purpose": purpose}, headers=verify_only
        ).status_code
        == 403
    )


def test_the_demo_agencies_work_within_their_grants(
    client: TestClient, sessions: object, session: Session, commune: Headers, resident: str
) -> None:
    from dancu.demo.agencies import DEMO_AGENCIES, ensure_agencies

    ensure_agencies(sessions)  # type: ignore[arg-type]
    bhxh, vcb = DEMO_AGENCIES
    social = token_headers(client, {"client_id": bhxh.client_id, "client_secret": bhxh.secret})
    bank = token_headers(client, {"client_id": vcb.client_id, "client_secret": vcb.secret})
    found = ok(
        client.get(
            f"/v1/gateway/people/{resident}", params={"purpose": "social-insurance"}, headers=social
        )
    )
    assert set(found) == {
        "id_number",
        "full_name",
        "birth_date",
        "sex",
        "status",
        "permanent_residence",
    }
    params = {"purpose": "banking-kyc"}
    assert (
        client.get(f"/v1/gateway/people/{resident}", params=params, headers=bank).status_code == 404
    )
    checked = ok(
        client.post(
            "/v1/gateway/verify",
            headers=bank,
            json={
                "id_number": resident,
                "purpose": "banking-kyc",
                "full_name": "Nguyễn Thị Minh Khai",
            },
        )
    )
    assert checked["match"] is True


def test_records_are_chained_in_sealing_order(
    client: TestClient, admin: Headers, resident: str, session: Session
) -> None:
    """A call's record is written unsealed in its transaction and sealed afterwards; one that
    commits after later records were sealed comes after them in its chain, and the chain holds."""
    from dancu.gateway import access

    headers = token_headers(client, make_agency(client, admin, "bhxh"))
    body = {"id_number": resident, "purpose": "social-insurance", "sex": "female"}
    same_chain = [f"request-{n:04d}" for n in range(2000)]
    same_chain = [r for r in same_chain if zlib.crc32(r.encode()) % access.CHAINS == 5][:3]
    for request_id in same_chain[:2]:
        sent = client.post(
            "/v1/gateway/verify", json=body, headers={**headers, "X-Request-ID": request_id}
        )
        assert sent.status_code == 200
    waiting = session.scalars(select(AccessRecord).where(AccessRecord.position.is_(None))).all()
    assert {r.request_id for r in waiting} >= set(same_chain[:2])
    assert all(r.hash is None for r in waiting)
    assert access.seal(session) == len(waiting)
    # A transaction that took its id before those two but commits only now.
    earliest = min(r.id for r in waiting) - 1000
    session.add(
        AccessRecord(
            id=earliest,
            chain=5,
            at=waiting[0].at,
            request_id=same_chain[2],
            agency_id=waiting[0].agency_id,
            client_id=waiting[0].client_id,
            operation="verify",
            purpose="social-insurance",
            subject=resident,
            fields=["sex"],
            outcome="match",
        )
    )
    session.flush()
    assert access.seal(session) == 1
    chain = session.scalars(
        select(AccessRecord)
        .where(AccessRecord.chain == 5)
        .order_by(AccessRecord.position)
        .execution_options(populate_existing=True)  # sealing wrote past the ORM
    ).all()
    assert [r.request_id for r in chain][-3:] == same_chain  # sealing order, not id order
    assert chain[-1].id < chain[-2].id and chain[-1].prev_hash == chain[-2].hash
    assert all(r.ok for r in verify_chains(session))
    session.execute(
        update(AccessRecord).where(AccessRecord.id == earliest).values(outcome="no_match")
    )
    assert [r.detail for r in verify_chains(session) if not r.ok] == [
        f"record {earliest} was altered"
    ]


def test_grants_are_cached_until_an_agency_or_grant_changes(
    client: TestClient, admin: Headers, resident: str, session: Session
) -> None:
    """Grants are kept in memory under the gateway generation, which every ORM change to an
    agency, client or grant bumps in its own transaction: the next call sees the change. A raw
    SQL change that does not bump the generation is not seen, which shows the cache is used."""
    from dancu.gateway.models import GatewayGeneration, Grant

    credentials = make_agency(client, admin, "bhxh")
    headers = token_headers(client, credentials)
    body = {"id_number": resident, "purpose": "social-insurance", "sex": "female"}
    assert client.post("/v1/gateway/verify", json=body, headers=headers).status_code == 200
    grant_id = int(credentials["grant_id"])
    before = session.scalar(select(GatewayGeneration.value))
    session.execute(
        update(Grant.__table__).where(Grant.__table__.c.id == grant_id).values(purposes=["tax"])
    )
    session.commit()
    assert client.post("/v1/gateway/verify", json=body, headers=headers).status_code == 200
    grant = session.get_one(Grant, grant_id)
    session.refresh(grant)
    grant.status = "suspended"  # any ORM change, not only the suspend endpoint
    session.commit()
    assert session.scalar(select(GatewayGeneration.value)) == (before or 0) + 1
    refused = client.post("/v1/gateway/verify", json=body, headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "gateway.not_granted"
