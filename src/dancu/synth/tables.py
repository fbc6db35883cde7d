"""Frequency tables for the synthetic nation. Every string is NFC; every weight is a share in %
(or a relative weight) and is normalised where used.

Sources, so the figures can be checked and replaced:
- Surnames: the commonly cited Vietnamese surname distribution (Nguyễn ~38%, Trần ~11%, Lê ~9.5%,
  Phạm ~7%, ...). Ethnic-minority surname lists are the common clan names of each group.
- Age and sex: 2019 Population and Housing Census (GSO, final results, Dec 2019): 96,208,984
  people, 49.8% male; 0-14 = 24.3%, 15-64 = 68.0%, 65+ = 7.7%. The split into 5-year bands below
  follows the census pyramid's shape but is rounded by hand (⚠ not copied from the census tables),
  constrained to those three published totals.
- Ethnicity: 2019 census shares (Kinh 85.3%, Tày 1.9, Thái 1.9, Mường 1.5, HMông 1.5, Khmer 1.4,
  Nùng 1.1, Dao 0.9, Hoa 0.8, ...); codes are the GSO codes of ethnicities.csv.
- Religion: 2019 census (no religion 86.3%, Catholic 6.1, Buddhist 4.8, Protestant 1.0,
  Hòa Hảo 1.0, Cao Đài 0.6, others < 0.2); codes of religions.csv.
- Blood groups: Vietnamese blood-bank surveys (O ~42, B ~31, A ~21, AB ~6).
- Province populations: the 34 provinces after Resolution 202/2025/QH15, population as published
  with the merger (press tables of mid-2025 built from NSO 2024 averages, e.g. landviet.com.vn
  "Dân số 34 tỉnh thành Việt Nam năm 2025"; ⚠ secondary source, rounded to thousands).
- Households: 2019 census, 26.9 million households, 3.5 persons per household on average.
"""

from __future__ import annotations

from typing import Final

