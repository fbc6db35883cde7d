"""A card from application to hand-over and after, through the API, as the offices use it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.audit.models import AuditEvent
from dancu.card import rules
from dancu.card.chip import verify_card_dir
from dancu.card.models import CardBiometric
from dancu.card.personalise import Personalised
from dancu.card.printer import FolderPrinter
from dancu.kit.clock import now
from dancu.kit.partial_date import PartialDate
from tests.factories.auth import auth_headers, make_officer
from tests.factories.card import application_body, face_jpeg
from tests.factories.registry import BA_DINH, make_person

Headers = dict[str, str]


@pytest.fixture
def officers(client: TestClient, session: Session) -> dict[str, Headers]:
    commune = make_officer(session, role="commune_officer", jurisdiction=BA_DINH)
    province = make_officer(session, role="province_officer", jurisdiction="01")
    centre = make_officer(session, role="central_admin")
    session.commit()
    return {
        "commune": auth_headers(client, commune),
        "province": auth_headers(client, province),
        "centre": auth_headers(client, centre),
    }


@pytest.fixture
def resident(session: Session) -> str:
    number = str(make_person(session, birth_date="1990-05-21").id_number)
    session.commit()
    return number


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _issue(client: TestClient, officers: dict[str, Headers], number: str, **over: Any) -> str:
    """Apply, approve, batch, produce, dispatch, hand over; the new card's number."""
    app = _ok(
        client.post(
            "/v1/card-applications",
            json=application_body(number, **over),
            headers=officers["commune"],
        ),
        201,
    )
    _ok(
        client.post(
            f"/v1/card-applications/{app['id']}/approve",
            json={"reason": "checked"},
            headers=officers["province"],
        )
    )
    batch = _ok(
        client.post(
            "/v1/card-batches", json={"application_ids": [app["id"]]}, headers=officers["centre"]
        ),
        201,
    )
    _ok(client.post(f"/v1/card-batches/{batch['id']}/produce", headers=officers["centre"]))
    _ok(client.post(f"/v1/card-batches/{batch['id']}/dispatch", headers=officers["centre"]))
    card = _ok(
        client.post(f"/v1/card-applications/{app['id']}/hand-over", headers=officers["commune"])
    )
    return str(card["card_number"])


def test_application_to_hand_over(
    client: TestClient, officers: dict[str, Headers], resident: str, settings: Any
) -> None:
    app = _ok(
        client.post(
            "/v1/card-applications", json=application_body(resident), headers=officers["commune"]
        ),
        201,
    )
    assert app["status"] == "received" and app["office_commune_code"] == BA_DINH
    assert {(b["kind"], b["position"]) for b in app["biometrics"]} == {
        ("face", 1),
        ("fingerprint", 1),
        ("fingerprint", 6),
        ("iris", 1),
    }
    assert all(set(b) == {"kind", "position", "size"} for b in app["biometrics"])

    again = client.post(
        "/v1/card-applications", json=application_body(resident), headers=officers["commune"]
    )
    assert again.status_code == 409 and again.json()["code"] == "card.application_open"

    refused = client.post(
        f"/v1/card-applications/{app['id']}/approve",
        json={"reason": "fine"},
        headers=officers["commune"],
    )
    assert refused.status_code == 403
    approved = _ok(
        client.post(
            f"/v1/card-applications/{app['id']}/approve",
            json={"reason": "documents checked"},
            headers=officers["province"],
        )
    )
    assert approved["status"] == "approved" and approved["decided_by"].startswith("province")
    late = client.post(
        f"/v1/card-applications/{app['id']}/reject",
        json={"reason": "changed mind"},
        headers=officers["province"],
    )
    assert late.status_code == 409 and late.json()["code"] == "card.transition_refused"
    assert "approved" in late.json()["detail"]

    batch = _ok(client.post("/v1/card-batches", json={}, headers=officers["centre"]), 201)
    assert batch["cards_total"] == 1 and batch["reference"].startswith("B")
    produced = _ok(
        client.post(f"/v1/card-batches/{batch['id']}/produce", headers=officers["centre"])
    )
    assert produced["status"] == "produced" and produced["cards_produced"] == 1
    app = _ok(client.get(f"/v1/card-applications/{app['id']}", headers=officers["commune"]))
    assert app["status"] == "personalised" and len(app["card_number"]) == 10

    folder = Path(settings.var_dir) / "card-printer" / batch["reference"] / app["card_number"]
    assert {p.name for p in folder.iterdir()} >= {
        "front.png",
        "back.png",
        "mrz.txt",
        "qr.txt",
        "chip",
        "csca.pem",
        "manifest.json",
    }
    assert all(check.ok for check in verify_card_dir(folder)), verify_card_dir(folder)

    early = client.post(f"/v1/card-applications/{app['id']}/hand-over", headers=officers["commune"])
    assert early.status_code == 409
    _ok(client.post(f"/v1/card-batches/{batch['id']}/dispatch", headers=officers["centre"]))
    card = _ok(
        client.post(f"/v1/card-applications/{app['id']}/hand-over", headers=officers["commune"])
    )
    assert card["status"] == "active" and card["expiry_date"] == str(
        rules.expiry_date(PartialDate(1990, 5, 21), now().date())
    )
    assert client.get(f"/v1/cards/{card['card_number']}/status").json() == {"status": "valid"}
    assert client.get("/v1/cards/0000000000/status").json() == {"status": "unknown"}

    history = _ok(client.get(f"/v1/card-applications/{app['id']}", headers=officers["commune"]))
    assert [e["to_state"] for e in history["events"]] == [
        "received",
        "approved",
        "in_batch",
        "personalised",
        "dispatched",
        "handed_over",
    ]
    assert history["events"][1]["reason"] == "documents checked"


