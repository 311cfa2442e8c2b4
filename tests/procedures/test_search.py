"""Catalogue search: case and Vietnamese diacritics ignored, "đ" included, every word required, on both databases."""

from typing import Any

import pytest
from django.db import connection

from procedures.collation import sort_key
from procedures.constants import ProcedureLevel
from procedures.filters import ProcedureFilter
from procedures.models import Procedure, ProcedureVersion
from procedures.selectors import published_versions, search_published
from tests.factories import (
    AgencyFactory,
    ProcedureFactory,
    ProcedureVersionFactory,
    SectorFactory,
)

NAMES = {
    "1.001193": "Đăng ký khai sinh",
    "1.000894": "Đăng ký kết hôn",
    "1.001022": "Đăng ký khai tử",
    "1.009994": "Cấp giấy phép xây dựng công trình đường bộ",
    "2.000488": "Cấp Phiếu lý lịch tư pháp",
    "2.001234": "Cấp phép sử dụng điểm ĐỖ XE",
    "3.000111": "Xác nhận tình trạng hôn nhân cho ông Đỗ",
}


@pytest.fixture
def catalogue(db: Any) -> dict[str, ProcedureVersion]:
    """One published version a procedure, by code."""
    return {
        code: ProcedureVersionFactory(
            published=True, procedure=ProcedureFactory(code=code), number=1, name=name, content=False
        )
        for code, name in NAMES.items()
    }


def codes(queryset: Any) -> set[str]:
    return {version.procedure.code for version in queryset}


def found(query: str) -> set[str]:
    return codes(search_published(query=query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("dang ky khai sinh", {"1.001193"}, id="without diacritics"),
        pytest.param("Đăng ký khai sinh", {"1.001193"}, id="as written"),
        pytest.param("DANG KY", {"1.001193", "1.000894", "1.001022"}, id="upper case"),
        pytest.param("đăng ký", {"1.001193", "1.000894", "1.001022"}, id="with diacritics"),
        pytest.param("ĐĂNG KÝ KẾT HÔN", {"1.000894"}, id="upper case with diacritics"),
        pytest.param("dăng kỳ khái sính", {"1.001193"}, id="with the wrong diacritics"),
        pytest.param("duong", {"1.009994"}, id="d finds đ"),
        pytest.param("ĐƯỜNG", {"1.009994"}, id="Đ finds đ"),
        pytest.param("đo", {"2.001234", "3.000111"}, id="đ finds Đ"),
        pytest.param("do", {"2.001234", "3.000111"}, id="d finds Đ"),
        pytest.param("khai sinh dang ky", {"1.001193"}, id="words in any order"),
        pytest.param("  khai   sinh  ", {"1.001193"}, id="extra spaces"),
        pytest.param("dang ky khai hon", set(), id="every word must occur"),
        pytest.param("khai", {"1.001193", "1.001022"}, id="one word"),
        pytest.param("hon", {"1.000894", "3.000111"}, id="part of a word"),
        pytest.param("1.001", {"1.001193", "1.001022"}, id="a code prefix"),
        pytest.param("2.000488", {"2.000488"}, id="a whole code"),
        pytest.param("001193", set(), id="a code matches from its start only"),
        pytest.param("%", set(), id="a LIKE wildcard is plain text"),
        pytest.param("_", set(), id="a LIKE single-character wildcard is plain text"),
    ],
)
def test_search_ignores_case_and_diacritics_and_needs_every_word(catalogue, query, expected):
    assert found(query) == expected


def test_an_empty_query_lists_the_whole_published_catalogue_by_name(catalogue):
    results = list(search_published(query="   "))

    assert codes(results) == set(NAMES)
    # In Vietnamese alphabetical order (procedures.collation), on PostgreSQL and SQLite alike.
    assert [v.name for v in results] == sorted((v.name for v in results), key=sort_key)


