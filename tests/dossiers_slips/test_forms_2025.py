"""The receipt, refusal, apology and control slip as Circular 03/2025's forms 01, 03, 04 and 06: what each form
holds, read from the PDF's text, and each copy on one page."""

from typing import Any

import pypdfium2

from dossiers import numbering, schedule, slips, workflow
from dossiers.models import RegisterEntry
from tests.dossiers_slips.conftest import Journey, at
from tests.dossiers_slips.test_slips import returned  # noqa: F401 - the fixture
from tests.factories import DossierFactory


def pages(data: bytes) -> list[str]:
    """The text of each page of the PDF ``data``, whitespace collapsed."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


def render(dossier: Any, kind: str) -> list[str]:
    return pages(slips.render(slips.load(dossier.pk), kind))


def test_the_receipt_is_two_copies_of_one_page_each_with_form_01s_fields(returned: Journey) -> None:  # noqa: F811
    dossier = slips.load(returned.dossier.pk)

    first, second = render(dossier, "receipt")

    assert "(Liên 1: lưu)" in first and "(Liên 2: giao người nộp hồ sơ)" in second
    for page in (first, second):
        assert "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in page
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page
        assert f"Mã hồ sơ: {dossier.code}" in page
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
        assert "NGƯỜI NỘP HỒ SƠ" in page and "Nguyễn Thị Hồng Nhung" in page
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in page and "Trần Thị Lan" in page
        assert "11 giờ 00 phút, ngày 08/03/2027" in page  # received
        assert "17 giờ 00 phút, ngày 15/03/2027" in page  # due
        assert "Quét mã để tra cứu" in page  # the QR's caption is on the copy's own page
        assert f"Sổ theo dõi hồ sơ năm 2027 của {dossier.agency.name}, số thứ tự 1" in page


def test_the_register_number_is_given_once_at_reception_and_counts_on_per_agency_and_year(
    journey: Journey,
    returned: Journey,  # noqa: F811
) -> None:
    first = slips.load(returned.dossier.pk)
    assert (first.register_entry.year, first.register_entry.number) == (2027, 1)
    receiver = first.events.get(action="receive").actor
    second, next_year = (
        DossierFactory(version=first.version, applicant=first.applicant, submitted=True) for _ in range(2)
    )
    workflow.apply(dossier_id=second.pk, action="receive", actor=receiver, now=at("2027-03-09", "10:00"))
    workflow.apply(dossier_id=next_year.pk, action="receive", actor=receiver, now=at("2028-01-04", "10:00"))

    assert RegisterEntry.objects.get(dossier=second).number == 2
    assert (
        RegisterEntry.objects.get(dossier=next_year).year,
        RegisterEntry.objects.get(dossier=next_year).number,
    ) == (2028, 1)
    assert (
        numbering.register_entry_assign(first, first.received_at).number == 1
    )  # once: asked again, the same
    assert RegisterEntry.objects.count() == 3


def test_the_refusal_is_addressed_to_the_applicant_with_the_reason_and_where_to_ask(journey: Journey) -> None:
    journey.do("submit", "citizen", at("2027-03-08", "08:00"))
    journey.do("refuse", "receiver", at("2027-03-08", "09:30"), comment="Không thuộc thẩm quyền của Sở.")

    (page,) = render(journey.dossier, "refusal")

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in page
    assert "Kính gửi: Nguyễn Thị Hồng Nhung" in page
    assert "Không thuộc thẩm quyền của Sở." in page
    assert "để được hướng dẫn" in page
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in page and "Trần Thị Lan" in page


def test_the_apology_is_form_04_of_2025_with_number_addressee_dates_and_recipients(journey: Journey) -> None:
    journey.to("assessing", start=at("2027-03-08", "09:00"))
    schedule.apology_issue(
        dossier_id=journey.dossier.pk,
        reason="Cần xác minh tại cơ quan công an.",
        new_due_at=at("2027-03-19", "17:00"),
        now=at("2027-03-16", "08:00"),
    )
    dossier = slips.load(journey.dossier.pk)

    (page,) = render(dossier, "apology")

    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in page
    assert f"Số: 01/{dossier.agency.code}-XL" in page
    assert "ngày 16 tháng 03 năm 2027" in page
    assert "Kính gửi: Nguyễn Thị Hồng Nhung" in page
    assert "Ngày 08/03/2027" in page  # received
    assert "17 giờ 00 phút, ngày 15/03/2027" in page  # promised
    assert "Cần xác minh tại cơ quan công an." in page
    assert "xin lỗi" in page
    assert "17 giờ 00 phút, ngày 19/03/2027" in page  # the new date
    assert "gia hạn" in page
    assert "Nơi nhận:" in page and "Như trên;" in page
    assert "THỦ TRƯỞNG CƠ QUAN" in page


def test_the_control_slip_has_notes_and_the_signature_cells_recorded_electronically(
    returned: Journey,  # noqa: F811
) -> None:
    dossier = slips.load(returned.dossier.pk)
    document = slips.build(dossier, "control")
    header = list(document.table[0])

    assert header[-3:] == ["Ghi chú", "Bên giao ký", "Bên nhận ký"]
    handovers = document.table[1:]
    assert all(row[-2] == slips.SIGNED_ELECTRONICALLY for row in handovers)
    assert all(row[-1] == slips.SIGNED_ELECTRONICALLY for row in handovers[:-1])
    page = " ".join(render(dossier, "control"))  # the table of hand-overs grows with the dossier's history
    assert "ghi nhận tự động" in page
    assert f"Mã hồ sơ: {dossier.code}" in page
    assert "Người nộp hồ sơ" in page and "Nguyễn Thị Hồng Nhung" in page
    assert "Sở Tư pháp" in page
    assert handovers[1][3] == "11:00 ngày 08/03/2027"  # hh:mm dd/mm/yyyy (wrapped in its narrow cell)
    assert "Đúng hạn" in page and "Quá hạn" in page and "Trước hạn" in page
