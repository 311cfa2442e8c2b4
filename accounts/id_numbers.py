"""The citizen ID number (số định danh cá nhân, on the căn cước / CCCD card): 12 digits, of which the first three
are the code of the province where the citizen's birth was registered.

Source: Circular 07/2016/TT-BCA, Appendix (mã tỉnh, thành phố trực thuộc trung ương), carried over by Circular
59/2021/TT-BCA, Article 7; the codes are those of the administrative units of Decision 124/2004/QĐ-TTg. The merger
of provinces in 2025 (Resolution 202/2025/QH15: 63 provinces become 34) gave the 34 new provinces the codes of
provinces kept by name, and issued numbers never change: a card issued before the merger keeps its old code (for
instance 002 Hà Giang, now part of Tuyên Quang). So every code ever issued stays valid, and the list is the 63.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

WRONG_LENGTH = _("The citizen ID number has 12 digits.")
WRONG_PROVINCE = _(
    "The first three digits of a citizen ID number are a province's code (001 Hà Nội … 096 Cà Mau); check the number on the card."
)


def id_number_problem(value: str) -> tuple[str, str] | None:
    """What is wrong with ``value`` as a citizen ID number, as (message, code), or None."""
    if not (value.isascii() and value.isdigit() and len(value) == 12):
        return str(WRONG_LENGTH), "invalid_id_number"
    if value[:3] not in PROVINCE_CODES:
        return str(WRONG_PROVINCE), "invalid_id_number_province"
    return None


def validate_id_number(value: str) -> None:
    """A form field's validator (the applicant's form, the counter's identity check)."""
    problem = id_number_problem(value)
    if problem is not None:
        raise ValidationError(problem[0], code=problem[1])
