"""EF.COM, DG1, DG2 and DG13: exact ICAO bytes, read back by our parsers and by peers
(asn1crypto's BER parser for the TLV structure, pyasn1 for DG13, Pillow for the JPEG)."""

from __future__ import annotations

import io
import struct
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from asn1crypto import parser as asn1_parser
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.type import char, univ

from dancu.card.chip.lds import (
    DG13_OID,
    NO_EXPIRY,
    ChipFormatError,
    dg1,
    dg2,
    dg13,
    ef_com,
    facial_record,
    parse_dg1,
    parse_dg2,
    parse_dg13,
    parse_ef_com,
    read_children,
    read_one,
    read_tlv,
    tlv,
)
from dancu.kit.partial_date import PartialDate
from tests.card.test_chip_sod import SAMPLE_MRZ, sample_card, small_jpeg

# --- BER-TLV -----------------------------------------------------------------------------------


def _tag_of(class_: int, method: int, number: int) -> int:
    return int.from_bytes(asn1_parser.emit(class_, method, number, b"")[:-1], "big")


@given(
    class_=st.integers(0, 3),
    method=st.integers(0, 1),
    number=st.integers(0, 20000),
    value=st.binary(max_size=70000),
)
def test_tlv_encodes_as_asn1crypto_does_and_reads_back(
    class_: int, method: int, number: int, value: bytes
) -> None:
    tag = _tag_of(class_, method, number)
    encoded = tlv(tag, value)
    assert encoded == asn1_parser.emit(class_, method, number, value)
    assert read_tlv(encoded + b"rest") == ((tag, value), b"rest")


def test_tlv_writes_icaos_two_octet_form_of_tag_one() -> None:
    # 0x5F01 (LDS version) is tag number 1 in the long form: ICAO uses it, X.690 calls it
    # non-minimal, so asn1crypto cannot write it and we must.
    assert tlv(0x5F01, b"0107") == bytes.fromhex("5F0104") + b"0107"
    assert read_one(tlv(0x5F01, b"0107"), 0x5F01) == b"0107"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x61", b"\x61\x05abc", b"\x61\x80\x00\x00", b"\x5f", b"\x61\x85\x00\x00\x00\x00\x01"],
)
def test_read_tlv_refuses_malformed_objects(data: bytes) -> None:
    with pytest.raises(ChipFormatError):
        read_tlv(data)


def test_tlv_refuses_a_number_that_is_not_a_tag() -> None:
    with pytest.raises(ValueError):
        tlv(0x5F, b"")  # says "more tag octets follow" and has none


def test_read_one_refuses_another_tag_or_trailing_bytes() -> None:
    with pytest.raises(ChipFormatError, match="expected tag"):
        read_one(tlv(0x61, b""), 0x75)
    with pytest.raises(ChipFormatError, match="unexpected"):
        read_one(tlv(0x61, b"") + b"\x00", 0x61)


# --- EF.COM ------------------------------------------------------------------------------------


def test_ef_com_bytes_are_icao_lds_1_7() -> None:
    expected = bytes.fromhex(
        "6015" "5F0104" "30313037" "5F3606" "303430303030" "5C03" "61756D"
    )  # fmt: skip
    assert ef_com([13, 1, 2]) == expected
    com = parse_ef_com(expected)
    assert (com.lds_version, com.unicode_version, com.data_groups) == ("0107", "040000", (1, 2, 13))