def test_drafts_and_archived_versions_never_appear(catalogue):
    birth = catalogue["1.001193"]
    ProcedureVersionFactory(
        procedure=birth.procedure, number=2, name="Đăng ký khai sinh (dự thảo)", content=False
    )
    old = ProcedureVersionFactory(
        procedure=catalogue["1.000894"].procedure,
        number=2,
        archived=True,
        name="Đăng ký khai sinh cũ",
        content=False,
    )
    ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.001999"),
        name="Đăng ký khai sinh lưu động",
        archived=True,
        content=False,
    )
    ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.001888"), name="Đăng ký khai sinh mới", content=False
    )

    assert list(search_published(query="khai sinh")) == [birth]
    assert found("1.001") == {"1.001193", "1.001022"}
    assert old not in search_published(query="")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({"q": "dang ky"}, {"1.001193", "1.000894", "1.001022"}, id="q alone"),
        pytest.param({"q": "dang ky", "sector": "HT"}, {"1.001193", "1.000894"}, id="q and sector"),
        pytest.param({"q": "dang ky", "level": "province"}, {"1.000894"}, id="q and level"),
        pytest.param({"q": "dang ky", "agency": "H12.30"}, {"1.001193"}, id="q and agency"),
        pytest.param(
            {"q": "dang ky", "sector": "HT", "level": "commune"}, {"1.001193"}, id="q, sector and level"
        ),
        pytest.param({"q": "1.00", "sector": "HT"}, {"1.001193", "1.000894"}, id="a code and sector"),
        pytest.param({"sector": "HT"}, {"1.001193", "1.000894"}, id="sector alone"),
        pytest.param({"q": "ly lich", "sector": "HT"}, set(), id="nothing in both"),
    ],
)
def test_filters_compose_with_the_search_text(db, filters, expected):
    civil_status = SectorFactory(code="HT", name="Hộ tịch")
    commune, department = AgencyFactory(code="H12.30"), AgencyFactory(code="H12.01")

    def publish(code: str, name: str, **fields: Any) -> None:
        ProcedureVersionFactory(
            published=True, procedure=ProcedureFactory(code=code), name=name, content=False, **fields
        )

    publish(
        "1.001193", "Đăng ký khai sinh", sector=civil_status, level=ProcedureLevel.COMMUNE, agency=commune
    )
    publish(
        "1.000894", "Đăng ký kết hôn", sector=civil_status, level=ProcedureLevel.PROVINCE, agency=department
    )
    publish("1.001022", "Đăng ký khai tử", level=ProcedureLevel.COMMUNE, agency=department)
    publish("2.000488", "Cấp Phiếu lý lịch tư pháp", level=ProcedureLevel.PROVINCE, agency=department)
    ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.001555"),
        name="Đăng ký khai sinh",
        sector=civil_status,
        content=False,
    )

    procedure_filter = ProcedureFilter(filters, queryset=published_versions())

    assert procedure_filter.is_valid(), procedure_filter.errors
    assert codes(procedure_filter.qs) == expected


# PostgreSQL: the search can use the trigram index on portal_unaccent(name).

SECTOR_WORDS = [
    "hộ tịch",
    "đất đai",
    "xây dựng",
    "tư pháp",
    "giao thông",
    "y tế",
    "giáo dục",
    "thuế",
    "lao động",
]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside the test's transaction
def test_the_search_can_use_the_trigram_index():
    sector, agency = SectorFactory(code="HT"), AgencyFactory(code="H12.30")
    procedures = Procedure.objects.bulk_create(Procedure(code=f"9.{n:06d}") for n in range(300))
    ProcedureVersion.objects.bulk_create(
        ProcedureVersion(
            procedure=procedure,
            number=1,
            state="published",
            name=(
                f"Đăng ký khai sinh lưu động số {n}"
                if n % 100 == 0
                else f"Cấp giấy chứng nhận {SECTOR_WORDS[n % len(SECTOR_WORDS)]} số {n}"
            ),
            sector=sector,
            level=ProcedureLevel.COMMUNE,
            agency=agency,
            processing_days=1,
            online_level="full",
        )
        for n, procedure in enumerate(procedures)
    )
    queryset = search_published(query="khai sinh")
    with connection.cursor() as cursor:
        # Fresh statistics, as a running portal has them; rows that earlier tests rolled back are gone.
        cursor.execute("VACUUM ANALYZE procedures_procedureversion")
        cursor.execute("SET enable_seqscan = off")
    try:
        plan = queryset.explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")

    assert "procedure_version_name_trgm" in plan, plan
    assert codes(queryset) == {"9.000000", "9.000100", "9.000200"}
