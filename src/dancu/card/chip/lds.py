"""The card's Logical Data Structure: EF.COM, DG1, DG2 and DG13 (ICAO Doc 9303 Part 10, LDS 1.7).

Every elementary file is a BER-TLV data object in the ISO/IEC 7816-4 sense (ICAO 9303-10 §4.4):
tag octets, a definite length, a value. That is not quite X.690: ICAO writes the LDS version as
tag 0x5F01, a two-octet form of tag number 1 that X.690 calls non-minimal and asn1crypto refuses,
so the thin ``tlv``/``read_tlv`` pair below treats tags as opaque octets (the tests check it
against asn1crypto's encoder wherever both apply). The ASN.1 inside the files (DG13's content,
the SOD, certificates) is built and parsed by asn1crypto. The ISO/IEC 19794-5 facial record in
DG2 is a fixed binary layout, not ASN.1, and is packed with ``struct``.

DG13 is not an ICAO group: it carries the Vietnamese fields "encoded by the identity agency's own
algorithm" (Circular 16/2024 Art 6) in the layout that open readers reverse-engineered from real
cards (see ``dg13``). DG14 and DG15 are deliberately absent: they publish the chip's own public
keys for Chip Authentication and Active Authentication (ICAO 9303-11 §6.2, §6.1), and we have no
chip whose private keys could answer those protocols, so such keys would prove nothing.
"""

from __future__ import annotations

import io
import struct
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, NamedTuple

from asn1crypto import core
from PIL import Image

from dancu.card.data import CardData, Sex
from dancu.kit.errors import InvalidInput
from dancu.kit.partial_date import PartialDate


class ChipFormatError(InvalidInput):
    """Bytes that do not have the structure ICAO 9303-10 (or the DG13 layout) prescribes."""

    code = "card.chip.malformed"


# --- BER-TLV -----------------------------------------------------------------------------------

EF_COM_TAG = 0x60
EF_SOD_TAG = 0x77
DG_TAGS: Mapping[int, int] = {
    1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68,
    9: 0x69, 10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70,
}  # fmt: skip
"""Data group number -> tag of its file (ICAO 9303-10 §4.6.1)."""
DG_NUMBERS: Mapping[int, int] = {tag: number for number, tag in DG_TAGS.items()}


class Tlv(NamedTuple):
    tag: int
    """The tag octets read as one big-endian number: ``0x5F1F``, ``0x7F61``, ``0x61``."""
    value: bytes


def _tag_octets(tag: int) -> bytes:
    octets = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    multi = octets[0] & 0x1F == 0x1F
    continued = all(o & 0x80 for o in octets[1:-1]) and not octets[-1] & 0x80
    if multi != (len(octets) > 1) or (len(octets) > 1 and not continued):
        raise ValueError(f"0x{tag:X} is not a BER-TLV tag (ISO/IEC 7816-4 §5.2)")
    return octets


