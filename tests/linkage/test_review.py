"""Clerical review of record linkage through the HTTP API: the queue with both records side by
side, decisions (one wins, a repeat is harmless, a contrary one is refused), jurisdiction,
audit, the precision decisions show, and re-estimating a model from confirmed matches."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.audit.models import AuditEvent
from dancu.auth.principal import Principal, Role
from dancu.linkage import review
from dancu.linkage.dirty import dirty_copy
from dancu.linkage.engine import LinkageModel, train
from dancu.linkage.prepare import prepare_people
from dancu.linkage.review import PairIn, ReviewPairDecided
from dancu.synth import generate
from tests.factories.auth import auth_headers, make_officer
from tests.factories.registry import BA_DINH

Headers = dict[str, str]
HANOI, HCMC = "01", "79"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if code is not None:
        assert body["code"] == code
    return body


def _officer(client: TestClient, session: Session, role: str, **kw: Any) -> Headers:
    officer = make_officer(session, role=role, **kw)
    session.commit()
    return auth_headers(client, officer)


@pytest.fixture
def admin(client: TestClient, session: Session) -> Headers:
    return _officer(client, session, "central_admin")


@pytest.fixture
def admin2(client: TestClient, session: Session) -> Headers:
    return _officer(client, session, "central_admin", username="central-2")


@pytest.fixture
def hanoi(client: TestClient, session: Session) -> Headers:
    return _officer(client, session, "province_officer", jurisdiction=HANOI)


def record_of(name: str, id_number: str | None, **over: str | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        "id_number": id_number, "old_id_number": None, "full_name": name,
        "birth_date": "1980-03-04", "sex": "male", "permanent_commune": BA_DINH, "phone": None,
    }  # fmt: skip
    return values | over


def pair_in(n: int, probability: float, province: str | None = HANOI) -> PairIn:
    number = f"0010800{n:05d}"
    return PairIn(
        left_ref=number,
        right_ref=f"row-{n}",
        left=record_of("Nguyễn Văn An", number),
        right=record_of("Nguyen Van An", None, birth_date="1980"),
        probability=probability,
        weight=3.5,
        agreement={"full_name": "agree", "birth_date": "agree", "id_number": "missing"},
        province_code=province,
    )


def make_run(session: Session, pairs: list[PairIn], model_id: int | None = None) -> int:
    run = review.open_run(session, kind="link", source="people.csv", params={"review": 0.5},
                          username="central-all", model_id=model_id)  # fmt: skip
    assert review.add_pairs(session, run, pairs) == len(pairs)
    review.finish_run(session, run, {"records": 100, "matched": 80, "review": len(pairs)})
    session.commit()
    return run.id


def queue(client: TestClient, headers: Headers, **params: Any) -> list[dict[str, Any]]:
    page = ok(client.get("/v1/linkage/reviews", params=params, headers=headers))
    items: list[dict[str, Any]] = page["items"]
    return items


def decide(client: TestClient, headers: Headers, pair_id: int, decision: str) -> Any:
    return client.post(
        f"/v1/linkage/reviews/{pair_id}/decision", json={"decision": decision}, headers=headers
    )


def test_the_queue_shows_both_records_side_by_side(
    client: TestClient, session: Session, admin: Headers
) -> None:
    run_id = make_run(session, [pair_in(1, 0.7), pair_in(2, 0.8), pair_in(3, 0.9)])
    items = queue(client, admin, run_id=run_id)
    assert [i["match_probability"] for i in items] == [0.7, 0.8, 0.9]
    first = items[0]
    assert first["left_record"]["full_name"] == "Nguyễn Văn An"
    assert first["right_record"]["full_name"] == "Nguyen Van An"
    assert first["right_record"]["birth_date"] == "1980"
    assert first["agreement"]["id_number"] == "missing"
    assert first["status"] == "pending" and first["left_ref"] == "001080000001"

    page = ok(client.get("/v1/linkage/reviews", params={"run_id": run_id, "limit": 2},
                         headers=admin))  # fmt: skip
    assert [i["id"] for i in page["items"]] == [items[0]["id"], items[1]["id"]]
    rest = queue(client, admin, run_id=run_id, after_id=page["next_after_id"])
    assert [i["id"] for i in rest] == [items[2]["id"]]

    one = ok(client.get(f"/v1/linkage/reviews/{first['id']}", headers=admin))
    assert one["left_record"] == first["left_record"] and one["right_ref"] == "row-1"
    problem(client.get("/v1/linkage/reviews/999999", headers=admin), 404)


def test_a_decision_wins_a_repeat_is_harmless_a_contrary_one_is_refused(
    client: TestClient, session: Session, admin: Headers, admin2: Headers
) -> None:
    run_id = make_run(session, [pair_in(1, 0.7)])
    pair_id = queue(client, admin, run_id=run_id)[0]["id"]

    body = {"decision": "match", "note": "same parents"}
    decided = ok(client.post(f"/v1/linkage/reviews/{pair_id}/decision", json=body, headers=admin))
    assert decided["status"] == "match" and decided["decided_by"] == "central-all"
    assert decided["note"] == "same parents" and decided["decided_at"]

    again = ok(decide(client, admin2, pair_id, "match"))
    assert again["decided_by"] == "central-all" and again["decided_at"] == decided["decided_at"]

    refused = problem(decide(client, admin2, pair_id, "not_match"), 409,
                      "linkage.review_pair.already_decided")  # fmt: skip
    assert "central-all" in refused["detail"] and "'match'" in refused["detail"]
    assert queue(client, admin, run_id=run_id) == []
    assert [i["id"] for i in queue(client, admin, run_id=run_id, status="match")] == [pair_id]
    problem(decide(client, admin, pair_id, "maybe"), 422)


def test_two_officers_at_once_the_second_cannot_overwrite(
    client: TestClient, session: Session, admin: Headers
) -> None:
    run_id = make_run(session, [pair_in(1, 0.7)])
    pair_id = queue(client, admin, run_id=run_id)[0]["id"]
    other = Principal(username="central-2", role=Role.CENTRAL_ADMIN)
    seen = review.show(session, other, pair_id)  # the second officer has the pair open...
    assert seen.status == "pending"
    ok(decide(client, admin, pair_id, "match"))  # ...when the first decides it
    with pytest.raises(ReviewPairDecided, match="central-all"):
        review.decide(session, other, pair_id, "not_match")
    assert review.decide(session, other, pair_id, "match").decided_by == "central-all"


def test_province_officers_review_only_their_province(
    client: TestClient, session: Session, admin: Headers, hanoi: Headers
) -> None:
    run_id = make_run(session, [pair_in(1, 0.7, HANOI), pair_in(2, 0.8, HCMC),
                                pair_in(3, 0.9, None)])  # fmt: skip
    everything = queue(client, admin, run_id=run_id)
    ids = {i["province_code"]: i["id"] for i in everything}
    assert len(everything) == 3

    mine = queue(client, hanoi, run_id=run_id)
    assert [i["id"] for i in mine] == [ids[HANOI]]
    ok(client.get(f"/v1/linkage/reviews/{ids[HANOI]}", headers=hanoi))
    for other in (ids[HCMC], ids[None]):
        problem(client.get(f"/v1/linkage/reviews/{other}", headers=hanoi), 404,
                "linkage.review_pair.not_found")  # fmt: skip
        problem(decide(client, hanoi, other, "match"), 404)
    assert ok(decide(client, hanoi, ids[HANOI], "not_match"))["decided_by"] == "province-01"


def test_commune_officers_and_auditors_do_not_review(client: TestClient, session: Session) -> None:
    run_id = make_run(session, [pair_in(1, 0.7)])
    pair_id = session.scalars(select(review.ReviewPair.id)
                              .where(review.ReviewPair.run_id == run_id)).one()  # fmt: skip
    for headers in (_officer(client, session, "commune_officer", jurisdiction=BA_DINH),
                    _officer(client, session, "auditor")):  # fmt: skip
        problem(client.get("/v1/linkage/reviews", headers=headers), 403, "auth.role_required")
        problem(client.get(f"/v1/linkage/reviews/{pair_id}", headers=headers), 403)
        problem(decide(client, headers, pair_id, "match"), 403)


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(session.scalars(query))


def test_reads_and_decisions_are_audited_with_identifiers_only(
    client: TestClient, session: Session, admin: Headers
) -> None:
    run_id = make_run(session, [pair_in(7, 0.7)])
    pair_id = queue(client, admin, run_id=run_id)[0]["id"]
    listed = _events(session, "linkage:review:list")[-1]
    assert listed.actor == "central-all" and listed.details["pairs"] == [pair_id]

    ok(client.get(f"/v1/linkage/reviews/{pair_id}", headers=admin))
    (read,) = _events(session, "linkage:review:read")
    assert (read.actor, read.subject_type, read.subject_id) == (
        "central-all", "linkage_review_pair", str(pair_id))  # fmt: skip
    assert read.details == {"run_id": run_id, "id_numbers": ["001080000007"]}

    ok(decide(client, admin, pair_id, "match"))
    ok(decide(client, admin, pair_id, "match"))  # a repeat changes nothing, audits nothing
    (decided,) = _events(session, "linkage:review:decide")
    assert decided.subject_id == str(pair_id) and decided.details["decision"] == "match"
    assert "Nguy" not in str(decided.details) + str(read.details) + str(listed.details)


def test_quality_shows_the_precision_of_the_decisions(
    client: TestClient, session: Session, admin: Headers
) -> None:
    decisions = [(0.55, "match"), (0.58, "not_match"), (0.65, "match"), (0.75, "not_match"),
                 (0.85, "match"), (0.95, "match"), (0.97, "match"), (0.92, None)]  # fmt: skip
    run_id = make_run(session, [pair_in(n, p) for n, (p, _) in enumerate(decisions)])
    for item, (_, decision) in zip(queue(client, admin, run_id=run_id), decisions, strict=True):
        if decision:
            ok(decide(client, admin, item["id"], decision))

    detail = ok(client.get(f"/v1/linkage/runs/{run_id}", headers=admin))
    assert detail["run"]["status"] == "done" and detail["run"]["created_by"] == "central-all"
    q = detail["quality"]
    assert q["by_status"] == {"pending": 1, "match": 5, "not_match": 2}
    assert (q["total"], q["decided"]) == (8, 7)
    assert q["decided_share"] == pytest.approx(7 / 8)
    assert q["precision"] == pytest.approx(5 / 7)
    assert q["run_counts"] == {"records": 100, "matched": 80, "review": 8}
    bands = {b["band"]: (b["match"], b["not_match"], b["pending"], b["precision"])
             for b in q["bands"]}  # fmt: skip
    assert bands == {
        "0.5-0.6": (1, 1, 0, 0.5),
        "0.6-0.7": (1, 0, 0, 1.0),
        "0.7-0.8": (0, 1, 0, 0.0),
        "0.8-0.9": (1, 0, 0, 1.0),
        "0.9-1.0": (2, 0, 1, 1.0),
    }
    runs = ok(client.get("/v1/linkage/runs", headers=admin))
    assert runs[0]["id"] == run_id
    problem(client.get("/v1/linkage/runs/999999", headers=admin), 404, "linkage.run.not_found")


# Re-estimating a model from confirmed matches ------------------------------------------------


@pytest.fixture(scope="module")
def trained() -> tuple[pl.DataFrame, pl.DataFrame, LinkageModel]:
    people = generate(800, seed=3, as_of=date(2026, 6, 1))
    dirty = dirty_copy(people, 200, seed=4)
    return people, dirty, train(prepare_people(people), prepare_people(dirty))


def true_pairs(people: pl.DataFrame, dirty: pl.DataFrame, n: int) -> list[PairIn]:
    """The first ``n`` dirty records that have a counterpart, paired with it."""
    register = {r["id_number"]: r for r in people.iter_rows(named=True)}
    found = dirty.filter(pl.col("true_id_number").is_not_null()).head(n)
    pairs = []
    for key, row in enumerate(found.iter_rows(named=True)):
        left = register[row["true_id_number"]]
        pairs.append(PairIn(
            left_ref=left["id_number"], right_ref=f"line-{key}",
            left={f: left.get(f) for f in review.RECORD_FIELDS},
            right={f: row.get(f) for f in review.RECORD_FIELDS},
            probability=0.8, weight=2.0, agreement={}, province_code=None,
        ))  # fmt: skip
    return pairs


def _m(model: LinkageModel) -> list[Any]:
    return [lv.get("m_probability") for c in model.settings["comparisons"]
            for lv in c["comparison_levels"]]  # fmt: skip


def _u(model: LinkageModel) -> list[Any]:
    return [lv.get("u_probability") for c in model.settings["comparisons"]
            for lv in c["comparison_levels"]]  # fmt: skip


def test_reestimate_learns_m_from_the_matches_officers_confirmed(
    client: TestClient,
    session: Session,
    admin: Headers,
    hanoi: Headers,
    trained: tuple[pl.DataFrame, pl.DataFrame, LinkageModel],
) -> None:
    people, dirty, model = trained
    row = review.save_model(session, model, name="register-link", trained_on="synth 800 + 200")
    assert row.version == 1 and row.labels_used == 0
    run_id = make_run(session, true_pairs(people, dirty, 12), model_id=row.id)
    url = f"/v1/linkage/models/{row.id}/reestimate"

    problem(client.post(url, headers=admin), 422, "linkage.model.too_few_labels")
    problem(client.post(url, headers=hanoi), 403)
    for item in queue(client, admin, run_id=run_id):
        ok(decide(client, admin, item["id"], "match"))

    created = ok(client.post(url, headers=admin), 201)
    assert (created["name"], created["version"], created["labels_used"]) == (
        "register-link", 2, 12)  # fmt: skip
    new = review.load_model(session, created["id"])
    assert isinstance(new, LinkageModel) and new.columns == model.columns
    assert new.term_frequencies == model.term_frequencies
    assert _m(new) != _m(model)
    assert _u(new) == _u(model)
    assert new.settings["link_type"] == model.settings["link_type"]
    found = review.latest_model(session, "register-link")
    assert found is not None and found[0].id == created["id"]

    listed = ok(client.get("/v1/linkage/models", headers=admin))
    assert [(m["name"], m["version"]) for m in listed] == [("register-link", 2),
                                                          ("register-link", 1)]  # fmt: skip
    problem(client.get("/v1/linkage/models", headers=hanoi), 403)
    (event,) = _events(session, "linkage:model:reestimate")
    assert event.details == {"from_model": row.id, "labels_used": 12}
