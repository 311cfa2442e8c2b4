"""Lists that sort by a name sort in Vietnamese alphabetical order, on PostgreSQL (ICU) and SQLite alike."""

import pytest
from django.test import Client

from procedures import selectors
from procedures.collation import sort_key
from tests.factories import ProcedureVersionFactory, SectorFactory

# ICU's ``vi`` order (PostgreSQL 15): letters a ă â … d đ …, then the tones, then the case.
IN_ORDER = [
    "a", "à", "ả", "ã", "á", "ạ", "ă", "â", "b", "Da", "Dân cư", "đa", "Đất đai",
    "O", "Ô tô", "Ơ", "u", "ư", "v", "Văn bằng", "Xây dựng",
]  # fmt: skip


def test_the_sort_key_puts_words_in_vietnamese_dictionary_order() -> None:
    assert sorted(reversed(IN_ORDER), key=sort_key) == IN_ORDER


@pytest.mark.django_db
def test_sectors_are_listed_in_vietnamese_order() -> None:
    for number, name in enumerate(reversed(IN_ORDER)):
        SectorFactory(code=f"S{number}", name=name)

    assert [sector.name for sector in selectors.sectors()] == IN_ORDER


@pytest.mark.django_db
def test_the_home_page_lists_dat_dai_before_van_bang() -> None:
    for name in ("Văn bằng", "Xây dựng", "Đất đai"):
        ProcedureVersionFactory(published=True, sector=SectorFactory(name=name))

    page = Client().get("/").content.decode()

    assert page.index("Đất đai") < page.index("Văn bằng") < page.index("Xây dựng")


@pytest.mark.django_db
def test_procedures_are_found_in_vietnamese_order_by_name() -> None:
    for name in ("Đăng ký kết hôn", "Cấp bản sao văn bằng", "Đổi giấy phép lái xe", "Đăng ký khai sinh"):
        ProcedureVersionFactory(published=True, name=name)

    assert [version.name for version in selectors.published_versions()] == [
        "Cấp bản sao văn bằng",
        "Đăng ký kết hôn",
        "Đăng ký khai sinh",
        "Đổi giấy phép lái xe",
    ]
