"""A deterministic synthetic population in realistic households, for demos and tests.

Households have a head, usually a spouse, children whose birth dates fit their mother's age,
and sometimes a grandparent; spouses' and parents'/children's links point both ways by ID number.
(The large-scale vectorised generator is `dancu synth`; this one is small and readable.)
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dancu.demo.names import BLOOD_GROUPS, ETHNICITIES, GIVEN, MIDDLE, RELIGIONS, STREETS, SURNAMES
from dancu.idnumber import IdNumber


@dataclass
class Resident:
    snapshot: dict[str, Any]
    sex: str
    birth: date
    relation_to_head: str
    id_number: IdNumber | None = None
    temporary: tuple[str, str, date] | None = None  # address, commune code, until


@dataclass
class HouseholdPlan:
    commune_code: str
    province_code: str
    address_line: str
    members: list[Resident] = field(default_factory=list)


class Generator:
    def __init__(
        self,
        seed: int,
        communes: list[tuple[str, str]],
        birth_codes: dict[str, list[str]],
        today: date,
    ) -> None:
        self.rng = random.Random(seed)
        self.communes = communes
        self.birth_codes = birth_codes  # current province code -> birth-registration codes
        self.today = today

    def pick(self, weights: Mapping[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def name(self, sex: str, surname: str) -> str:
        middle = self.pick(MIDDLE[sex])
        given = self.rng.choice(GIVEN[sex])
        return f"{surname} {middle} {given}"

    def birth(self, age: int) -> date:
        born = self.today - timedelta(days=age * 365 + self.rng.randrange(365))
        return born

    def person(
        self, sex: str, surname: str, age: int, relation: str, province: str, ethnicity: str
    ) -> Resident:
        born = self.birth(age)
        adult = age >= 18
        snapshot: dict[str, Any] = {
            "full_name": self.name(sex, surname),
            "other_names": [],
            "birth_date": born.isoformat(),
            "sex": sex,
            "birth_registration_code": self.rng.choice(self.birth_codes[province]),
            "ethnicity_code": ethnicity,
            "religion_code": self.pick(RELIGIONS),
            "nationality_code": "VN",
            "blood_group": self.pick(BLOOD_GROUPS),
            "marital_status": "single",
            "relations": [],
            "old_id_numbers": [],
            "phone": f"0{self.rng.choice('39578')}{self.rng.randrange(10**8):08d}"
            if adult
            else None,
            "email": None,
            "place_of_birth": None,
            "birth_registration_place": None,
            "hometown": None,
        }
        if adult and born.year < 2000 and self.rng.random() < 0.6:
            snapshot["old_id_numbers"] = [
                {
                    "number": f"{self.rng.randrange(10**9):09d}",
                    "issued_on": None,
                    "issued_place": None,
                    "expires_on": None,
                }
            ]
        return Resident(snapshot=snapshot, sex=sex, birth=born, relation_to_head=relation)

    def household(self) -> HouseholdPlan:
        commune, province = self.rng.choice(self.communes)
        plan = HouseholdPlan(
            commune, province, f"Số {self.rng.randint(1, 300)} {self.rng.choice(STREETS)}"
        )
        surname = self.pick(SURNAMES)
        ethnicity = self.pick(ETHNICITIES)
        head_sex = "male" if self.rng.random() < 0.72 else "female"
        head_age = self.rng.randint(22, 78)
        head = self.person(head_sex, surname, head_age, "head", province, ethnicity)
        plan.members.append(head)
        spouse = None
        if head_age >= 24 and self.rng.random() < 0.8:
            other = "female" if head_sex == "male" else "male"
            spouse_age = max(
                19, head_age + self.rng.randint(-6, 4) * (1 if other == "female" else -1)
            )
            spouse = self.person(
                other, self.pick(SURNAMES), spouse_age, "spouse", province, ethnicity
            )
            plan.members.append(spouse)
        self._children(plan, head, spouse, surname, province, ethnicity)
        if self.rng.random() < 0.12 and head_age < 60:
            grand = self.person(
                self.rng.choice(["male", "female"]),
                surname,
                head_age + self.rng.randint(22, 32),
                "parent",
                province,
                ethnicity,
            )
            plan.members.append(grand)
        return plan

    def _children(
        self,
        plan: HouseholdPlan,
        head: Resident,
        spouse: Resident | None,
        surname: str,
        province: str,
        ethnicity: str,
    ) -> None:
        mother = head if head.sex == "female" else spouse
        if mother is None and head.sex == "male" and self.rng.random() < 0.7:
            return
        mother_age = (self.today - (mother or head).birth).days // 365
        father_surname = (
            surname
            if head.sex == "male"
            else (spouse.snapshot["full_name"].split()[0] if spouse else surname)
        )
        count = self.rng.choices([0, 1, 2, 3, 4], weights=[18, 30, 36, 12, 4])[0]
        for _ in range(count):
            age = mother_age - self.rng.randint(19, 40)
            if age < 0:
                continue
            child = self.person(
                self.rng.choice(["male", "female"]),
                father_surname,
                age,
                "child",
                province,
                ethnicity,
            )
            plan.members.append(child)

    def households(self, people: int) -> Iterator[HouseholdPlan]:
        made = 0
        while made < people:
            plan = self.household()
            made += len(plan.members)
            yield plan


def link_family(plan: HouseholdPlan, today: date) -> None:
    """Fill in marital status and the two-way family links once ID numbers are known."""
    by_relation: dict[str, list[Resident]] = {}
    for member in plan.members:
        by_relation.setdefault(member.relation_to_head, []).append(member)
    head = by_relation["head"][0]
    spouse = by_relation["spouse"][0] if by_relation.get("spouse") else None
    children = by_relation.get("child", [])

    def ref(kind: str, other: Resident) -> dict[str, Any]:
        return {
            "kind": kind,
            "full_name": other.snapshot["full_name"],
            "id_number": str(other.id_number),
            "old_id_number": None,
            "nationality_code": "VN",
        }

    if spouse is not None:
        head.snapshot["marital_status"] = spouse.snapshot["marital_status"] = "married"
        head.snapshot["relations"].append(ref("spouse", spouse))
        spouse.snapshot["relations"].append(ref("spouse", head))
    parents = [p for p in (head, spouse) if p is not None]
    for child in children:
        for parent in parents:
            child.snapshot["relations"].append(
                ref("father" if parent.sex == "male" else "mother", parent)
            )
            parent.snapshot["relations"].append(ref("child", child))
    for elder in by_relation.get("parent", []):
        elder.snapshot["marital_status"] = "widowed"
        elder.snapshot["relations"].append(ref("child", head))
        head.snapshot["relations"].append(ref("father" if elder.sex == "male" else "mother", elder))
