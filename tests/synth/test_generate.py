"""The synthetic nation: format, determinism, households, family links and realistic shares."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from dancu.idnumber import IdNumber
from dancu.synth import COLUMNS, generate, generate_chunks, write
from dancu.synth.nation import BLOCK_HOUSEHOLDS
from tests.synth.conftest import AS_OF, PEOPLE

DOC = Path(__file__).parents[2] / "docs" / "import-format.md"


def _documented_columns() -> list[str]:
    names: list[str] = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return names


def test_columns_are_exactly_those_of_the_format_document(nation: pl.DataFrame) -> None:
    assert nation.columns == _documented_columns() == list(COLUMNS)
    assert all(dtype == pl.String for dtype in nation.dtypes)


def test_row_count_is_exact() -> None:
    for people in (0, 1, 2, 7, 1234):
        assert generate(people, seed=1, as_of=AS_OF).height == people


def test_same_seed_same_rows_other_seed_other_rows(nation: pl.DataFrame) -> None:
    assert generate(PEOPLE, seed=7, as_of=AS_OF).equals(nation)
    assert not generate(PEOPLE, seed=8, as_of=AS_OF).equals(nation)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_written_files_are_byte_identical_and_read_back(tmp_path: Path, fmt: str) -> None:
    first = write(3000, 11, tmp_path / "a", fmt, as_of=AS_OF)
    second = write(3000, 11, tmp_path / "b", fmt, as_of=AS_OF)
    assert first.name == f"people.{fmt}"
    assert first.read_bytes() == second.read_bytes()
    back = pl.read_csv(first, infer_schema=False) if fmt == "csv" else pl.read_parquet(first)
    assert back.equals(generate(3000, 11, as_of=AS_OF))


def test_chunks_hold_whole_households_and_concatenate_to_the_whole() -> None:
    people = int(BLOCK_HOUSEHOLDS * 3.5 * 1.3)  # more than one block
    chunks = list(generate_chunks(people, 3, as_of=AS_OF))
    assert len(chunks) >= 2
    assert sum(c.height for c in chunks) == people
    for chunk in chunks:
        assert chunk["relation_to_head"][0] == "head"
    numbers = [set(c["household_number"]) for c in chunks]
    assert all(a.isdisjoint(b) for i, a in enumerate(numbers) for b in numbers[i + 1 :])
    ids = pl.concat([c.select("id_number") for c in chunks])["id_number"]
    assert ids.n_unique() == people


def test_id_numbers_are_unique_and_agree_with_birth_date_sex_and_registration(
    nation: pl.DataFrame,
) -> None:
    assert nation["id_number"].n_unique() == nation.height
    for row in nation.select("id_number", "birth_date", "sex", "birth_registration_code").rows():
        number = IdNumber.parse(row[0])
        assert number.birth_year == int(row[1][:4])
        assert number.sex == row[2]
        assert number.province_code == row[3]


def test_old_id_numbers_are_nine_unique_digits_of_people_born_before_1995(
    nation: pl.DataFrame,
) -> None:
    holders = nation.filter(pl.col("old_id_number").is_not_null())
    assert 0.1 < holders.height / nation.height < 0.6
    assert holders["old_id_number"].str.contains(r"^\d{9}$").all()
    assert holders["old_id_number"].n_unique() == holders.height
    assert (holders["birth_date"].str.slice(0, 4).cast(pl.Int32) < 1995).all()


def test_each_household_is_contiguous_with_one_head_first(nation: pl.DataFrame) -> None:
    runs = nation.select(
        (pl.col("household_number") != pl.col("household_number").shift())
        .fill_null(True)
        .alias("new"),
        "relation_to_head",
        "household_number",
    )
    assert (runs["new"] == (runs["relation_to_head"] == "head")).all()
    heads = nation.filter(pl.col("relation_to_head") == "head")
    assert heads["household_number"].n_unique() == heads.height
    assert nation["household_number"].n_unique() == heads.height
    assert 3.0 <= nation.height / heads.height <= 4.2


def test_relations_are_from_the_format(nation: pl.DataFrame) -> None:
    allowed = {"head", "spouse", "child", "parent", "grandchild", "child_in_law"}
    assert set(nation["relation_to_head"]) <= allowed
    assert {"spouse", "child", "parent", "grandchild", "child_in_law"} <= set(
        nation["relation_to_head"]
    )
