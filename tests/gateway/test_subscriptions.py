"""Register events reach subscribed agencies: signed webhooks to a real local receiver that
fails at first (retries), in order per person, dead letters when it never answers, and the pull
feed. Only events within the grant are sent."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import dancu.gateway.jobs  # noqa: F401  (registers the handlers)
from dancu.config import Settings
from dancu.jobs import Backoff, Worker
from dancu.kit.clock import now
from tests.factories.auth import auth_headers, make_officer
from tests.factories.registry import BA_DINH, person_payload
from tests.gateway.conftest import Headers, make_agency, ok, token_headers


class Receiver:
    """An agency's webhook endpoint on 127.0.0.1 that fails its first ``failures`` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.attempts = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.attempts += 1
                if outer.failures > 0:
                    outer.failures -= 1
                    self.send_response(500)
                else:
                    outer.received.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.server.shutdown()


@pytest.fixture
def worker(sessions: sessionmaker[Session], settings: Settings) -> Worker:
    sessions.configure(info={"settings": settings})
    return Worker(sessions, backoff=Backoff(base=0.001, cap=0.001))


@pytest.fixture
def officer(client: TestClient, session: Session) -> Headers:
    made = make_officer(session, role="commune_officer", jurisdiction=BA_DINH)
    session.commit()
    return auth_headers(client, made)


def _subscribe(
    client: TestClient, admin: Headers, url: str | None, **grant: Any
) -> tuple[Headers, dict[str, Any]]:
    headers = token_headers(
        client, make_agency(client, admin, "bhxh", operations=["subscribe", "lookup"], **grant)
    )
    body = {
        "purpose": "social-insurance",
        "event_types": ["birth", "registration", "death", "data_correction"],
    }
    if url:
        body["webhook_url"] = url
    return headers, ok(client.post("/v1/gateway/subscriptions", json=body, headers=headers), 201)


def _register(client: TestClient, officer: Headers, name: str) -> str:
    created = ok(
        client.post("/v1/people", json=person_payload(full_name=name), headers=officer), 201
    )
    return str(created["id_number"])


def _drain(worker: Worker, passes: int = 20) -> None:
    for _ in range(passes):
        worker.run_once()


def test_events_are_delivered_signed_after_retries(
    client: TestClient, admin: Headers, officer: Headers, worker: Worker
) -> None:
    receiver = Receiver(failures=2)
    try:
        _, subscription = _subscribe(client, admin, receiver.url)
        number = _register(client, officer, "Trần Thị Thu")
        _drain(worker)
        assert receiver.attempts == 3  # two failures, then delivered once
        ((headers, body),) = receiver.received
        event = json.loads(body)
        assert event["id_number"] == number and event["type"] == "registration"
        assert "full_name" not in body.decode() and "Trần" not in body.decode()
        stamp, mac = (part.split("=", 1)[1] for part in headers["X-Dancu-Signature"].split(","))
        expected = hmac.new(
            subscription["secret"].encode(), f"{stamp}.".encode() + body, hashlib.sha256
        ).hexdigest()
        assert hmac.compare_digest(mac, expected)
        assert headers["X-Dancu-Event-Id"] == str(event["event_id"])
    finally:
        receiver.server.shutdown()


def test_events_of_one_person_arrive_in_order(
    client: TestClient, admin: Headers, officer: Headers, worker: Worker
) -> None:
    receiver = Receiver(failures=1)  # the first event fails once; the second must wait for it
    try:
        _subscribe(client, admin, receiver.url)
        number = _register(client, officer, "Lê Văn Tám")
        etag = client.get(f"/v1/people/{number}", headers=officer).headers["ETag"]
        ok(
            client.patch(
                f"/v1/people/{number}",
                headers={**officer, "If-Match": etag},
                json={"phone": "0912345678", "reason": "citizen request"},
            )
        )
        _drain(worker)
        assert [(e["id_number"], e["type"]) for e in receiver.events()] == [
            (number, "registration"),
            (number, "data_correction"),
        ]
        assert receiver.events()[1]["details"] == {"fields": ["phone"]}
    finally:
        receiver.server.shutdown()


def test_an_unreachable_webhook_ends_in_dead_letters_that_can_be_retried(
    client: TestClient, admin: Headers, officer: Headers, worker: Worker
) -> None:
    receiver = Receiver(failures=100)
    try:
        headers, subscription = _subscribe(client, admin, receiver.url)
        _register(client, officer, "Phạm Văn Đồng")
        _drain(worker, passes=30)
        dead = ok(
            client.get(
                f"/v1/gateway/subscriptions/{subscription['id']}/dead-letters", headers=headers
            )
        )
        assert len(dead) == 1 and dead[0]["last_error"].endswith("webhook answered 500")
        receiver.failures = 0
        ok(
            client.post(
                f"/v1/gateway/subscriptions/{subscription['id']}/dead-letters/"
                f"{dead[0]['job_id']}/retry",
                headers=headers,
            ),
            202,
        )
        _drain(worker)
        assert len(receiver.received) == 1
    finally:
        receiver.server.shutdown()


def test_events_outside_the_grant_are_not_sent(
    client: TestClient, admin: Headers, officer: Headers, worker: Worker
) -> None:
    receiver = Receiver()
    try:
        refused = token_headers(
            client,
            make_agency(
                client, admin, "hcm", kind="province", operations=["subscribe"], provinces=["79"]
            ),
        )
        all_provinces = client.post(
            "/v1/gateway/subscriptions",
            headers=refused,
            json={
                "purpose": "social-insurance",
                "event_types": ["birth"],
                "webhook_url": receiver.url,
            },
        )
        assert all_provinces.status_code == 403
        ok(
            client.post(
                "/v1/gateway/subscriptions",
                headers=refused,
                json={
                    "purpose": "social-insurance",
                    "event_types": ["registration"],
                    "webhook_url": receiver.url,
                    "provinces": ["79"],
                },
            ),
            201,
        )
        _register(client, officer, "Hà Nội Person")  # Ba Đình is in Hà Nội (01)
        _drain(worker)
        assert receiver.received == []
    finally:
        receiver.server.shutdown()


def test_the_pull_feed(
    client: TestClient, admin: Headers, officer: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers, _ = _subscribe(client, admin, None)
    numbers = [_register(client, officer, f"Người Thứ {n}") for n in ("Nhất", "Hai", "Ba")]
    params = {"purpose": "social-insurance"}
    fresh = ok(client.get("/v1/gateway/events", params=params, headers=headers))
    assert fresh["events"] == []  # not yet two seconds old
    later = now() + timedelta(seconds=5)
    monkeypatch.setattr("dancu.gateway.subscription.now", lambda: later)
    first = ok(client.get("/v1/gateway/events", params={**params, "limit": 2}, headers=headers))
    assert [e["id_number"] for e in first["events"]] == numbers[:2]
    rest = ok(
        client.get(
            "/v1/gateway/events", headers=headers, params={**params, "after": first["next_cursor"]}
        )
    )
    assert [e["id_number"] for e in rest["events"]] == numbers[2:]
