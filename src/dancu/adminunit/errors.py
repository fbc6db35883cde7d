"""Refusals of the administrative-unit context."""

from __future__ import annotations

from dancu.kit.errors import InvalidInput, NotFound


class ProvinceNotFound(NotFound):
    code = "adminunit.province.not_found"
    title = "Province not found"


class CommuneNotFound(NotFound):
    code = "adminunit.commune.not_found"
    title = "Commune not found"


class InvalidUnitSet(InvalidInput):
    code = "adminunit.unit_set.invalid"


class InvalidSearch(InvalidInput):
    code = "adminunit.search.invalid"


class InvalidEthnicity(InvalidInput):
    code = "adminunit.ethnicity.invalid"


class InvalidReligion(InvalidInput):
    code = "adminunit.religion.invalid"


class InvalidNationality(InvalidInput):
    code = "adminunit.nationality.invalid"
