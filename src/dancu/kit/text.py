"""Vietnamese text: NFC storage form and case/diacritic-folded search keys.

The original spelling is always kept; folded keys are derived from it and only used to search.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ/đ is a letter of its own, not D + a combining mark, so NFD does not strip it.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def nfc(value: str) -> str:
    """NFC-normalise and collapse runs of white space (the storage form of every name)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Search key: lower case, diacritics removed (đ -> d), white space collapsed.

    >>> fold("Nguyễn  Văn ĐỨC")
    'nguyen van duc'
    """
    decomposed = unicodedata.normalize("NFD", value.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold().translate(_SPECIAL)).strip()


def has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value)