def test_a_new_card_supersedes_the_old_and_loss_ends_it(
    client: TestClient, officers: dict[str, Headers], resident: str
) -> None:
    first = _issue(client, officers, resident)
    again = client.post(
        "/v1/card-applications", json=application_body(resident), headers=officers["commune"]
    )
    assert again.status_code == 422 and "already has a card" in again.json()["detail"]
    second = _issue(client, officers, resident, kind="replacement", reason="damaged")
    assert client.get(f"/v1/cards/{first}/status").json() == {"status": "revoked"}
    assert client.get(f"/v1/cards/{second}/status").json() == {"status": "valid"}
    cards = _ok(client.get(f"/v1/people/{resident}/cards", headers=officers["commune"]))
    assert [(c["card_number"], c["status"]) for c in cards] == [
        (first, "superseded"),
        (second, "active"),
    ]
    lost = _ok(
        client.post(
            f"/v1/cards/{second}/lost",
            json={"reason": "reported at counter"},
            headers=officers["commune"],
        )
    )
    assert lost["status"] == "lost"
    assert client.get(f"/v1/cards/{second}/status").json() == {"status": "revoked"}
    revoke = client.post(
        f"/v1/cards/{second}/revoke", json={"reason": "fraud"}, headers=officers["province"]
    )
    assert revoke.status_code == 409  # lost is final


def test_a_failed_card_does_not_sink_the_batch_and_is_retried(
    client: TestClient, officers: dict[str, Headers], session: Session, settings: Any
) -> None:
    numbers = [
        str(make_person(session, full_name=f"Trần Văn {n}").id_number)
        for n in ("Bình", "Cường", "Dũng")
    ]
    session.commit()
    ids = []
    for number in numbers:
        app = _ok(
            client.post(
                "/v1/card-applications", json=application_body(number), headers=officers["commune"]
            ),
            201,
        )
        _ok(
            client.post(
                f"/v1/card-applications/{app['id']}/approve",
                json={"reason": "fine"},
                headers=officers["province"],
            )
        )
        ids.append(app["id"])

    class JammedOnce(FolderPrinter):
        jammed = False

        def print_card(self, batch_reference: str, card: Personalised) -> None:
            if not JammedOnce.jammed:
                JammedOnce.jammed = True
                raise OSError("printer jammed")
            super().print_card(batch_reference, card)

    batch = _ok(client.post("/v1/card-batches", json={}, headers=officers["centre"]), 201)
    client.app.state.card_production = None  # type: ignore[attr-defined]
    from dancu.card import setup

    made = setup.production(settings, images=False)
    client.app.state.card_production = type(made)(  # type: ignore[attr-defined]
        pki=made.pki,
        printer=JammedOnce(made.printer.directory),
        cipher=made.cipher,  # type: ignore[attr-defined]
        images=False,
    )
    partial = _ok(
        client.post(f"/v1/card-batches/{batch['id']}/produce", headers=officers["centre"])
    )
    assert partial["status"] == "partial" and partial["cards_produced"] == 2
    assert partial["failures"] == [{"application_id": ids[0], "error": "OSError: printer jammed"}]
    done = _ok(client.post(f"/v1/card-batches/{batch['id']}/produce", headers=officers["centre"]))
    assert done["status"] == "produced" and done["cards_produced"] == 3 and done["failures"] == []


