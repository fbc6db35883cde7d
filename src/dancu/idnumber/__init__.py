"""Personal ID numbers: the ``IdNumber`` value type, its validation, and the allocator."""

from dancu.idnumber.column import IdNumberType
from dancu.idnumber.errors import InvalidIdNumber, InvalidOldIdNumber
from dancu.idnumber.value import IdNumber, OldIdNumber

__all__ = ["IdNumber", "IdNumberType", "InvalidIdNumber", "InvalidOldIdNumber", "OldIdNumber"]
