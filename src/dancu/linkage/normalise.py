"""Vietnamese-aware normalisation of the fields record linkage compares: names, dates, phones.

Pure functions: they keep the original NFC spelling next to the folded search key (lower case, no
diacritics, đ -> d, from ``dancu.kit.text.fold``) and never claim that two spellings are equal
when they only resemble each other: weak evidence (a regional surname variant, a day/month swap)
gets its own function so that scoring can weigh it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dancu.kit.partial_date import PartialDate, PartialDateError
from dancu.kit.text import fold, nfc
from dancu.registry.importer.columns import modern_spelling

__all__ = [
    "COMMON_MIDDLE_NAMES",
    "COMPOUND_FAMILY_NAMES",
    "SURNAME_VARIANTS",
    "TWO_DIGIT_YEAR_PIVOT",
    "FoldedText",
    "NameParts",
    "clean_name",
    "date_swap",
    "decode_syllable",
    "folded",
    "is_syllable",
    "normalise_phone",
    "parse_partial_date",
    "same_folded",
    "split_name",
    "surname_variant_group",
]

# --- Syllables --------------------------------------------------------------------------------
# A syllable is initial consonant + rhyme (vowel cluster + final) + tone. The tables below are the
# spelling rules of the national script, toneless; they let a decoder refuse what no Vietnamese
# word can be ("Thomas", "James"), which is what keeps the Telex/VNI repair conservative.

_INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d",
             "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")  # fmt: skip
_FINALS = ("ng", "nh", "ch", "c", "m", "n", "p", "t")
_STOPS = ("c", "ch", "p", "t")  # a stop final takes only the sắc or nặng tone
_OPEN_OR_CLOSED = ("a", "e", "ê", "i", "y", "o", "ô", "ơ", "u", "ư", "oa", "oe", "uê", "uy")
# "oo" (xoong, boong: loan words only) is left out: in a name "Coong" is Telex for Công.
_CLOSED_ONLY = ("ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê")
_GLIDING = ("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui",
            "ưi", "ưu", "ua", "ưa", "uơ", "iêu", "yêu", "uôi", "ươi", "ươu", "oai", "oay", "oao",
            "oeo", "uây", "uya", "uyu")  # fmt: skip


def _rhymes() -> dict[str, tuple[str, str]]:
    rhymes = {v: (v, "") for v in (*_OPEN_OR_CLOSED, *_GLIDING)}
    for vowels in (*_OPEN_OR_CLOSED, *_CLOSED_ONLY):
        rhymes.update({vowels + final: (vowels, final) for final in _FINALS})
    return rhymes


_RHYMES = _rhymes()
_MARKED = "ăâêôơư"
# Combining tone marks, numbered as VNI numbers them: 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng.
_TONE_MARKS = {1: "\u0301", 2: "\u0300", 3: "\u0309", 4: "\u0303", 5: "\u0323"}
_TONE_OF_MARK = {mark: tone for tone, mark in _TONE_MARKS.items()}
_VOWELS = "aeiouyăâêôơư"


def _parse(base: str) -> tuple[str, str, str] | None:
    """(initial, vowels, final) of a toneless lower-case syllable, None if it cannot be one."""
    for initial in _INITIALS:
        if base.startswith(initial) and base[len(initial) :] in _RHYMES:
            return (initial, *_RHYMES[base[len(initial) :]])
    return None


def _tone_index(vowels: str, final: str) -> int:
    """Where the tone mark goes, in the placement the GSO lists use (Hòa, Thủy, Khỏe, Hoàng)."""
    marked = [i for i, ch in enumerate(vowels) if ch in _MARKED]
    if marked:
        return marked[-1]  # ươ takes it on ơ
    if final or len(vowels) == 1:
        return len(vowels) - 1
    return 1 if len(vowels) == 3 else 0


def _compose(base: str, tone: int) -> str | None:
    parts = _parse(base)
    if parts is None:
        return None
    initial, vowels, final = parts
    if final in _STOPS and tone not in (0, 1, 5):
        return None
    if tone == 0:
        return base
    at = _tone_index(vowels, final)
    toned = vowels[:at] + vowels[at] + _TONE_MARKS[tone] + vowels[at + 1 :]
    return unicodedata.normalize("NFC", initial + toned + final)


def _split_tone(word: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = 0
    kept = []
    for ch in decomposed:
        if ch in _TONE_OF_MARK:
            tone = _TONE_OF_MARK[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def is_syllable(word: str) -> bool:
    """True when ``word`` is spelled as a Vietnamese syllable can be (case and tone ignored,
    except that a stop final takes only sắc or nặng).

    >>> is_syllable("Nguyễn"), is_syllable("khuỷu"), is_syllable("Thomas"), is_syllable("bàc")
    (True, True, False, False)
    """
    base, tone = _split_tone(word)
    return _compose(base, tone) is not None


# --- Telex, VNI and VIQR residues ---------------------------------------------------------------

_TELEX_TONES = {"s": 1, "f": 2, "r": 3, "x": 4, "j": 5, "z": 0}
_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_HORN = {"a": "ă", "o": "ơ", "u": "ư"}
_LATE_CIRCUMFLEX = re.compile(r"^(.*)([aeo])([^aeiouyăâêôơư]+)([aeo])$")
_UO = re.compile(r"(?:ưo|uơ)(?=[a-zđ])")


def _vowel_run_end(text: str) -> tuple[int, int] | None:
    """(start, end) of the last run of vowels in ``text``."""
    end = len(text)
    while end and text[end - 1] not in _VOWELS:
        end -= 1
    start = end
    while start and text[start - 1] in _VOWELS:
        start -= 1
    return (start, end) if end else None


def _horn(text: str) -> str | None:
    """Horn (or breve) on the last vowel cluster: uo -> ươ, else the last a/o/u."""
    run = _vowel_run_end(text)
    if run is None:  # Telex: a bare w after consonants is ư ("Tw" -> "Tư"); "Wax" is not Vietnamese
        return text + "ư" if text else None
    start, end = run
    cluster = text[start:end]
    if "uo" in cluster or "ưo" in cluster:
        at = max(cluster.rfind("uo"), cluster.rfind("ưo"))
        return text[: start + at] + "ươ" + text[start + at + 2 :]
    for i in range(end - 1, start - 1, -1):
        if text[i] in _HORN:
            return text[:i] + _HORN[text[i]] + text[i + 1 :]
    return None


def _telex_tone(word: str) -> tuple[str, int, bool]:
    """Tone keys are s f r x j (z: none) after the first vowel, where no Vietnamese letter can
    stand; the last one typed wins."""
    first = next((i for i, ch in enumerate(word) if ch in "aeiouy"), len(word))
    tone, found, kept = 0, False, list(word[: first + 1])
    for ch in word[first + 1 :]:
        if ch in _TELEX_TONES:
            tone, found = _TELEX_TONES[ch], True
        else:
            kept.append(ch)
    return "".join(kept), tone, found


def _telex_letters(base: str, late: bool) -> str | None:
    if base.startswith("dd"):
        base = "đ" + base[2:]
    elif late and len(base) > 2 and base[0] == "d" and base[-1] == "d":
        base = "đ" + base[1:-1]  # "ducds": the đ key typed last
    for pair, letter in (("aa", "â"), ("ee", "ê"), ("oo", "ô")):
        base = base.replace(pair, letter)
    match = _LATE_CIRCUMFLEX.match(base) if late else None
    if match and match.group(2) == match.group(4):  # "tranaf": â typed after the final
        base = match.group(1) + _CIRCUMFLEX[match.group(2)] + match.group(3)
    while "w" in base:
        at = base.index("w")
        horned = _horn(base[:at])
        if horned is None:
            return None
        base = horned + base[at + 1 :]
    return _UO.sub("ươ", base)


def _telex(word: str) -> str | None:
    base, tone, has_tone = _telex_tone(word)
    letters = _telex_letters(base, late=has_tone)
    if letters is None or (letters == word and not has_tone):
        return None
    return _compose(letters, tone)


# VNI digits and VIQR punctuation: 1-5 / ' ` ? ~ . are tones, 6 ^ circumflex, 7 + horn, 8 ( breve,
# 9 the stroke of đ (VIQR writes đ as dd).
_VNI_TONES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "'": 1, "`": 2, "?": 3, "~": 4, ".": 5}
_VNI_MARKS = {"6": "^", "^": "^", "7": "+", "+": "+", "8": "(", "(": "(", "9": "9"}
_MARK_CHARS = frozenset(_VNI_TONES) | frozenset(_VNI_MARKS)


def _vni_mark(base: str, mark: str) -> str | None:
    if mark == "9":
        return "đ" + base[1:] if base.startswith("d") else None
    if mark == "+":
        return _horn(base) if _vowel_run_end(base) else None
    table = _CIRCUMFLEX if mark == "^" else {"a": "ă"}
    at = max(base.rfind(letter) for letter in table)
    return base[:at] + table[base[at]] + base[at + 1 :] if at >= 0 else None


def _vni(word: str) -> str | None:
    base, tone = "", 0
    for i, ch in enumerate(word):
        if ch.isalpha():
            base += ch
        elif ch in _VNI_TONES and not (ch == "." and i == len(word) - 1):
            tone = _VNI_TONES[ch]
        elif ch in _VNI_MARKS:
            marked = _vni_mark(base, _VNI_MARKS[ch])
            if marked is None:
                return None
            base = marked
        else:
            return None
    if base.startswith("dd"):
        base = "đ" + base[2:]
    return _compose(base, tone)


def decode_syllable(word: str) -> str | None:
    """The lower-case syllable a Telex, VNI or VIQR residue stands for, or None when ``word``
    is not one (or is already a syllable as written).

    VNI/VIQR: a word of letters with the digits 1-9 or the marks ^ ( + ' ` ? ~ . typed after
    the vowel they change (1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng, 6 ^, 7 horn, 8 breve, 9 đ).
    Telex: a word of ASCII letters that is not a syllable as written, where aa ee oo = â ê ô,
    aw ow uw (and uow) = ă ơ ư (ươ), dd = đ, and s f r x j after the first vowel are the tones;
    with a tone key, â/ê/ô and đ may also be typed after the final ("tranaf", "ducds").
    The result must be a syllable by the spelling rules, or nothing is decoded.

    >>> [decode_syllable(w) for w in ("Nguyeenx", "Tranaf", "Hoangf", "Nguye6n", "Tra^`n")]
    ['nguyễn', 'trần', 'hoàng', 'nguyên', 'trần']
    >>> decode_syllable("Truwowngf"), decode_syllable("D9u7o7ng2"), decode_syllable("Thuyr")
    ('trường', 'đường', 'thủy')
    >>> decode_syllable("Thomas"), decode_syllable("Anh"), decode_syllable("Ann")
    (None, None, None)
    """
    low = word.lower()
    if any(ch in _MARK_CHARS for ch in low):
        return _vni(low) if any(ch.isalpha() for ch in low) else None
    if not (low.isascii() and low.isalpha()) or _parse(low) is not None:
        return None
    return _telex(low)


# --- Names --------------------------------------------------------------------------------------


def _title(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _needs_telex(word: str) -> bool:
    low = word.lower()
    return low.isascii() and low.isalpha() and _parse(low) is None


def clean_name(text: str) -> str:
    """The storage form of a personal name: NFC, single spaces, each word title-cased, typing
    residues decoded and legacy tone placement modernised ("Hoà" -> "Hòa", "Thuý" -> "Thúy",
    ``registry.importer.columns.modern_spelling``, the rule the importer applies).

    Residues (see ``decode_syllable``): a VNI/VIQR word is decoded when the result is a
    syllable. Telex is ambiguous with ordinary words ("Max" would be "Mã"), so an ASCII word is
    read as Telex only when it is not a syllable as written and *every* other word of the name is
    Vietnamese (a syllable, or decodable): in "Thomas Max" nothing changes.

    >>> clean_name("  NGUYEENX   vawn  anh ")
    'Nguyễn Văn Anh'
    >>> clean_name("Tra62n Thi5 Thuý"), clean_name("Hoangf Thij Hoà")
    ('Trần Thị Thúy', 'Hoàng Thị Hòa')
    >>> clean_name("Thomas Max"), clean_name("Lê Max")
    ('Thomas Max', 'Lê Mã')
    """
    words = nfc(text).split(" ")
    decoded = [decode_syllable(w) for w in words]
    vietnamese = all(d is not None or is_syllable(w) for w, d in zip(words, decoded, strict=True))
    out = []
    for word, syllable in zip(words, decoded, strict=True):
        use = syllable is not None and (vietnamese or not _needs_telex(word))
        out.append(_title(syllable if use and syllable else word))
    return modern_spelling(nfc(" ".join(out)))


@dataclass(frozen=True)
class FoldedText:
    """A value in its original NFC spelling with its folded search key beside it."""

    text: str
    key: str

    def __str__(self) -> str:
        return self.text


def folded(text: str) -> FoldedText:
    """Keep both forms: the NFC original for display and audit, the key for comparison.

    >>> folded("Đặng  Thị Huệ")
    FoldedText(text='Đặng Thị Huệ', key='dang thi hue')
    """
    return FoldedText(nfc(text), fold(text))


def same_folded(a: str, b: str) -> bool:
    """Equal once case and diacritics are ignored (strong but not exact evidence).

    >>> same_folded("Nguyễn Văn Ân", "NGUYEN VAN AN"), same_folded("Vũ", "Võ")
    (True, False)
    """
    return fold(a) == fold(b)


# Multi-word family names, longest first. "Nguyễn Phúc"/"Nguyễn Phước" (the royal clan) is taken
# as one only in names of four words or more: "Nguyễn Phúc An" is more often Nguyễn + Phúc + An.
COMPOUND_FAMILY_NAMES: tuple[str, ...] = (
    "Công Tằng Tôn Nữ", "Công Tôn Nữ", "Tôn Thất", "Tôn Nữ", "Âu Dương", "Hoàng Phủ", "Tư Mã",
    "Gia Cát", "Thượng Quan", "Đông Phương", "Nguyễn Phúc", "Nguyễn Phước",
)  # fmt: skip
_LONG_ONLY = frozenset({"nguyen phuc", "nguyen phuoc"})
# The middle names that mostly mark sex or generation rather than identify (Văn, Thị) and the
# other frequent ones; a linkage rule may treat a missing Văn/Thị as weak disagreement only.
GENDER_MARKERS = frozenset({"van", "thi"})
COMMON_MIDDLE_NAMES: frozenset[str] = frozenset({
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Công", "Thanh", "Ngọc", "Xuân", "Quốc", "Gia",
    "Tuấn", "Trọng", "Đình", "Bá", "Duy", "Mạnh", "Thế", "Tiến", "Thu", "Kim", "Hồng", "Phương",
    "Thùy", "Bảo", "Khánh", "Mai", "Diệu", "Bích", "Thúy", "Hoài", "Như", "Anh",
})  # fmt: skip
_COMMON_MIDDLE_KEYS = frozenset(fold(m) for m in COMMON_MIDDLE_NAMES)


@dataclass(frozen=True)
class NameParts:
    """A Vietnamese full name: family name first, the given name last, middle names between."""

    family: str
    middle: str
    given: str
    family_key: str
    middle_key: str
    given_key: str

    @property
    def full(self) -> str:
        return " ".join(part for part in (self.family, self.middle, self.given) if part)

    @property
    def middle_core_key(self) -> str:
        """The folded middle names without Văn/Thị, often left out of a record."""
        return " ".join(w for w in self.middle_key.split() if w not in GENDER_MARKERS)

    @property
    def middle_is_common(self) -> bool:
        """Every middle name is a frequent one (it identifies little)."""
        return all(w in _COMMON_MIDDLE_KEYS for w in self.middle_key.split())


def _family_words(keys: list[str]) -> int:
    for compound in COMPOUND_FAMILY_NAMES:
        key = fold(compound)
        size = key.count(" ") + 1
        needed = size + (2 if key in _LONG_ONLY else 1)
        if len(keys) >= needed and " ".join(keys[:size]) == key:
            return size
    return 1


def split_name(full_name: str) -> NameParts:
    """Split a cleaned name into family, middle and given names.

    One word is a given name alone; two are family + given; from three on the family name is
    the first word, or a compound of ``COMPOUND_FAMILY_NAMES`` when the name starts with one.

    >>> parts = split_name("nguyeenx vawn an")
    >>> parts.family, parts.middle, parts.given, parts.family_key, parts.middle_is_common
    ('Nguyễn', 'Văn', 'An', 'nguyen', True)
    >>> parts = split_name("Tôn Nữ Thị Minh Châu")
    >>> parts.family, parts.middle, parts.given, parts.middle_core_key
    ('Tôn Nữ', 'Thị Minh', 'Châu', 'minh')
    >>> split_name("Nguyễn Phúc An").family, split_name("Nguyễn Phúc Bửu Chánh").family
    ('Nguyễn', 'Nguyễn Phúc')
    """
    words = clean_name(full_name).split(" ") if full_name.strip() else []
    if len(words) <= 1:
        family_size = 0
    elif len(words) == 2:
        family_size = 1
    else:
        family_size = _family_words([fold(w) for w in words])
    family = " ".join(words[:family_size])
    middle = " ".join(words[family_size:-1])
    given = words[-1] if words else ""
    return NameParts(family, middle, given, fold(family), fold(middle), fold(given))


# Regional variants of one surname, attested as the same families: Hoàng -> Huỳnh (the southern
# form, from the naming taboo on Lord Nguyễn Hoàng), Vũ -> Võ (taboo on Lord Vũ Vương), and the
# royal clan's Nguyễn Phúc / Nguyễn Phước. Nothing else: Đặng/Đoàn and the like are different names.
SURNAME_VARIANTS: tuple[frozenset[str], ...] = (
    frozenset({"hoang", "huynh"}),
    frozenset({"vu", "vo"}),
    frozenset({"nguyen phuc", "nguyen phuoc"}),
)


def surname_variant_group(family: str) -> str:
    """A key shared by the regional variants of a family name: equal keys are *weak* evidence of
    the same family, not equality (compare ``fold`` for that). Names without variants key to
    their folded form.

    >>> surname_variant_group("Hoàng"), surname_variant_group("HUỲNH"), surname_variant_group("Võ")
    ('hoang|huynh', 'hoang|huynh', 'vo|vu')
    >>> surname_variant_group("Đặng") == surname_variant_group("Đoàn")
    False
    """
    key = fold(family)
    for group in SURNAME_VARIANTS:
        if key in group:
            return "|".join(sorted(group))
    return key


# --- Dates --------------------------------------------------------------------------------------

# Two-digit years: 00-25 are read as 2000-2025, 26-99 as 1926-1999 (the legacy files predate 2026;
# a person born before 1926 written with two digits is misread: pass another pivot for such files).
TWO_DIGIT_YEAR_PIVOT = 25
_SEP = r"[/.\-]"
_DMY = re.compile(rf"^(?:(\d{{1,2}}){_SEP})?(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})$")
_YMD = re.compile(rf"^(\d{{4}})(?:{_SEP}(\d{{1,2}})(?:{_SEP}(\d{{1,2}}))?)?$")
_WORDS = re.compile(r"^(?:ngay (\d{1,2}) )?(?:thang (\d{1,2}) )?nam (\d{4})$")


def _year(text: str, pivot: int) -> int:
    if len(text) == 4:
        return int(text)
    short = int(text)
    return 2000 + short if short <= pivot else 1900 + short


def _parts(text: str, pivot: int) -> tuple[int, str | None, str | None] | None:
    compact = re.sub(r"\s+", "", text)
    if match := _YMD.match(compact):
        return int(match.group(1)), match.group(2), match.group(3)
    if match := _DMY.match(compact):
        if len(match.group(3)) == 4 or (match.group(1) and len(match.group(3)) == 2):
            return _year(match.group(3), pivot), match.group(2), match.group(1)
        return None
    if match := _WORDS.match(fold(text)):
        return int(match.group(3)), match.group(2), match.group(1)
    return None


def parse_partial_date(text: str, *, pivot: int = TWO_DIGIT_YEAR_PIVOT) -> PartialDate | None:
    """A full or partial date as legacy files write it, or None when it is none.

    Accepted: ISO ``1990``, ``1990-05``, ``1990-05-21`` (also with / or .), Vietnamese day-first
    ``21/05/1990``, ``21-5-1990``, ``21.05.1990``, ``05/1990``, two-digit years only with a day
    (``21.5.90``, see ``TWO_DIGIT_YEAR_PIVOT``), and "ngày 21 tháng 5 năm 1990". A day-first date
    that cannot exist ("05/21/1990", month first) is None: it is not guessed.

    >>> [str(parse_partial_date(t)) for t in ("21/05/1990", "1990-5-21", "05/1990", "21.5.90")]
    ['1990-05-21', '1990-05-21', '1990-05', '1990-05-21']
    >>> parse_partial_date("Ngày 2 tháng 9 năm 1945"), parse_partial_date("05/21/1990")
    (PartialDate(year=1945, month=9, day=2), None)
    """
    parts = _parts(text.strip(), pivot)
    if parts is None:
        return None
    year, month, day = parts
    try:
        return PartialDate(year, int(month) if month else None, int(day) if day else None)
    except PartialDateError:
        return None


def date_swap(a: PartialDate, b: PartialDate) -> bool:
    """The two full dates differ only by day and month changed places (a frequent keying error:
    weak evidence for the same date, never equality).

    >>> date_swap(PartialDate(1990, 5, 7), PartialDate(1990, 7, 5))
    True
    >>> date_swap(PartialDate(1990, 5, 5), PartialDate(1990, 5, 5))
    False
    """
    if a.day is None or b.day is None or a == b:
        return False
    return a.year == b.year and a.month == b.day and a.day == b.month


# --- Phones -------------------------------------------------------------------------------------

# 11-digit mobile numbers renumbered to 10 digits in 2018 (Ministry of Information and
# Communications): old four-digit prefix -> new three-digit prefix.
OLD_MOBILE_PREFIXES = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037",
    "0168": "038", "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076",
    "0128": "078", "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip
_PHONE_CHARS = re.compile(r"^\+?[\d\s.\-()]+$")
_MOBILE = re.compile(r"^0[35789]\d{8}$")


def _national(digits: str, plus: bool) -> str | None:
    if digits.startswith("0084"):
        digits, plus = digits[2:], True
    if plus or (digits.startswith("84") and len(digits) in (11, 12, 13)):
        # "+84 (0) 91...": the trunk zero is sometimes kept after the country code
        return "0" + digits[2:].removeprefix("0") if digits.startswith("84") else None
    if len(digits) == 9 and digits[0] in "35789":
        return "0" + digits  # a spreadsheet dropped the leading zero
    return digits


def normalise_phone(text: str) -> str | None:
    """A Vietnamese mobile number in the 10-digit national form ``0xxxxxxxxx``, or None.

    Spaces, dots, dashes and brackets are ignored; +84 / 0084 / 84 become 0; a 9-digit number
    gets back the leading zero a spreadsheet dropped; pre-2018 11-digit numbers take their new
    prefix (``OLD_MOBILE_PREFIXES``). Landlines (02x) and foreign numbers give None.

    >>> [normalise_phone(t) for t in ("+84 91 234 5678", "84912345678", "091.234.5678")]
    ['0912345678', '0912345678', '0912345678']
    >>> normalise_phone("(091) 2345678"), normalise_phone("0168 123 4567")
    ('0912345678', '0381234567')
    >>> normalise_phone("+1 202 555 0100"), normalise_phone("024 3823 4567")
    (None, None)
    """
    text = text.strip()
    if not _PHONE_CHARS.match(text):
        return None
    national = _national(re.sub(r"\D", "", text), text.startswith("+"))
    if national is None:
        return None
    if len(national) == 11 and national[:4] in OLD_MOBILE_PREFIXES:
        national = OLD_MOBILE_PREFIXES[national[:4]] + national[4:]
    return national if _MOBILE.match(national) else None
