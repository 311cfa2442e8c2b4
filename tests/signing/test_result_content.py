"""The result's content per procedure, laid out as a Decree 30/2020 document, and its number register.

The demo catalogue's birth registration, judicial record and construction permit are approved through the
workflow and signed; the signed PDF's text (poppler's pdftotext) carries the procedure's own content and every
part of the administrative layout, every font is embedded (pdffonts), and the signature still validates.
"""

import datetime
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.constants import Role
from dossiers import results
from dossiers.models import Dossier, ResultNumber
from procedures import catalogue_file, services
from procedures.models import Agency, Procedure
from tests.factories import DossierFactory, UserFactory
from tests.signing.conftest import approve, attach_required_papers, result_pdf

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "procedures" / "demo" / "catalogue.json"
BIRTH, JUDICIAL, PERMIT = "1.001193", "3.000333", "1.013225"


def pdf_text(data: bytes, tmp_path: Path, name: str = "result") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(  # noqa: S603 - poppler on a file the test wrote
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return re.sub(r"[ \t]+", " ", out.stdout)


def pdf_fonts(data: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run(  # noqa: S603 - poppler on a file the test wrote
        ["pdffonts", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,  # noqa: S607
    ).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


@pytest.fixture
def demo_catalogue(db: Any, demo_pki: Any, eager: None) -> None:
    catalogue = catalogue_file.read(DEMO.read_text(encoding="utf-8"))
    catalogue_file.store_templates(catalogue, DEMO.parent)
    services.catalogue_import(
        catalogue=catalogue, actor=None
    )  # signing runs in process (eager), on Redis too


def decided(
    code: str, citizen: Any, demo_pki: Any, capture: Any, *, form: dict[str, Any], **decision: Any
) -> Dossier:
    """A dossier of the demo procedure ``code``, assessed "grant" and approved by its agency's approver."""
    version = Procedure.objects.get(code=code).published_version
    assert version is not None
    demo_pki.issue(version.agency)
    approver = UserFactory(
        username=f"approver-{code}",
        role=Role.APPROVER,
        agency=version.agency,
        first_name="Hải",
        last_name="Hoàng Văn",
        position="Phó Chủ tịch",
    )
    dossier = DossierFactory(
        version=version,
        applicant=citizen,
        assessed=True,
        received_at=timezone.now(),
        form_data=form,
        applicant_data={
            "full_name": "Nguyễn Văn An",
            "id_number": "001088000123",
            "date_of_birth": "1988-04-12",
            "address": "Số 12, đường Lê Lợi, phường Hòa Bình",
        },
    )
    attach_required_papers(dossier)
    return approve(dossier, approver, capture, **decision)


def test_a_birth_registration_gives_a_birth_certificate_extract_laid_out_as_decree_30_asks(
    demo_catalogue: None, citizen: Any, demo_pki: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    dossier = decided(
        BIRTH,
        citizen,
        demo_pki,
        django_capture_on_commit_callbacks,
        form={
            "child_full_name": "Nguyễn Minh Khôi",
            "child_gender": "Nam",
            "child_birth_date": "2026-11-02",
            "child_birth_place": "Bệnh viện Đa khoa tỉnh Hòa Bình Xanh",
            "mother_full_name": "Trần Thị Hoa",
            "father_full_name": "Nguyễn Văn An",
            "request_health_insurance": True,
        },
    )
    assert dossier.state == "result_ready"
    data = result_pdf(dossier)
    text = pdf_text(data, tmp_path, "birth")
    year = timezone.localtime(dossier.decided_at).year

    # The procedure's own content, from its template over the dossier's fields
    assert "TRÍCH LỤC KHAI SINH" in text
    assert "Họ, chữ đệm, tên: NGUYỄN MINH KHÔI" in text
    assert "Ngày, tháng, năm sinh: 02/11/2026" in text
    assert "Họ, chữ đệm, tên người mẹ: Trần Thị Hoa" in text
    assert "Thẻ bảo hiểm y tế của trẻ được cấp liên thông" in text
    assert "chấp thuận" not in text  # not the generic decision
    # The layout's parts: no superior line above a People's Committee; agency, number, motto, place and date
    assert "ỦY BAN NHÂN DÂN" in text and "PHƯỜNG HÒA BÌNH" in text
    assert "TỈNH HÒA BÌNH XANH" not in text.split("CỘNG HÒA")[0]
    assert "Số: 1/TLKS-UBND" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert re.search(rf"Hòa Bình Xanh, ngày \d\d tháng \d{{1,2}} năm {year}", text)
    assert "PHÓ CHỦ TỊCH" in text and "Hoàng Văn Hải" in text
    assert "Nơi nhận:" in text and "- Nguyễn Văn An;" in text
    assert ResultNumber.objects.get(dossier=dossier).display == "1/TLKS-UBND"


def test_the_judicial_record_certificate_names_its_superior_body_and_the_record(
    demo_catalogue: None, citizen: Any, demo_pki: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    dossier = decided(
        JUDICIAL,
        citizen,
        demo_pki,
        django_capture_on_commit_callbacks,
        form={
            "full_name": "Nguyễn Văn An",
            "personal_id": "001088000123",
            "certificate_type": "Phiếu số 1",
            "copies": 2,
        },
    )
    text = pdf_text(result_pdf(dossier), tmp_path, "judicial")

    assert "BỘ CÔNG AN" in text.split("CỘNG HÒA")[0]  # the superior body, top left
    assert "CÔNG AN TỈNH" in text and "HÒA BÌNH XANH" in text  # in two balanced lines
    assert "PHIẾU LÝ LỊCH TƯ PHÁP" in text
    assert "Họ, chữ đệm và tên: NGUYỄN VĂN AN" in text
    assert "Ngày, tháng, năm sinh: 12/04/1988" in text
    assert "Tình trạng án tích: Không có án tích" in text
    assert "Số: 1/LLTP-CAT" in text


def test_a_construction_permit_carries_its_conditions_and_the_approvers_own(
    demo_catalogue: None, citizen: Any, demo_pki: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    dossier = decided(
        PERMIT,
        citizen,
        demo_pki,
        django_capture_on_commit_callbacks,
        form={
            "owner_name": "Nguyễn Văn An",
            "construction_address": "Thửa đất số 125, tờ bản đồ số 8, tổ 3, phường Hòa Bình",
            "floor_area": 240,
            "floors": 3,
        },
        comment="Lùi tường rào 1,5 m so với chỉ giới đường đỏ.",
    )
    text = pdf_text(result_pdf(dossier), tmp_path, "permit")

    assert "GIẤY PHÉP XÂY DỰNG" in text
    assert "Cấp cho: Nguyễn Văn An" in text
    assert "Tổng diện tích sàn: 240 m²" in text and "Số tầng: 3." in text
    assert "Chủ đầu tư phải thực hiện các nội dung sau đây:" in text
    assert "Điều kiện riêng: Lùi tường rào 1,5 m so với chỉ giới đường đỏ." in text
    assert "Số: 1/GPXD-UBND" in text


def test_every_font_of_a_result_is_embedded(
    demo_catalogue: None, citizen: Any, demo_pki: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    dossier = decided(
        BIRTH,
        citizen,
        demo_pki,
        django_capture_on_commit_callbacks,
        form={
            "child_full_name": "Lê An",
            "child_gender": "Nữ",
            "child_birth_date": "2026-01-02",
            "child_birth_place": "Hòa Bình",
            "mother_full_name": "Lê Thị Hồng",
        },
    )
    fonts = pdf_fonts(result_pdf(dossier), tmp_path)

    assert fonts
    # name type encoding emb sub uni object generation: emb is the fourth column from the end... of six flags
    for row in fonts:
        assert row[-5] == "yes", f"{row[0]} is not embedded"
    assert not any("Helvetica" in row[0] for row in fonts)


def test_a_refusal_is_a_numbered_notice_with_its_reason(
    demo_catalogue: None, citizen: Any, demo_pki: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    dossier = decided(
        PERMIT,
        citizen,
        demo_pki,
        django_capture_on_commit_callbacks,
        form={"owner_name": "Nguyễn Văn An", "construction_address": "Tổ 3", "floor_area": 90, "floors": 2},
        outcome="deny",
        comment="Công trình nằm trong hành lang an toàn giao thông.",
    )
    text = pdf_text(result_pdf(dossier), tmp_path, "refusal")

    assert "THÔNG BÁO" in text and "Về việc từ chối giải quyết hồ sơ" in text
    assert "Lý do: Công trình nằm trong hành lang an toàn giao thông." in text
    assert "Số: 1/TB-UBND" in text
    assert "GIẤY PHÉP XÂY DỰNG" not in text


# The register of numbers


def test_numbers_run_per_agency_and_restart_each_year(
    demo_catalogue: None, citizen: Any, demo_pki: Any
) -> None:
    birth = Procedure.objects.get(code=BIRTH).published_version
    judicial = Procedure.objects.get(code=JUDICIAL).published_version
    approver = UserFactory(role=Role.APPROVER, agency=birth.agency)

    def number(version: Any, when: datetime.datetime) -> str:
        dossier = DossierFactory(version=version, applicant=citizen, approved=True, decided_at=when)
        return results.number_assign(dossier, approver).display

    now = timezone.now()
    next_year = now.replace(year=now.year + 1, month=6, day=1)
    assert number(birth, now) == "1/TLKS-UBND"
    assert number(birth, now) == "2/TLKS-UBND"
    assert number(judicial, now) == "1/LLTP-CAT"  # another agency, its own register
    assert number(birth, next_year) == "1/TLKS-UBND"


def test_a_number_is_given_once_even_if_asked_twice(demo_catalogue: None, citizen: Any) -> None:
    version = Procedure.objects.get(code=BIRTH).published_version
    dossier = DossierFactory(version=version, applicant=citizen, approved=True)

    first = results.number_assign(dossier, None)
    again = results.number_assign(dossier, None)

    assert first.pk == again.pk and ResultNumber.objects.filter(agency=version.agency).count() == 1


def test_an_agency_name_is_broken_into_balanced_lines_never_one_word_alone() -> None:
    from dossiers import official

    width = official.HEADER_LEFT - 2 * official.CELL_PADDING
    for name in (
        "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG TỈNH HÒA BÌNH XANH",
        "PHÒNG QUẢN LÝ XUẤT NHẬP CẢNH, CÔNG AN TỈNH HÒA BÌNH XANH",
        "SỞ XÂY DỰNG TỈNH HÒA BÌNH XANH",
    ):
        lines = official.balanced_lines(name, official.SERIF_BOLD, official.HEADER_SIZE, width)
        assert " ".join(lines) == name
        assert all(len(line.split()) > 1 for line in lines), lines
    assert official.balanced_lines("SỞ Y TẾ", official.SERIF_BOLD, official.HEADER_SIZE, width) == ["SỞ Y TẾ"]


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (datetime.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (datetime.date(2026, 6, 15), "ngày 15 tháng 6 năm 2026"),
        (datetime.date(2026, 12, 1), "ngày 01 tháng 12 năm 2026"),
    ],
)
def test_the_date_line_writes_days_and_months_as_decree_30_does(day: datetime.date, written: str) -> None:
    assert results.vietnamese_date(day) == written  # type: ignore[arg-type]


def test_the_superior_body_is_the_parent_unless_the_agency_is_a_peoples_committee(db: Any) -> None:
    province = Agency.objects.create(code="X", name="Ủy ban nhân dân tỉnh X", level="province")
    department = Agency.objects.create(
        code="X.1", name="Sở Tư pháp tỉnh X", level="department", parent=province
    )
    commune = Agency.objects.create(code="X.2", name="Ủy ban nhân dân xã Y", level="commune", parent=province)
    police = Agency.objects.create(
        code="X.3", name="Công an tỉnh X", level="department", parent=province, superior="Bộ Công an"
    )

    assert results.superior_of(department) == "Ủy ban nhân dân tỉnh X"
    assert results.superior_of(commune) == ""
    assert results.superior_of(police) == "Bộ Công an"
    assert results.symbol_of(commune) == "UBND"
    assert results.symbol_of(department) == "STX"  # the initials of its capitalised words
