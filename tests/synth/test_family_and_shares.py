"""Family links, residence, and the census-like shares of the synthetic nation."""

from __future__ import annotations

import unicodedata

import polars as pl

from dancu.adminunit import datafiles
from tests.synth.conftest import AS_OF
from tests.synth.conftest import age as _age


def _people(nation: pl.DataFrame) -> pl.DataFrame:
    return nation.with_columns(pl.col("birth_date").str.to_date().alias("born"))


def _linked(nation: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Each person with a ``kind`` link, joined to the linked person (columns suffixed _other)."""
    people = _people(nation)
    return people.filter(pl.col(f"{kind}_id_number").is_not_null()).join(
        people, left_on=f"{kind}_id_number", right_on="id_number", how="left", suffix="_other"
    )


def test_spouses_point_at_each_other_in_the_same_household(nation: pl.DataFrame) -> None:
    pairs = _linked(nation, "spouse")
    assert pairs.height > 0.25 * nation.height
    assert (pairs["spouse_id_number_other"] == pairs["id_number"]).all()
    assert (pairs["household_number_other"] == pairs["household_number"]).all()
    assert (pairs["spouse_name"] == pairs["full_name_other"]).all()
    assert (pairs["sex"] != pairs["sex_other"]).all()
    assert (pairs["marital_status"] == "married").all()


def test_parents_are_in_the_household_and_of_an_age_to_be_parents(nation: pl.DataFrame) -> None:
    mothers = _linked(nation, "mother")
    fathers = _linked(nation, "father")
    assert mothers.height > 0.3 * nation.height and fathers.height > 0.3 * nation.height
    for links, kind, sex in ((mothers, "mother", "female"), (fathers, "father", "male")):
        assert links["full_name_other"].is_not_null().all()  # the parent is in the file
        assert (links[f"{kind}_name"] == links["full_name_other"]).all()
        assert (links["sex_other"] == sex).all()
        assert (links["household_number_other"] == links["household_number"]).all()
    age_at_birth = mothers.select(_age(pl.col("born_other"), pl.col("born")))
    assert age_at_birth.to_series().is_between(18, 45).all()
    father_age = fathers.select(_age(pl.col("born_other"), pl.col("born"))).to_series()
    assert (father_age >= 18).all()


def test_children_take_the_fathers_surname(nation: pl.DataFrame) -> None:
    fathers = _linked(nation, "father")
    surname = pl.col("full_name").str.split(" ").list.first()
    father_surname = pl.col("full_name_other").str.split(" ").list.first()
    assert fathers.select(surname == father_surname).to_series().all()


def test_names_are_nfc_with_a_realistic_share_of_nguyen(nation: pl.DataFrame) -> None:
    names = nation["full_name"].to_list()
    assert all(unicodedata.normalize("NFC", n) == n and len(n.split()) >= 3 for n in names)
    nguyen = sum(n.split()[0] == "Nguyễn" for n in names) / len(names)
    assert 0.30 <= nguyen <= 0.45


def test_codes_exist_in_the_reference_lists(nation: pl.DataFrame) -> None:
    ethnicities = {r["code"] for r in datafiles.read_rows("ethnicities.csv")}
    religions = {r["code"] for r in datafiles.read_rows("religions.csv")}
    assert set(nation["ethnicity"]) <= ethnicities
    assert set(nation["religion"]) <= religions
    kinh = (nation["ethnicity"] == "01").mean()
    no_religion = (nation["religion"] == "00").mean()
    assert kinh is not None and 0.8 < kinh < 0.9
    assert no_religion is not None and 0.8 < no_religion < 0.92
    assert set(nation["blood_group"]) == {"O", "A", "B", "AB"}
    assert set(nation["nationality"]) == {"VN"}


def test_communes_are_current_ones(nation: pl.DataFrame) -> None:
    current = {r["code"] for r in datafiles.communes() if r["unit_set"] == "current"}
    for column in ("permanent_commune", "temporary_commune", "current_commune"):
        assert set(nation[column].drop_nulls()) <= current
    assert nation["permanent_commune"].null_count() == 0


def test_birth_is_mostly_registered_in_the_province_of_residence(nation: pl.DataFrame) -> None:
    places = {r["code"]: r["current_province_code"]
              for r in datafiles.read_rows("birth_registration_places.csv")}  # fmt: skip
    province = {r["code"]: r["province_code"]
                for r in datafiles.communes() if r["unit_set"] == "current"}  # fmt: skip
    rows = nation.select("birth_registration_code", "permanent_commune").rows()
    local = sum(places[code] == province[commune] for code, commune in rows) / len(rows)
    assert 0.8 < local < 0.95


def test_temporary_residents_live_elsewhere_for_at_most_two_years(nation: pl.DataFrame) -> None:
    people = _people(nation)
    adults = people.filter(_age(pl.col("born"), AS_OF) >= 18)
    away = adults.filter(pl.col("temporary_commune").is_not_null())
    assert 0.04 < away.height / adults.height < 0.09
    assert (away["temporary_commune"] != away["permanent_commune"]).all()
    assert (away["current_commune"] == away["temporary_commune"]).all()
    assert (away["current_address"] == away["temporary_address"]).all()
    until = away["temporary_until"].str.to_date()
    assert (until > AS_OF).all()
    assert (until <= AS_OF.replace(year=AS_OF.year + 2)).all()
    assert people.filter(pl.col("temporary_commune").is_null())["current_commune"].null_count() == (
        people.height - away.height
    )


def test_marital_status_fits_age(nation: pl.DataFrame) -> None:
    people = _people(nation).with_columns(_age(pl.col("born"), AS_OF).alias("age"))
    minors = people.filter(pl.col("age") < 18)
    assert (minors["marital_status"] == "single").all()
    assert set(people["marital_status"]) == {"single", "married", "divorced", "widowed"}

    def widowed(low: int, high: int) -> float:
        band = people.filter(pl.col("age").is_between(low, high))
        return float((band["marital_status"] == "widowed").mean() or 0.0)

    assert widowed(70, 120) > 3 * widowed(30, 49)


def test_age_structure_is_close_to_the_2019_census(nation: pl.DataFrame) -> None:
    ages = _people(nation).select(_age(pl.col("born"), AS_OF)).to_series()
    assert 0.19 < (ages < 15).mean() < 0.29  # census: 24.3%
    assert 0.05 < (ages >= 65).mean() < 0.11  # census: 7.7%
    assert ages.max() < 100


def test_adults_have_phones_and_some_have_email(nation: pl.DataFrame) -> None:
    people = _people(nation).with_columns(_age(pl.col("born"), AS_OF).alias("age"))
    phones = people["phone"].drop_nulls()
    assert phones.str.contains(r"^0[35789]\d{8}$").all()
    assert people.filter(pl.col("age") < 15)["phone"].null_count() == (people["age"] < 15).sum()
    emails = people["email"].drop_nulls()
    assert emails.len() > 0 and emails.str.contains(r"^[a-z]+\d+@[a-z.]+$").all()
