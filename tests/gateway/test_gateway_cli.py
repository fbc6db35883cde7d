"""`dancu agency …` and `dancu audit verify`, as an operator runs them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from typer.testing import CliRunner

from dancu.cli import app
from dancu.gateway.models import AccessRecord
from dancu.kit.db import build_engine, session_factory, unit_of_work


def test_agency_commands_and_chain_verification(
    new_database: Callable[[], str], tmp_path: object
) -> None:
    env = {"DANCU_DATABASE_URL": new_database(), "DANCU_VAR_DIR": str(tmp_path)}
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    run("agency", "create", "bhxh", "--name", "Bảo hiểm xã hội Việt Nam")
    assert "unknown operation" in run(
        "agency",
        "grant",
        "bhxh",
        "--operations",
        "fly",
        "--purposes",
        "tax",
        "--legal-basis",
        "none",
        code=1,
    )
    assert "grant 1" in run(
        "agency",
        "grant",
        "bhxh",
        "--operations",
        "verify,lookup",
        "--fields",
        "full_name,birth_date",
        "--purposes",
        "social-insurance",
        "--legal-basis",
        "Law 26/2023 Art. 10",
    )
    out = run("agency", "client", "bhxh")
    assert "client_id" in out and "client_secret" in out
    assert "suspended" in run("agency", "suspend", "bhxh")
    assert "resumed" in run("agency", "suspend", "bhxh", "--resume")
    assert "new signing key" in run("agency", "rotate-key")
    assert "all 64 chains intact" in run("audit", "verify")
    engine = build_engine(env["DANCU_DATABASE_URL"])
    from dancu.gateway import access
    from dancu.gateway.agency import Caller

    with unit_of_work(session_factory(engine)) as session:
        for n in range(3):
            access.append(
                session,
                Caller(1, "bhxh", "bhxh-x"),
                request_id=f"request-{n}",
                operation="verify",
                purpose="tax",
                subject="001090000001",
                fields=["sex"],
                outcome="match",
            )
        access.seal(session)  # the server's sealing thread does this within a second
    with unit_of_work(session_factory(engine)) as session:
        session.execute(update(AccessRecord).where(AccessRecord.id == 2).values(outcome="no_match"))
    engine.dispose()
    broken = run("audit", "verify", code=1)
    assert "BROKEN" in broken and "record 2 was altered" in broken
