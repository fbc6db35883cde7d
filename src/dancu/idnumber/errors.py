"""Refusals of the idnumber context."""

from __future__ import annotations

from dancu.kit.errors import Conflict, FieldError, InvalidInput, NotFound, RuleViolation


class InvalidIdNumber(InvalidInput):
    """An ID number that cannot exist. ``part`` names the faulty part, the message says why.

    Parts: ``"length"``, ``"characters"``, ``"province"``, ``"country"``, ``"century_sex"``,
    ``"birth_year"``, ``"sex"``, ``"serial"``.
    """

    code = "idnumber.invalid"
    title = "Invalid personal ID number"

    def __init__(self, detail: str, *, part: str, field: str = "id_number") -> None:
        super().__init__(detail, errors=[FieldError((field,), detail, f"idnumber.{part}")])
        self.part = part


class InvalidOldIdNumber(InvalidIdNumber):
    """An old 9-digit identity-card (CMND) number that is not 9 digits."""

    code = "idnumber.invalid_old"
    title = "Invalid old identity card number"


class IdNumberNotFound(NotFound):
    code = "idnumber.not_found"


class IdNumberAlreadyCancelled(Conflict):
    code = "idnumber.already_cancelled"


class IdNumberRangeExhausted(Conflict):
    """No free serial was found: the random range for that place, sex and year is (nearly) full."""

    code = "idnumber.range_exhausted"


class ReplacementNotJustified(RuleViolation):
    """Cancel-and-re-establish is only for a change of sex, birth year or place of birth
    registration."""

    code = "idnumber.replacement_not_justified"


class CancelReasonMissing(InvalidInput):
    code = "idnumber.cancel_reason_missing"
