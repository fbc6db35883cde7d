"""The demo population: realistic households whose links and dates agree."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from dancu.demo import load_population
from dancu.idnumber import IdNumber
from dancu.kit.partial_date import PartialDate
from dancu.registry.household.models import HouseholdMember
from dancu.registry.person.models import Person


def test_demo_population_is_consistent(session: Session) -> None:
    written = load_population(session, people=600, seed=7)
    assert written >= 600
    people = {p.id: p for p in session.scalars(select(Person))}
    by_number = {str(p.id_number): p for p in people.values()}
    members = session.scalars(select(HouseholdMember)).all()
    heads = Counter(m.household_id for m in members if m.is_head)
    assert set(heads.values()) == {1}  # exactly one head per household
    assert len({m.person_id for m in members}) == len(members)  # one household per person
    assert 2.5 < len(members) / len(heads) < 5  # realistic mean size
    for person in people.values():
        number = IdNumber.parse(str(person.id_number))
        assert (number.sex, number.birth_year) == (person.sex, person.birth_year)
        for relation in person.data["relations"]:
            other = by_number[relation["id_number"]]
            back = {r["id_number"] for r in other.data["relations"]}
            assert str(person.id_number) in back  # links point both ways
            if relation["kind"] in ("father", "mother"):
                born = PartialDate.parse(person.data["birth_date"]).earliest()
                parent_born = PartialDate.parse(other.data["birth_date"]).earliest()
                assert (born - parent_born).days > 15 * 365
    surnames = Counter(p.full_name.split()[0] for p in people.values())
    assert surnames.most_common(1)[0][0] == "Nguyễn"