def _length_octets(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def tlv(tag: int, value: bytes) -> bytes:
    """One BER-TLV data object (ICAO 9303-10 §4.4; ISO/IEC 7816-4 §5.2), definite length."""
    return _tag_octets(tag) + _length_octets(len(value)) + value


def _read_tag(data: bytes) -> tuple[int, int]:
    """(tag, octets used) at the start of ``data``."""
    end = 1
    if data[0] & 0x1F == 0x1F:
        while end < len(data) and data[end] & 0x80:
            end += 1
        end += 1
    if end > len(data):
        raise ChipFormatError("a BER-TLV tag runs past the end of the data")
    return int.from_bytes(data[:end], "big"), end


def _read_length(data: bytes, at: int) -> tuple[int, int]:
    """(length, offset of the value) for the length field at ``at``."""
    if at >= len(data):
        raise ChipFormatError("a BER-TLV object has no length")
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    if count == 0 or count > 4 or at + 1 + count > len(data):
        raise ChipFormatError("a BER-TLV length is indefinite, too long or truncated")
    return int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count


def read_tlv(data: bytes) -> tuple[Tlv, bytes]:
    """The first data object in ``data`` and the bytes after it."""
    if not data:
        raise ChipFormatError("expected a BER-TLV data object, found nothing")
    tag, used = _read_tag(data)
    length, start = _read_length(data, used)
    if start + length > len(data):
        raise ChipFormatError(f"tag 0x{tag:X} claims {length} bytes, {len(data) - start} remain")
    return Tlv(tag, data[start : start + length]), data[start + length :]


def read_one(data: bytes, tag: int) -> bytes:
    """The value of ``data``, which must be exactly one data object with ``tag``."""
    obj, rest = read_tlv(data)
    if obj.tag != tag:
        raise ChipFormatError(f"expected tag 0x{tag:X}, found 0x{obj.tag:X}")
    if rest:
        raise ChipFormatError(f"{len(rest)} unexpected byte(s) after tag 0x{tag:X}")
    return obj.value


def read_children(value: bytes) -> list[Tlv]:
    """The data objects nested in a constructed object's value, in order."""
    children: list[Tlv] = []
    while value:
        child, value = read_tlv(value)
        children.append(child)
    return children


def _child(children: Iterable[Tlv], tag: int, where: str) -> bytes:
    for child in children:
        if child.tag == tag:
            return child.value
    raise ChipFormatError(f"{where} has no data object with tag 0x{tag:X}")


# --- EF.COM ------------------------------------------------------------------------------------

LDS_VERSION = "0107"
UNICODE_VERSION = "040000"


@dataclass(frozen=True)
class EfCom:
    lds_version: str
    unicode_version: str
    data_groups: tuple[int, ...]


def ef_com(data_groups: Iterable[int]) -> bytes:
    """EF.COM (ICAO 9303-10 §4.6.1): LDS version 1.7, Unicode 4.0.0 and the tags of present DGs."""
    numbers = sorted(set(data_groups))
    unknown = [n for n in numbers if n not in DG_TAGS]
    if unknown:
        raise ValueError(f"no such data group: {unknown}")
    tag_list = bytes(DG_TAGS[n] for n in numbers)
    return tlv(
        EF_COM_TAG,
        tlv(0x5F01, LDS_VERSION.encode("ascii"))
        + tlv(0x5F36, UNICODE_VERSION.encode("ascii"))
        + tlv(0x5C, tag_list),
    )


def parse_ef_com(data: bytes) -> EfCom:
    """Read EF.COM back (ICAO 9303-10 §4.6.1); unknown tags in the list are an error."""
    children = read_children(read_one(data, EF_COM_TAG))
    tag_list = _child(children, 0x5C, "EF.COM")
    unknown = [f"0x{t:02X}" for t in tag_list if t not in DG_NUMBERS]
    if unknown:
        raise ChipFormatError(f"EF.COM lists unknown data-group tags {', '.join(unknown)}")
    return EfCom(
        lds_version=_child(children, 0x5F01, "EF.COM").decode("ascii", "replace"),
        unicode_version=_child(children, 0x5F36, "EF.COM").decode("ascii", "replace"),
        data_groups=tuple(DG_NUMBERS[t] for t in tag_list),
    )


# --- DG1: MRZ ----------------------------------------------------------------------------------

TD1_LINE = 30


def dg1(mrz_lines: tuple[str, str, str]) -> bytes:
    """DG1 (ICAO 9303-10 §4.7.1): tag 0x61 wrapping 0x5F1F, the TD1 MRZ as 90 characters."""
    if any(len(line) != TD1_LINE for line in mrz_lines):
        raise ValueError("a TD1 MRZ has three lines of 30 characters")
    text = "".join(mrz_lines)
    if not text.isascii() or not all(c.isdigit() or "A" <= c <= "Z" or c == "<" for c in text):
        raise ValueError("an MRZ holds only A-Z, 0-9 and '<' (ICAO 9303-3)")
    return tlv(DG_TAGS[1], tlv(0x5F1F, text.encode("ascii")))


def parse_dg1(data: bytes) -> tuple[str, str, str]:
    """The three TD1 MRZ lines held in DG1 (ICAO 9303-10 §4.7.1, ICAO 9303-5)."""
    mrz = _child(read_children(read_one(data, DG_TAGS[1])), 0x5F1F, "DG1")
    text = mrz.decode("ascii", "replace")
    if len(text) != 3 * TD1_LINE:
        raise ChipFormatError(f"DG1 holds {len(text)} MRZ characters, a TD1 MRZ has 90")
    return text[:30], text[30:60], text[60:]


# --- DG2: face -------------------------------------------------------------------------------

FORMAT_OWNER_ISO_SC37 = 0x0101
FORMAT_TYPE_FACE = 0x0008
BIOMETRIC_TYPE_FACE = 0x02
_FAC_HEADER = struct.Struct(">4s4sIH")  # ISO/IEC 19794-5:2005 record header, 14 octets
_FACE_INFO = struct.Struct(">IHBBB3sH3s3s")  # facial information block, 20 octets
_IMAGE_INFO = struct.Struct(">BBHHBBHH")  # image information block, 12 octets
_GENDER = {None: 0x00, "M": 0x01, "F": 0x02}
_COLOUR_SPACE = {"RGB": 0x01, "L": 0x03}  # 24-bit RGB, 8-bit greyscale


@dataclass(frozen=True)
class FaceImage:
    jpeg: bytes
    width: int
    height: int
    gender: int
    """ISO/IEC 19794-5 code: 0 unspecified, 1 male, 2 female, 0xFF unknown."""


def facial_record(jpeg: bytes, *, sex: Sex | None = None) -> bytes:
    """An ISO/IEC 19794-5:2005 facial record holding one full-frontal JPEG (ICAO 9303-10 §4.7.2).

    No feature points, pose and expression "unspecified": the photo is a frontal passport-style
    image captured at the counter (source type 2, digital still camera).
    """
    with Image.open(io.BytesIO(jpeg)) as image:
        if image.format != "JPEG":
            raise ValueError(f"the face image must be a JPEG, not {image.format}")
        width, height = image.size
        colour_space = _COLOUR_SPACE.get(image.mode, 0x04)
    image_info = _IMAGE_INFO.pack(0x01, 0x00, width, height, colour_space, 0x02, 0, 0)
    data_length = _FACE_INFO.size + len(image_info) + len(jpeg)
    face_info = _FACE_INFO.pack(
        data_length, 0, _GENDER[sex], 0, 0, b"\0\0\0", 0, b"\0\0\0", b"\0\0\0"
    )
    header = _FAC_HEADER.pack(b"FAC\0", b"010\0", _FAC_HEADER.size + data_length, 1)
    return header + face_info + image_info + jpeg


def parse_facial_record(record: bytes) -> FaceImage:
    """The first face of an ISO/IEC 19794-5:2005 record, with its JPEG exactly as stored."""
    if len(record) < _FAC_HEADER.size + _FACE_INFO.size + _IMAGE_INFO.size:
        raise ChipFormatError("the facial record is too short")
    magic, version, length, faces = _FAC_HEADER.unpack_from(record)
    if magic != b"FAC\0" or version != b"010\0":
        raise ChipFormatError("not an ISO/IEC 19794-5:2005 facial record")
    if length != len(record) or faces < 1:
        raise ChipFormatError("the facial record's length or face count is wrong")
    data_length, points, gender, *_ = _FACE_INFO.unpack_from(record, _FAC_HEADER.size)
    info_at = _FAC_HEADER.size + _FACE_INFO.size + 8 * points
    image_at = info_at + _IMAGE_INFO.size
    end = _FAC_HEADER.size + data_length
    if end > len(record) or image_at > end:
        raise ChipFormatError("the facial record's data length runs past its end")
    _, image_type, width, height, *_ = _IMAGE_INFO.unpack_from(record, info_at)
    if image_type != 0x00:
        raise ChipFormatError(f"face image data type {image_type} is not JPEG")
    return FaceImage(jpeg=record[image_at:end], width=width, height=height, gender=gender)


def dg2(jpeg: bytes, *, sex: Sex | None = None) -> bytes:
    """DG2 (ICAO 9303-10 §4.7.2): one biometric information template holding the face record.

    Biometric header template: ICAO header version 1.1, biometric type "facial features",
    format owner ISO/IEC JTC 1/SC 37 (0x0101) and format type 0x0008 (ISO/IEC 19794-5 face).
    """
    header_template = tlv(
        0xA1,
        tlv(0x80, b"\x01\x01")
        + tlv(0x81, bytes([BIOMETRIC_TYPE_FACE]))
        + tlv(0x87, FORMAT_OWNER_ISO_SC37.to_bytes(2, "big"))
        + tlv(0x88, FORMAT_TYPE_FACE.to_bytes(2, "big")),
    )
    template = tlv(0x7F60, header_template + tlv(0x5F2E, facial_record(jpeg, sex=sex)))
    group = tlv(0x7F61, tlv(0x02, b"\x01") + template)
    return tlv(DG_TAGS[2], group)


def parse_dg2(data: bytes) -> FaceImage:
    """The face held in DG2's first biometric information template (ICAO 9303-10 §4.7.2)."""
    group = read_children(read_one(data, DG_TAGS[2]))
    templates = read_children(_child(group, 0x7F61, "DG2"))
    count = int.from_bytes(_child(templates, 0x02, "DG2 template group"), "big")
    if count < 1:
        raise ChipFormatError("DG2 holds no biometric template")
    template = read_children(_child(templates, 0x7F60, "DG2 template group"))
    header = read_children(_child(template, 0xA1, "DG2 template"))
    owner = int.from_bytes(_child(header, 0x87, "DG2 header"), "big")
    kind = int.from_bytes(_child(header, 0x88, "DG2 header"), "big")
    if (owner, kind) != (FORMAT_OWNER_ISO_SC37, FORMAT_TYPE_FACE):
        raise ChipFormatError(f"DG2 format 0x{owner:04X}/0x{kind:04X} is not an ISO face")
    return parse_facial_record(_child(template, 0x5F2E, "DG2 template"))


# --- DG13: Vietnamese fields -------------------------------------------------------------------

DG13_VERSION = 1
DG13_OID = "1.0.10646.1.0.8"
"""The OID real cards carry in DG13 as decoded by open readers
[NghiaLio/NFC_CCCD_Reader nfc_dg13_parser.dart]. Its arc is ISO/IEC 10646 (the UCS), and
1.0.10646.1.0.8 is the identifier of the UTF-8 transfer syntax, so we read it as "the values are
UTF-8"; we reuse it, rather than invent a private arc, so that the same readers accept our chips."""

DG13_FIELDS: Mapping[int, str] = {
    1: "id_number", 2: "full_name", 3: "birth_date", 4: "sex", 5: "nationality",
    6: "ethnicity", 7: "religion", 8: "hometown", 9: "residence", 10: "identifying_marks",
    11: "issue_date", 12: "expiry_date", 15: "old_id_number",
}  # fmt: skip
"""Field number -> name for the single-string fields (13 = parents, 14 = spouse are lists)."""
NO_EXPIRY = "Không thời hạn"
_SEX_TEXT = {"M": "Nam", "F": "Nữ"}


class _Names(core.SequenceOf):
    _child_spec = core.UTF8String


class _Dg13Field(core.Sequence):
    _fields: ClassVar[list[tuple[Any, ...]]] = [("number", core.Integer), ("value", core.Any)]


class _Dg13Fields(core.SetOf):
    _child_spec = _Dg13Field


class _Dg13(core.Sequence):
    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("encoding", core.ObjectIdentifier),
        ("fields", _Dg13Fields),
    ]


