"""Name and population tables for the synthetic demo population.

Shares follow published figures where they exist: surname shares from the commonly cited
Vietnamese surname distribution (Nguyễn ~38%, Trần ~11%, Lê ~9.5%, ...); ethnic shares from the
2019 Population and Housing Census; blood groups from Vietnamese blood-bank surveys. Given and
middle names are common ones by sex. Every string is NFC.
"""

from __future__ import annotations

SURNAMES: dict[str, float] = {
    "Nguyễn": 38.4, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 4.1, "Huỳnh": 2.0,
    "Phan": 4.5, "Vũ": 2.9, "Võ": 1.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3,
    "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5, "Đinh": 0.8, "Trương": 0.8, "Đào": 0.6, "Mai": 0.5,
    "Lương": 0.5, "Hà": 0.5, "Tạ": 0.3, "Cao": 0.4, "Lâm": 0.4, "Trịnh": 0.5, "Tô": 0.3,
}
MIDDLE = {
    "male": {"Văn": 40, "Hữu": 8, "Đức": 10, "Minh": 10, "Quang": 7, "Công": 6, "Thanh": 6,
             "Ngọc": 4, "Xuân": 4, "Quốc": 5},
    "female": {"Thị": 55, "Ngọc": 9, "Thu": 7, "Thanh": 6, "Minh": 5, "Kim": 5, "Hồng": 5,
               "Phương": 4, "Thùy": 4},
}
GIVEN = {
    "male": ["An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
             "Khánh", "Long", "Minh", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Tuấn", "Việt",
             "Đức", "Trung", "Tâm", "Khoa", "Thành", "Phúc", "Lộc", "Toàn", "Vinh", "Đạt"],
    "female": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan",
               "Linh", "Mai", "Ngọc", "Nhung", "Phương", "Quỳnh", "Thảo", "Trang", "Vân",
               "Yến", "Thủy", "Huyền", "Loan", "Nga", "Oanh", "Tâm", "Thư", "Uyên", "Vy", "Ánh"],
}
# Ethnic group code (GSO list) -> share in % (2019 census).
ETHNICITIES: dict[str, float] = {
    "01": 85.3, "02": 1.9, "03": 1.9, "04": 0.8, "05": 1.4, "06": 1.5, "07": 1.1, "08": 1.5,
    "09": 0.6, "10": 0.4,
}
# Religion code -> share in %; "00" is no religion.
RELIGIONS: dict[str, float] = {"00": 86.3, "01": 4.8, "02": 6.1, "03": 1.0, "04": 1.3, "05": 0.5}
BLOOD_GROUPS: dict[str, float] = {"O": 42.0, "B": 31.0, "A": 21.0, "AB": 6.0}
STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt",
           "Quang Trung", "Hùng Vương", "Điện Biên Phủ", "Phan Chu Trinh", "Nguyễn Huệ",
           "Bạch Đằng", "Lê Duẩn", "Võ Thị Sáu", "Cách Mạng Tháng Tám", "Hoàng Diệu"]