SURNAMES: Final[dict[str, float]] = {
    "Nguyễn": 38.4,
    "Trần": 11.0,
    "Lê": 9.5,
    "Phạm": 7.1,
    "Hoàng": 4.1,
    "Huỳnh": 2.0,
    "Phan": 4.5,
    "Vũ": 2.9,
    "Võ": 1.9,
    "Đặng": 2.1,
    "Bùi": 2.0,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1.0,
    "Lý": 0.5,
    "Đinh": 0.8,
    "Trương": 0.8,
    "Đào": 0.6,
    "Mai": 0.5,
    "Lương": 0.5,
    "Hà": 0.5,
    "Tạ": 0.3,
    "Cao": 0.4,
    "Lâm": 0.4,
    "Trịnh": 0.5,
    "Tô": 0.3,
    "Châu": 0.2,
    "Thái": 0.2,
    "Kiều": 0.1,
    "Văn": 0.1,
    "Đoàn": 0.4,
    "Vương": 0.2,
    "Nghiêm": 0.1,
    "Triệu": 0.2,
}
# Clan names of some minority groups (GSO ethnicity code -> surname weights); others use SURNAMES.
ETHNIC_SURNAMES: Final[dict[str, dict[str, float]]] = {
    "02": {
        "Hoàng": 25,
        "Nông": 20,
        "Lương": 12,
        "Ma": 10,
        "Hà": 10,
        "Đàm": 8,
        "Lục": 8,
        "Triệu": 7,
    },
    "03": {"Lò": 25, "Cầm": 15, "Lường": 20, "Quàng": 12, "Vi": 10, "Tòng": 10, "Hà": 8},
    "05": {"Thạch": 30, "Sơn": 20, "Danh": 20, "Kim": 15, "Lâm": 10, "Châu": 5},
    "07": {"Nông": 25, "Hoàng": 20, "Lý": 15, "Lăng": 15, "Vy": 15, "Chu": 10},
    "08": {"Giàng": 22, "Vàng": 20, "Sùng": 15, "Lý": 12, "Thào": 12, "Mùa": 10, "Hờ": 9},
    "09": {"Triệu": 35, "Bàn": 30, "Lý": 20, "Đặng": 15},
}
MIDDLE: Final[dict[str, dict[str, float]]] = {
    "male": {
        "Văn": 40,
        "Hữu": 8,
        "Đức": 10,
        "Minh": 10,
        "Quang": 7,
        "Công": 6,
        "Thanh": 6,
        "Ngọc": 4,
        "Xuân": 4,
        "Quốc": 5,
        "Gia": 4,
        "Tuấn": 3,
        "Trọng": 3,
    },
    "female": {
        "Thị": 55,
        "Ngọc": 9,
        "Thu": 7,
        "Thanh": 6,
        "Minh": 5,
        "Kim": 5,
        "Hồng": 5,
        "Phương": 4,
        "Thùy": 4,
        "Bảo": 3,
        "Khánh": 3,
        "Mai": 3,
    },
}
# Văn / Thị were near-universal for people born before the 1980s and much rarer since: the
# weight of the first middle name above is multiplied by this for each birth era.
TRADITIONAL_MIDDLE_FACTOR: Final[dict[str, float]] = {"before_1980": 2.5, "since_1980": 0.5}
GIVEN: Final[dict[str, tuple[str, ...]]] = {
    "male": (
        "An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
        "Long", "Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Đức", "Trung",
        "Tâm", "Khoa", "Thành", "Phúc", "Lộc", "Toàn", "Vinh", "Đạt", "Bảo", "Khang", "Kiên",
        "Nghĩa", "Tùng", "Thịnh", "Hậu", "Tài", "Quý", "Hưng",
    ),
    "female": (
        "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh",
        "Mai", "Ngọc", "Nhung", "Phương", "Quỳnh", "Thảo", "Trang", "Vân", "Yến", "Thủy",
        "Huyền", "Loan", "Nga", "Oanh", "Tâm", "Thư", "Uyên", "Vy", "Ánh", "Hiền", "Hồng",
        "Liên", "My", "Nhi", "Tuyết", "Trinh", "Xuân", "Diệp", "Châu",
    ),
}  # fmt: skip

# 2019 census age structure by 5-year band (lower bound of the band -> % of the population; the
# last band is 80+). Sums to 100: 0-14 = 24.3, 15-64 = 68.0, 65+ = 7.7.
AGE_BANDS: Final[dict[int, float]] = {
    0: 8.0, 5: 8.6, 10: 7.7, 15: 6.7, 20: 6.8, 25: 8.0, 30: 8.4, 35: 7.9, 40: 7.4, 45: 6.8,
    50: 6.2, 55: 5.5, 60: 4.3, 65: 2.9, 70: 1.8, 75: 1.2, 80: 1.8,
}  # fmt: skip
OLDEST: Final = 100
# Share of the people of a band who head a household (shapes the heads' age distribution; the
# other members' ages follow from the heads' through the family structure).
HEADSHIP: Final[dict[int, float]] = {
    20: 0.05, 25: 0.2, 30: 0.34, 35: 0.4, 40: 0.44, 45: 0.46, 50: 0.47, 55: 0.46, 60: 0.44,
    65: 0.42, 70: 0.38, 75: 0.32, 80: 0.25,
}  # fmt: skip
MALE_HEAD_SHARE: Final = 0.72

