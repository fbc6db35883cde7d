"""The digitisation file format (docs/import-format.md) and the legacy vocabularies it accepts."""

from __future__ import annotations

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
# (regex, replacement) pairs for polars' str.replace_all (Rust regex: \b is Unicode-aware).
_A, _E, _Y = "àáảãạ", "èéẻẽẹ", "ỳýỷỹỵ"
_O, _OU, _U, _UU = "òóỏõọ", "ÒÓỎÕỌ", "ùúủũụ", "ÙÚỦŨỤ"
_AU, _YU = "ÀÁẢÃẠ", "ỲÝỶỸỴ"
LEGACY_SPELLINGS: tuple[tuple[str, str], ...] = (
    ("Ð", "Đ"), ("ð", "đ"),
    *((rf"o{old}\b", f"{new}a") for old, new in zip(_A, _O, strict=True)),
    *((rf"O{old}\b", f"{new}a") for old, new in zip(_A, _OU, strict=True)),
    *((rf"O{old}\b", f"{new}A") for old, new in zip(_AU, _OU, strict=True)),
    *((rf"o{old}\b", f"{new}e") for old, new in zip(_E, _O, strict=True)),
    *((rf"(^|[^qQ])u{old}\b", f"${{1}}{new}y") for old, new in zip(_Y, _U, strict=True)),
    *((rf"(^|[^qQ])U{old}\b", f"${{1}}{new}y") for old, new in zip(_Y, _UU, strict=True)),
    *((rf"(^|[^qQ])U{old}\b", f"${{1}}{new}Y") for old, new in zip(_YU, _UU, strict=True)),
)  # fmt: skip