def _date_text(value: date | PartialDate) -> str:
    """Dates as printed on the card: dd/mm/yyyy, or mm/yyyy and yyyy when only part is known."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    parts = [f"{value.day:02d}"] if value.day else []
    parts += [f"{value.month:02d}"] if value.month else []
    return "/".join([*parts, f"{value.year:04d}"])


def _dg13_texts(card: CardData) -> dict[int, str | None]:
    return {
        1: card.id_number,
        2: card.full_name,
        3: _date_text(card.birth_date),
        4: _SEX_TEXT[card.sex],
        5: card.nationality_name,
        6: card.ethnicity,
        7: card.religion,
        8: card.hometown,
        9: card.residence,
        10: card.identifying_marks,
        11: _date_text(card.issue_date),
        12: _date_text(card.expiry_date) if card.expiry_date else NO_EXPIRY,
        15: card.old_id_number,
    }


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def dg13(card: CardData) -> bytes:
    """DG13 (tag 0x6D): the Vietnamese fields, numbered 1..15, as read from real cards.

    ``SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET OF SEQUENCE { INTEGER n, value } }``; each
    value is a UTF8String except 13 (SEQUENCE OF father, mother) and 14 (SEQUENCE OF spouse). An
    unknown value is left out rather than written empty, as on real cards. Field 16 is not
    written: its meaning is unconfirmed (facts §7 item 2). Not an ICAO group (9303-10 §4.7.13
    leaves DG13 to the issuer's "optional details").
    """
    fields: list[dict[str, object]] = [
        {"number": n, "value": core.UTF8String(_nfc(text))}
        for n, text in _dg13_texts(card).items()
        if text
    ]
    if card.father_name or card.mother_name:
        parents = _Names([_nfc(card.father_name), _nfc(card.mother_name)])
        fields.append({"number": 13, "value": parents})
    if card.spouse_name:
        fields.append({"number": 14, "value": _Names([_nfc(card.spouse_name)])})
    content = _Dg13({"version": DG13_VERSION, "encoding": DG13_OID, "fields": fields})
    return tlv(DG_TAGS[13], content.dump())


def _dg13_value(number: int, value: core.Any) -> dict[str, str]:
    if number in (13, 14):
        names: list[str] = value.parse(_Names).native
        keys = ("father_name", "mother_name") if number == 13 else ("spouse_name",)
        return {key: name for key, name in zip(keys, names, strict=False) if name}
    parsed = value.parse()
    if not isinstance(parsed, core.AbstractString):
        raise ChipFormatError(f"DG13 field {number} is not a string")
    text: str = parsed.native
    return {DG13_FIELDS.get(number, f"field_{number}"): text}


def parse_dg13(data: bytes) -> dict[str, str]:
    """DG13 read back: field name (see ``DG13_FIELDS``; ``father_name``, ``mother_name``,
    ``spouse_name``; ``field_<n>`` for numbers we do not know) -> text as stored."""
    try:
        content = _Dg13.load(read_one(data, DG_TAGS[13]), strict=True)
        numbered: list[tuple[int, core.Any]] = [
            (field["number"].native, field["value"]) for field in content["fields"]
        ]
        version: int = content["version"].native
        result: dict[str, str] = {}
        for number, value in sorted(numbered, key=lambda item: item[0]):
            result.update(_dg13_value(number, value))
    except (ValueError, TypeError) as exc:
        raise ChipFormatError(f"DG13 does not parse: {exc}") from None
    if version != DG13_VERSION:
        raise ChipFormatError(f"DG13 version {version} is not {DG13_VERSION}")
    return result