ETHNICITIES: Final[dict[str, float]] = {
    "01": 85.32, "02": 1.92, "03": 1.89, "06": 1.52, "08": 1.50, "05": 1.38, "07": 1.15,
    "09": 0.93, "04": 0.78, "10": 0.54, "12": 0.41, "13": 0.30, "14": 0.22, "16": 0.22,
    "17": 0.19, "18": 0.19, "15": 0.21, "19": 0.15, "20": 0.13,
}  # fmt: skip
# Where the larger minorities live (current province codes); a group's members are spread over
# its home provinces in proportion to their population, 10% of them anywhere.
ETHNIC_HOMES: Final[dict[str, tuple[str, ...]]] = {
    "02": ("04", "08", "19", "20", "15"),
    "03": ("14", "11", "12", "38", "40"),
    "06": ("25", "38", "37"),
    "08": ("08", "15", "11", "12", "14"),
    "05": ("92", "86", "91", "96"),
    "07": ("20", "04", "08", "19"),
    "09": ("08", "15", "04", "22"),
    "04": ("79", "92", "91"),
    "10": ("52",),
    "12": ("66",),
    "13": ("52", "51"),
    "14": ("51",),
    "16": ("68",),
    "17": ("56", "91"),
}
ETHNIC_SPREAD: Final = 0.10

RELIGIONS: Final[dict[str, float]] = {
    "00": 86.3, "02": 6.1, "01": 4.8, "03": 1.0, "05": 1.0, "04": 0.6, "06": 0.07, "08": 0.05,
    "07": 0.01,
}  # fmt: skip
KHMER_BUDDHIST: Final = 0.9  # Khmer households: Theravada Buddhism is the norm
BLOOD_GROUPS: Final[dict[str, float]] = {"O": 42.0, "B": 31.0, "A": 21.0, "AB": 6.0}

# Current province code -> population (thousands).
PROVINCE_POPULATION: Final[dict[str, int]] = {
    "01": 8808, "04": 548, "08": 1865, "11": 646, "12": 489, "14": 1313, "15": 1779,
    "19": 1799, "20": 807, "22": 1381, "24": 3619, "25": 4023, "31": 4664, "33": 3568,
    "37": 4412, "38": 4325, "40": 3832, "42": 1324, "44": 1871, "46": 1167, "48": 3066,
    "51": 2162, "52": 3584, "56": 2244, "66": 3347, "68": 3873, "75": 4491, "79": 14003,
    "80": 3254, "82": 4370, "86": 4258, "91": 4952, "92": 4200, "96": 2607,
}  # fmt: skip
# Relative weight of one commune of each kind within its province. 687 phường hold ~38% of the
# people (urban share) and 2,621 xã ~62%, so a phường holds ~2.3x a xã on average.
COMMUNE_KIND_WEIGHT: Final[dict[str, float]] = {"phường": 2.3, "xã": 1.0, "đặc khu": 0.5}
# Share of people whose birth was registered in a province other than where they now live.
MIGRANT_SHARE: Final = 0.15
TEMPORARY_SHARE: Final = 0.065  # adults 18-64 with a temporary residence in another commune
OLD_ID_SHARE: Final = 0.7  # adults born before 1995 holding a 9-digit CMND number
EMAIL_SHARE: Final = 0.35  # adults under 50
PHONE_PREFIXES: Final[dict[str, float]] = {"09": 35, "03": 30, "08": 15, "07": 12, "05": 8}
EMAIL_DOMAINS: Final[dict[str, float]] = {"gmail.com": 80, "yahoo.com": 10, "outlook.com": 10}

STREETS: Final[tuple[str, ...]] = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
    "Hùng Vương", "Điện Biên Phủ", "Phan Chu Trinh", "Nguyễn Huệ", "Bạch Đằng", "Lê Duẩn",
    "Võ Thị Sáu", "Cách Mạng Tháng Tám", "Hoàng Diệu", "Trần Phú", "Nguyễn Du", "Lê Thánh Tông",
    "Phan Đình Phùng", "Ngô Quyền", "Lý Thái Tổ", "Nguyễn Văn Cừ", "Tôn Đức Thắng", "Pasteur",
)  # fmt: skip
# What a rural hamlet is called: bản in the north-west mountains, ấp in the south, thôn elsewhere.
HAMLET_WORD: Final[dict[str, str]] = {
    **dict.fromkeys(("11", "12", "14", "15"), "Bản"),
    **dict.fromkeys(("75", "79", "80", "82", "86", "91", "92", "96"), "Ấp"),
}
DEFAULT_HAMLET_WORD: Final = "Thôn"