def test_ef_com_refuses_unknown_data_groups() -> None:
    with pytest.raises(ValueError):
        ef_com([1, 17])
    with pytest.raises(ChipFormatError, match="0x99"):
        parse_ef_com(tlv(0x60, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") + tlv(0x5C, b"\x99")))


# --- DG1 -------------------------------------------------------------------------------------


def test_dg1_wraps_the_ninety_mrz_characters() -> None:
    data = dg1(SAMPLE_MRZ)
    assert data == bytes.fromhex("615D5F1F5A") + "".join(SAMPLE_MRZ).encode("ascii")
    assert parse_dg1(data) == SAMPLE_MRZ


@pytest.mark.parametrize(
    "lines",
    [
        (SAMPLE_MRZ[0], SAMPLE_MRZ[1], SAMPLE_MRZ[2][:-1]),
        (SAMPLE_MRZ[0], SAMPLE_MRZ[1], "ung<<hoang<hiep<<<<<<<<<<<<<<<"),
        (SAMPLE_MRZ[0], SAMPLE_MRZ[1], "ƯNG<<HOANG<HIEP<<<<<<<<<<<<<<<"),
    ],
)
def test_dg1_refuses_what_is_not_a_td1_mrz(lines: tuple[str, str, str]) -> None:
    with pytest.raises(ValueError):
        dg1(lines)


# --- DG2 -------------------------------------------------------------------------------------


def test_dg2_tlv_structure_read_by_asn1crypto() -> None:
    jpeg = small_jpeg((60, 80))
    data = dg2(jpeg, sex="F")

    def children(contents: bytes) -> list[tuple[int, bytes]]:
        found = []
        while contents:
            class_, method, number, header, value, _ = asn1_parser.parse(contents)
            found.append((_tag_of(class_, method, number), value))
            contents = contents[len(header) + len(value) :]
        return found

    ((tag, group),) = children(data)
    assert tag == 0x75
    (bigt,) = [value for tag, value in children(group) if tag == 0x7F61]
    items = dict(children(bigt))
    assert items[0x02] == b"\x01"
    template = dict(children(items[0x7F60]))
    header = dict(children(template[0xA1]))
    assert header[0x87] == b"\x01\x01"  # format owner ISO/IEC JTC 1/SC 37
    assert header[0x88] == b"\x00\x08"  # ISO/IEC 19794-5 face
    assert header[0x81] == b"\x02"  # facial features
    assert template[0x5F2E] == facial_record(jpeg, sex="F")


def test_facial_record_is_iso_19794_5_2005() -> None:
    jpeg = small_jpeg((60, 80))
    record = facial_record(jpeg, sex="F")
    assert record[:8] == b"FAC\x00010\x00"
    length, faces = struct.unpack(">IH", record[8:14])
    assert (length, faces) == (len(record), 1)
    block_length, points, gender = struct.unpack(">IHB", record[14:21])
    assert (block_length, points, gender) == (len(record) - 14, 0, 2)
    image_type, data_type, width, height = struct.unpack(">BBHH", record[34:40])
    assert (image_type, data_type, width, height) == (1, 0, 60, 80)  # full frontal, JPEG
    assert record[46:] == jpeg


def test_dg2_gives_the_jpeg_back_unchanged() -> None:
    jpeg = small_jpeg((33, 47))
    face = parse_dg2(dg2(jpeg, sex="M"))
    assert face.jpeg == jpeg
    assert (face.width, face.height, face.gender) == (33, 47, 1)
    with Image.open(io.BytesIO(face.jpeg)) as image:
        assert image.format == "JPEG" and image.size == (33, 47)


def test_dg2_refuses_an_image_that_is_not_jpeg() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    with pytest.raises(ValueError, match="JPEG"):
        dg2(buffer.getvalue())


def test_parse_dg2_refuses_a_damaged_facial_record() -> None:
    data = bytearray(dg2(small_jpeg()))
    at = data.index(b"FAC\x00")
    data[at + 1] = ord("X")
    with pytest.raises(ChipFormatError, match="19794-5"):
        parse_dg2(bytes(data))


# --- DG13 ------------------------------------------------------------------------------------


def test_dg13_layout_read_by_pyasn1() -> None:
    card = replace(sample_card(), spouse_name="Lê Thị Thu")
    value, rest = der_decoder.decode(read_one(dg13(card), 0x6D))
    assert not rest
    assert int(value[0]) == 1
    assert value[1] == univ.ObjectIdentifier(DG13_OID)
    fields = {int(item[0]): item[1] for item in value[2]}
    assert sorted(fields) == list(range(1, 16))
    assert isinstance(fields[2], char.UTF8String)
    assert str(fields[1]) == "001093047064"
    assert str(fields[2]) == "Ưng Hoàng Hiệp"
    assert str(fields[3]) == "05/01/1993"
    assert str(fields[4]) == "Nam"
    assert str(fields[12]) == "05/01/2033"
    assert [str(name) for name in fields[13]] == ["Ưng Văn Hùng", "Nguyễn Thị Lan"]
    assert [str(name) for name in fields[14]] == ["Lê Thị Thu"]
    assert str(fields[15]) == "012345678"


def test_dg13_reads_back_into_named_fields() -> None:
    card = replace(sample_card(), spouse_name="Lê Thị Thu")
    assert parse_dg13(dg13(card)) == {
        "id_number": "001093047064",
        "full_name": "Ưng Hoàng Hiệp",
        "birth_date": "05/01/1993",
        "sex": "Nam",
        "nationality": "Việt Nam",
        "ethnicity": "Kinh",
        "religion": "Không",
        "hometown": "Xã Đông Hội, Huyện Đông Anh, Thành phố Hà Nội",
        "residence": "Số 12 Lý Thường Kiệt, Phường Hoàn Kiếm, Thành phố Hà Nội",
        "identifying_marks": "Nốt ruồi C:1cm trên trước đầu lông mày phải",
        "issue_date": "05/01/2021",
        "expiry_date": "05/01/2033",
        "father_name": "Ưng Văn Hùng",
        "mother_name": "Nguyễn Thị Lan",
        "spouse_name": "Lê Thị Thu",
        "old_id_number": "012345678",
    }


def test_dg13_leaves_unknown_values_out_and_writes_partial_dates_as_known() -> None:
    card = replace(
        sample_card(),
        birth_date=PartialDate(1957, 3),
        sex="F",
        expiry_date=None,
        old_id_number=None,
        religion=None,
        identifying_marks=None,
        father_name=None,
        mother_name="Trần Thị Bích",
    )
    fields = parse_dg13(dg13(card))
    assert fields["birth_date"] == "03/1957"
    assert fields["sex"] == "Nữ"
    assert fields["expiry_date"] == NO_EXPIRY
    assert fields["mother_name"] == "Trần Thị Bích"
    assert not {"old_id_number", "religion", "identifying_marks", "father_name"} & set(fields)
    year_only = parse_dg13(dg13(replace(card, birth_date=PartialDate(1957))))
    assert year_only["birth_date"] == "1957"


def test_dg13_stores_nfc_text() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Minh Khai")
    fields = parse_dg13(dg13(replace(sample_card(), full_name=decomposed)))
    assert fields["full_name"] == unicodedata.normalize("NFC", decomposed)


def test_parse_dg13_refuses_another_version() -> None:
    data = bytearray(dg13(sample_card()))
    version_at = data.index(b"\x02\x01\x01")
    data[version_at + 2] = 2
    with pytest.raises(ChipFormatError, match="version"):
        parse_dg13(bytes(data))


def test_parse_dg13_refuses_garbage() -> None:
    with pytest.raises(ChipFormatError):
        parse_dg13(tlv(0x6D, b"\x30\x03\x02\x01"))


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200)


@given(residence=_text, hometown=_text, issued=st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_dg13_round_trips_any_text(residence: str, hometown: str, issued: date) -> None:
    card = replace(sample_card(), residence=residence, hometown=hometown, issue_date=issued)
    fields = parse_dg13(dg13(card))
    assert fields["residence"] == unicodedata.normalize("NFC", residence)
    assert fields["hometown"] == unicodedata.normalize("NFC", hometown)
    assert fields["issue_date"] == issued.strftime("%d/%m/%Y")


def test_read_children_walks_a_constructed_value() -> None:
    value = tlv(0x80, b"\x01") + tlv(0x5F2E, b"abc") + tlv(0x7F60, tlv(0x81, b""))
    assert [child.tag for child in read_children(value)] == [0x80, 0x5F2E, 0x7F60]
