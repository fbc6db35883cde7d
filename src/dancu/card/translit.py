"""Vietnamese text to the characters of a machine readable zone (ICAO 9303 Part 3 §6).

The MRZ knows only ``A``-``Z``, ``0``-``9`` and the filler ``<``. Vietnamese letters are Latin
letters with diacritics, so transliteration is: NFC, ``Đ``/``đ`` -> ``D`` (a letter of its own,
which Unicode decomposition leaves alone), every combining mark dropped (tones, breve, circumflex,
horn), upper case. Per Part 3: apostrophes are omitted (``H'Hen`` -> ``HHEN``), hyphens and spaces
separate name components with one filler, and anything else that is not a letter is treated as a
separator too. Runs of separators collapse into one filler, so ``<<`` (which ends the primary
identifier) can never appear inside a name by accident.
"""

from __future__ import annotations

import re
import unicodedata

FILLER = "<"

# Letters with no decomposition, mapped per Part 3 §6 (Vietnamese needs only Đ; the rest are
# there so a foreign-born resident's name does not silently lose a letter).
_LETTERS = str.maketrans(
    {
        "Đ": "D",
        "đ": "D",
        "Ð": "D",
        "ð": "D",
        "Æ": "AE",
        "æ": "AE",
        "Ø": "OE",
        "ø": "OE",
        "Œ": "OE",
        "œ": "OE",
        "ß": "SS",
        "Þ": "TH",
        "þ": "TH",
        "Ł": "L",
        "ł": "L",
        "Ħ": "H",
        "ħ": "H",
        "ı": "I",
    }
)
_OMITTED = str.maketrans(dict.fromkeys("'’ʼ‘`", None))
_NOT_LETTER = re.compile(r"[^A-Z]+")


def to_mrz(text: str) -> str:
    """``text`` in MRZ characters: letters A-Z, name components separated by one ``<``.

    >>> to_mrz("Nguyễn Thị Đoan-Trang")
    'NGUYEN<THI<DOAN<TRANG'
    """
    decomposed = unicodedata.normalize("NFD", text).translate(_LETTERS)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_LETTER.sub(FILLER, bare.translate(_OMITTED).upper()).strip(FILLER)


def split_full_name(full_name: str) -> tuple[str, str]:
    """(primary identifier, secondary identifier) of a Vietnamese full name, as written.

    Vietnamese names put the family name (họ) first: ``"Nguyễn Thị Minh Khai"`` ->
    ``("Nguyễn", "Thị Minh Khai")``. The first word is the family name and the primary identifier
    of ICAO 9303 Part 3; middle and given names are the secondary identifier. Compound family
    names (``Tôn Nữ``, ``Âu Dương``) cannot be told from a middle name by spelling alone, so they
    are not guessed: their second word lands in the secondary identifier. A one-word name has an
    empty secondary identifier.
    """
    words = unicodedata.normalize("NFC", full_name).split()
    if not words:
        return "", ""
    return words[0], " ".join(words[1:])
