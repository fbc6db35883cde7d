"""The error tree. Domain code raises these; one HTTP handler renders them as RFC 9457 problems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One bad field: ``loc`` is the path to it (``["body", "birth_date"]``)."""

    loc: tuple[str | int, ...]
    msg: str
    type: str = "value_error"

    def as_dict(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


class DancuError(Exception):
    """Base of every expected refusal. Never a 500."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "dancu.error"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(DancuError):
    status_code = 422
    code = "dancu.invalid_input"
    title = "Invalid input"


class NotFound(DancuError):
    status_code = 404
    code = "dancu.not_found"
    title = "Not found"


class Conflict(DancuError):
    status_code = 409
    code = "dancu.conflict"
    title = "Conflict"


class PreconditionFailed(DancuError):
    status_code = 412
    code = "dancu.precondition_failed"
    title = "Precondition failed"


class PreconditionRequired(DancuError):
    status_code = 428
    code = "dancu.precondition_required"
    title = "Precondition required"


class Unauthorized(DancuError):
    status_code = 401
    code = "auth.unauthorized"
    title = "Not authenticated"


class Forbidden(DancuError):
    status_code = 403
    code = "dancu.forbidden"
    title = "Forbidden"


class RuleViolation(DancuError):
    status_code = 422
    code = "dancu.rule_violation"
    title = "Rule violated"


class TooManyRequests(DancuError):
    status_code = 429
    code = "dancu.too_many_requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
