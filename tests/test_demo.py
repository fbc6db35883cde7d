"""`dancu demo`: a populated register with officers who have residents in their jurisdiction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from dancu.card.models import Card
from dancu.cli import app
from dancu.kit.db import build_engine, session_factory
from dancu.registry.household.models import HouseholdMember
from dancu.registry.person.models import Person


def test_demo_builds_a_register_once(new_database: Callable[[], str], tmp_path: Path) -> None:
    env = {"DANCU_DATABASE_URL": new_database(), "DANCU_VAR_DIR": str(tmp_path)}
    first = CliRunner().invoke(app, ["demo", "--people", "3000"], env=env)
    assert first.exit_code == 0, first.output
    assert "3,000 residents" in first.output
    assert "identity cards:" in first.output
    assert "bhxh-demo / dancu-bhxh-demo-2026" in first.output
    for user in ("admin", "canbo.xa", "canbo.tinh", "kiemtra"):
        assert user in first.output
    again = CliRunner().invoke(app, ["demo", "--people", "3000"], env=env)
    assert again.exit_code == 0, again.output
    engine = build_engine(env["DANCU_DATABASE_URL"])
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 3000
        heads = session.scalar(select(func.count()).where(HouseholdMember.is_head))
        assert heads is not None and 3000 / 5 < heads < 3000 / 2.5
        cards = dict(session.execute(select(Card.status, func.count()).group_by(Card.status)).all())
        assert cards.get("active", 0) >= 1  # issued once, not again on the second run
        assert sum(cards.values()) <= 11
    engine.dispose()
