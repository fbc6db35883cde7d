"""Bulk digitisation import: validation with rejects, idempotency, households, formats, resume."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dancu.auth.principal import SYSTEM
from dancu.kit.db import build_engine, session_factory
from dancu.registry.household.models import HouseholdMember
from dancu.registry.importer.errors import ImportFileInvalid
from dancu.registry.importer.models import ImportRun
from dancu.registry.importer.service import import_file
from dancu.registry.person.models import Person
from dancu.registry.person.read import get_person
from tests.factories.importfile import households, row, write_csv


def _count(session: Session, model: type = Person) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_good_rows_land_and_bad_rows_go_to_the_rejects_file(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    rows = [
        row(id_number="001090123456", full_name="NGUYỄN THỊ HOÀ", sex="Nữ"),  # sex mismatch
        row(id_number="001190123456", full_name="NGUYỄN THỊ HOÀ", sex="Nữ", ethnicity="Tày"),
        row(full_name="Lê Văn Thuỷ", birth_date="21/05/1985", permanent_commune="26734"),
        row(full_name="", birth_date="1990-13-01"),
        row(full_name="Phạm Quý", permanent_commune="99999", phone="12"),
    ]
    source = write_csv(tmp_path / "province.csv", rows)
    summary = import_file(sessions, SYSTEM, source, rejects_to=tmp_path / "rejects.csv")
    assert (summary.rows_total, summary.rows_imported, summary.rows_rejected) == (5, 2, 3)
    rejects = _rejects(tmp_path / "rejects.csv")
    assert {(r["line"], r["field"]) for r in rejects} == {
        ("2", "id_number"),
        ("5", "full_name"),
        ("5", "birth_date"),
        ("6", "permanent_commune"),
        ("6", "phone"),
    }
    assert "the sex column says Nữ" in next(r["reason"] for r in rejects if r["line"] == "2")
    hoa = get_person(session, SYSTEM, "001190123456")
    assert (hoa.full_name, hoa.ethnicity_code, hoa.sex) == ("Nguyễn Thị Hòa", "02", "female")
    thuy = session.scalar(select(Person).where(Person.full_name == "Lê Văn Thủy"))
    assert thuy is not None and thuy.birth_year == 1985
    assert get_person(session, SYSTEM, thuy.id_number).residences[0].converted_from == "26734"


def test_the_same_file_twice_adds_nothing(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "a.csv", households(5))
    first = import_file(sessions, SYSTEM, source)
    before = _count(session)
    again = import_file(sessions, SYSTEM, source)
    renamed = import_file(sessions, SYSTEM, write_csv(tmp_path / "b.csv", households(5)))
    assert first.rows_imported == 15
    assert again.already_done and renamed.already_done
    assert _count(session) == before


def test_households_are_formed_with_one_head(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    rows = households(3)
    rows[4]["relation_to_head"] = "head"  # household 2 now has two heads
    rows[6]["permanent_commune"] = "00008"  # household 3's head lives elsewhere than its members
    summary = import_file(
        sessions, SYSTEM, write_csv(tmp_path / "h.csv", rows), rejects_to=tmp_path / "r.csv"
    )
    assert summary.rows_imported == 3 + 0 + 1
    reasons = {r["line"]: r["reason"] for r in _rejects(tmp_path / "r.csv")}
    assert "2 heads" in reasons["5"]
    assert "head's commune" in reasons["9"]
    members = session.scalars(select(HouseholdMember)).all()
    assert sorted(m.is_head for m in members) == [False, False, True, True]


def test_unknown_columns_refuse_the_whole_file(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("full_name,birth_date,sex,nmae\nA,1990,male,x\n", encoding="utf-8")
    with pytest.raises(ImportFileInvalid, match="nmae"):
        import_file(sessions, SYSTEM, path)
    assert _count(session) == 0
    assert _count(session, ImportRun) == 0


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_excel_and_parquet(
    sessions: sessionmaker[Session], session: Session, tmp_path: Path, suffix: str
) -> None:
    frame = pl.DataFrame(households(2, seed=3))
    path = tmp_path / f"file{suffix}"
    frame.write_excel(path) if suffix == ".xlsx" else frame.write_parquet(path)
    summary = import_file(sessions, SYSTEM, path, rejects_to=tmp_path / "r.csv")
    assert (summary.rows_imported, summary.rows_rejected) == (6, 0)


def test_an_import_killed_midway_resumes_exactly(
    new_database: Callable[[], str], tmp_path: Path
) -> None:
    url = new_database()
    source = write_csv(tmp_path / "big.csv", households(10_000, seed=9))  # 30,000 rows
    env = {**os.environ, "DANCU_DATABASE_URL": url}
    command = [sys.executable, "-m", "dancu", "import", str(source), "--chunk-size", "200"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    engine = build_engine(url)
    factory = session_factory(engine)
    deadline = time.monotonic() + 120
    position = 0
    while time.monotonic() < deadline and process.poll() is None:
        with factory() as s:
            position = s.scalar(select(ImportRun.position)) or 0
        if position >= 600:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with factory() as s:
        interrupted = _count(s)
    assert 0 < interrupted < 30_000, "the import was not caught midway; make the file larger"
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    assert "resumed" in finished.stdout
    with factory() as s:
        assert _count(s) == 30_000
        assert s.scalar(select(func.count(func.distinct(Person.id_number)))) == 30_000
        assert s.scalar(select(ImportRun.rows_imported)) == 30_000
    engine.dispose()