def test_refusals_follow_the_law(
    client: TestClient, officers: dict[str, Headers], session: Session
) -> None:
    child = str(make_person(session, full_name="Lê Minh Khôi", birth_date="2023-01-10").id_number)
    session.commit()
    with_face = client.post(
        "/v1/card-applications", json=application_body(child), headers=officers["commune"]
    )
    assert with_face.status_code == 422 and "under 6" in with_face.json()["detail"]
    bare = _ok(
        client.post(
            "/v1/card-applications",
            json=application_body(child, face_jpeg=None, fingerprints=[], iris=[]),
            headers=officers["commune"],
        ),
        201,
    )
    assert bare["biometrics"] == []
    adult = str(make_person(session, full_name="Phạm Thu Hà").id_number)
    session.commit()
    no_prints = client.post(
        "/v1/card-applications",
        json=application_body(adult, fingerprints=[]),
        headers=officers["commune"],
    )
    assert no_prints.status_code == 422 and "fingerprints" in no_prints.json()["detail"]
    not_jpeg = client.post(
        "/v1/card-applications",
        json=application_body(adult, face_jpeg="aGVsbG8="),
        headers=officers["commune"],
    )
    assert not_jpeg.status_code == 422 and "JPEG" in not_jpeg.json()["detail"]
    renewal = client.post(
        "/v1/card-applications",
        json=application_body(adult, kind="renewal"),
        headers=officers["commune"],
    )
    assert renewal.status_code == 422 and "no card yet" in renewal.json()["detail"]


def test_biometrics_are_encrypted_at_rest(
    client: TestClient, officers: dict[str, Headers], resident: str, session: Session
) -> None:
    photo = face_jpeg()
    app = _ok(
        client.post(
            "/v1/card-applications", json=application_body(resident), headers=officers["commune"]
        ),
        201,
    )
    rows = session.scalars(
        select(CardBiometric).where(CardBiometric.application_id == app["id"])
    ).all()
    face = next(r for r in rows if r.kind == "face")
    assert photo not in face.sealed and photo[:64] not in face.sealed
    assert all(b"iris-template" not in r.sealed for r in rows)
    from cryptography.exceptions import InvalidTag

    from dancu.card import setup

    cipher = setup.cipher(client.app.state.settings)  # type: ignore[attr-defined]
    assert cipher.open(face.sealed, context=f"card-application:{app['id']}:face:1") == photo
    with pytest.raises(InvalidTag):  # bound to its record: moved elsewhere it does not open
        cipher.open(face.sealed, context=f"card-application:{app['id'] + 1}:face:1")


def test_status_is_rate_limited(client: TestClient, settings: Any) -> None:
    client.app.state.card_status_limit = None  # type: ignore[attr-defined]
    settings.card.status_requests_per_minute = 3
    codes = [client.get("/v1/cards/0123456789/status").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/v1/cards/0123456789/status")
    assert int(limited.headers["Retry-After"]) >= 1


def test_stats_and_renewals(
    client: TestClient, officers: dict[str, Headers], session: Session
) -> None:
    number = str(make_person(session, full_name="Đỗ Thị Lan", birth_date="2001-11-24").id_number)
    session.commit()
    card = _issue(client, officers, number)
    expiry = rules.expiry_date(PartialDate(2001, 11, 24), now().date())
    assert expiry is not None
    expiring = _ok(
        client.get(
            "/v1/card-renewals", params={"month": f"{expiry:%Y-%m}"}, headers=officers["commune"]
        )
    )
    assert [(e["id_number"], e["card_number"], e["due"]) for e in expiring] == [
        (number, card, "renewal")
    ]
    today = now().date()
    teen = make_person(
        session, full_name="Vũ Gia Bảo", birth_date=f"{today.year - 14}-{today.month:02d}-01"
    )
    session.commit()
    due = _ok(
        client.get(
            "/v1/card-renewals", params={"month": f"{today:%Y-%m}"}, headers=officers["commune"]
        )
    )
    assert (str(teen.id_number), "first_card_at_14") in {(e["id_number"], e["due"]) for e in due}
    stats = _ok(client.get("/v1/card-stats", headers=officers["province"]))
    assert len(stats) == 1
    row = stats[0]
    assert row["province_code"] == "01" and len(row["month"]) == 7
    assert (row["received"], row["approved"], row["printed"], row["handed_over"]) == (1, 1, 1, 1)
    audit = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("card:%")))
    assert {"card:application:received", "card:card:active", "card:batch:dispatched"} <= set(audit)


def test_a_card_past_its_expiry_date_is_expired(
    client: TestClient, officers: dict[str, Headers], resident: str, session: Session
) -> None:
    from datetime import timedelta

    from dancu.auth.principal import SYSTEM
    from dancu.card.issuance import expire_cards, get_card

    number = _issue(client, officers, resident)
    card = get_card(session, number)
    card.expiry_date = now().date() - timedelta(days=1)
    session.commit()
    assert client.get(f"/v1/cards/{number}/status").json() == {"status": "expired"}
    assert expire_cards(session, SYSTEM, now().date()) == 1
    session.commit()
    assert get_card(session, number).status == "expired"
    assert expire_cards(session, SYSTEM, now().date()) == 0
    assert client.get(f"/v1/cards/{number}/status").json() == {"status": "expired"}
