"""``IdNumberType``: store an ``IdNumber`` as its 12 digits, read it back as an ``IdNumber``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

from dancu.idnumber.value import IdNumber


class IdNumberType(TypeDecorator[IdNumber]):
    """A ``String(12)`` column holding personal ID numbers (never a bare ``str`` in Python)."""

    impl = String(12)
    cache_ok = True

    def process_bind_param(self, value: IdNumber | str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        # A plain str (e.g. in a WHERE clause) is checked like any input before it is compared.
        return str(value if isinstance(value, IdNumber) else IdNumber.parse(value))

    def process_result_value(self, value: str | None, dialect: Any) -> IdNumber | None:
        return None if value is None else IdNumber.from_storage(value)
