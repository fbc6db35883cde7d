"""Past states of a record: the current document with later versions' changes undone.

Each version stores only what it changed (old and new value of each item). Undoing, newest
first, the changes of every version after ``v`` gives the record exactly as version ``v`` left
it; the service records every consequence of an update so that this holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dancu.registry.person.models import PersonVersion

# Entries of ``changes`` that are not items of the record document.
_NOT_IN_DOCUMENT = ("id_number",)


def _in_document(item: str) -> bool:
    return item not in _NOT_IN_DOCUMENT and not item.endswith("_residence")


def rewind(current: dict[str, Any], later: Iterable[PersonVersion]) -> dict[str, Any]:
    """The document before ``later`` (versions newest first) were applied to it."""
    state = dict(current)
    for version in later:
        for item, change in version.changes.items():
            if not _in_document(item):
                continue
            if change["old"] is None:
                state.pop(item, None)
            else:
                state[item] = change["old"]
    return state
