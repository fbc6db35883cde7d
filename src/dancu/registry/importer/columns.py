"""The digitisation file format (docs/import-format.md) and the legacy vocabularies it accepts."""

from __future__ import annotations

import re

COLUMNS: tuple[str, ...] = (
    "id_number", "old_id_number", "full_name", "birth_date", "sex", "birth_registration_code",
    "place_of_birth", "hometown", "ethnicity", "religion", "nationality", "blood_group",
    "marital_status", "phone", "email",
    "permanent_address", "permanent_commune", "temporary_address", "temporary_commune",
    "temporary_until", "current_address", "current_commune",
    "household_number", "relation_to_head",
    "father_id_number", "mother_id_number", "spouse_id_number",
    "father_name", "mother_name", "spouse_name",
)  # fmt: skip
REQUIRED: tuple[str, ...] = ("full_name", "birth_date", "sex")
RESIDENCE_KINDS: tuple[str, ...] = ("permanent", "temporary", "current")

# Values are matched after folding (lower case, no diacritics): "Nữ" and "nu" are the same.
SEX = {
    "male": "male",
    "m": "male",
    "nam": "male",
    "female": "female",
    "f": "female",
    "nu": "female",
}
MARITAL = {
    "single": "single", "doc than": "single", "chua ket hon": "single",
    "married": "married", "da ket hon": "married", "co vo": "married", "co chong": "married",
    "divorced": "divorced", "ly hon": "divorced", "da ly hon": "divorced",
    "widowed": "widowed", "goa": "widowed", "goa vo": "widowed", "goa chong": "widowed",
}  # fmt: skip
RELATIONS = {
    "head": "head", "chu ho": "head",
    "spouse": "spouse", "vo": "spouse", "chong": "spouse",
    "child": "child", "con": "child", "con de": "child", "con trai": "child", "con gai": "child",
    "parent": "parent", "bo": "parent", "me": "parent", "cha": "parent",
    "grandparent": "grandparent", "ong": "grandparent", "ba": "grandparent",
    "grandchild": "grandchild", "chau": "grandchild",
    "sibling": "sibling", "anh": "sibling", "chi": "sibling", "em": "sibling",
    "parent_in_law": "parent_in_law", "bo vo": "parent_in_law", "me vo": "parent_in_law",
    "bo chong": "parent_in_law", "me chong": "parent_in_law",
    "child_in_law": "child_in_law", "con dau": "child_in_law", "con re": "child_in_law",
    "other_relative": "other_relative", "ho hang": "other_relative",
    "other": "other", "khac": "other",
}  # fmt: skip
# Legacy spellings: the old tone-mark placement on a final oa/oe/uy ("Hoà", "Thuỷ") becomes the
# placement the GSO lists and today's documents use ("Hòa", "Thủy"); "Hoàng" and "Quý" are right
# either way and stay. The Icelandic eth that legacy encodings put in place of Đ becomes Đ.
_TONED = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ", "o": "òóỏõọ", "u": "ùúủũụ"}


def _moves() -> dict[str, str]:
    moves = {"Ð": "Đ", "ð": "đ"}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for old, new in zip(_TONED[second], _TONED[first], strict=True):
            for f, o, n, plain in (
                (first, old, new, second),
                (first.upper(), old, new.upper(), second),
                (first.upper(), old.upper(), new.upper(), second.upper()),
            ):
                moves[f + o] = n + plain
    return moves


LEGACY_MOVES = _moves()
# Rows whose text may hold a legacy spelling (polars/Rust regex, cheap to scan).
LEGACY_GUARD = r"[oOuU][àáảãạÀÁẢÃẠèéẻẽẹỳýỷỹỵỲÝỶỸỴ]\b|[Ðð]"
_LEGACY = re.compile(r"(?<![qQ])(?:[oOuU][àáảãạÀÁẢÃẠèéẻẽẹỳýỷỹỵỲÝỶỸỴ])(?!\w)|[Ðð]")


def modern_spelling(text: str) -> str:
    """Move tone marks to today's place (applied only to rows the guard flags)."""
    return _LEGACY.sub(lambda m: LEGACY_MOVES.get(m.group(0), m.group(0)), text)
