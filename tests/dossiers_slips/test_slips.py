"""The slips a citizen and a counter clerk print: which a dossier has in each state, who may fetch them, and what
each says (read from the document the PDF is drawn from; the endpoint's answer is checked to be that PDF)."""

import importlib
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from dossiers import pdf, schedule, slips
from dossiers.models import Document
from procedures.models import Component
from tests.dossiers_slips.conftest import Journey, at
from tests.factories import DossierFactory

KINDS = ["receipt", "supplement", "refusal", "apology", "stop", "control"]

# DESIGN.md: a receipt once received; a supplement request once one was asked for; a refusal once refused; an
# apology once one was issued (none in these journeys); the stop notice once withdrawn; the control slip once
# submitted.
HAS_SLIPS: dict[str, set[str]] = {
    "draft": set(),
    "submitted": {"control"},
    "assessing": {"receipt", "control"},
    "approving": {"receipt", "control"},
    "signing": {"receipt", "control"},
    "result_ready": {"receipt", "control"},
    "returned": {"receipt", "control"},
    "supplement_requested": {"receipt", "supplement", "control"},
    "rejected": {"refusal", "control"},
    "withdrawn": {"stop", "control"},
}


def slip_url(dossier: Any, kind: str) -> str:
    return reverse("dossiers-api:slip", kwargs={"pk": dossier.pk, "kind": kind})


def rows(document: pdf.Document) -> dict[str, str]:
    return dict(document.rows)


def column(document: pdf.Document, name: str) -> list[str]:
    index = list(document.table[0]).index(name)
    return [row[index] for row in document.table[1:]]


def build(dossier: Any, kind: str) -> pdf.Document:
    return slips.build(slips.load(dossier.pk), kind)


@pytest.fixture
def returned(journey: Journey) -> Journey:
    """Filed Monday 8/3/2027 at 8:30, received at 11:00 (due Monday 15/3 at 17:00), assessed Friday 12/3 (the
    3 planned days ran out on Thursday), approved the same day (a day early), signed, and handed over Monday 15/3 at
    9:00 (the half day planned for the return ran out on Friday) — on the due day, so the dossier was on time."""
    journey.do("submit", "citizen", at("2027-03-08", "08:30"))
    journey.do("receive", "receiver", at("2027-03-08", "11:00"))
    journey.do("assess", "assessor", at("2027-03-12", "10:00"), outcome="grant")
    journey.do("approve", "approver", at("2027-03-12", "15:00"))
    journey.do("signed", None, at("2027-03-12", "15:05"))
    journey.do("return", "receiver", at("2027-03-15", "09:00"))
    return journey


# --- Which slips a dossier has ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("state", list(HAS_SLIPS))
def test_a_dossier_has_each_slip_from_the_step_that_issues_it(
    api: Any, citizen: Any, journey: Journey, state: str, kind: str
) -> None:
    journey.to(state)
    assert journey.dossier.state == state

    response = api(citizen).get(slip_url(journey.dossier, kind))

    if kind in HAS_SLIPS[state]:
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
    else:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "slip_not_available"
        assert response.json()["detail"]


def test_the_apology_slip_exists_once_an_apology_was_issued(
    api: Any, citizen: Any, receiver: Any, journey: Journey
) -> None:
    journey.to("assessing")
    before = api(citizen).get(slip_url(journey.dossier, "apology"))

    schedule.apology_issue(
        dossier_id=journey.dossier.pk, reason="Chờ xác minh.", actor=receiver, now=at("2027-03-12", "10:00")
    )
    after = api(citizen).get(slip_url(journey.dossier, "apology"))

    assert before.status_code == 409
    assert after.status_code == 200
    assert after.content.startswith(b"%PDF-")


def test_available_kinds_lists_the_slips_a_page_should_link(journey: Journey) -> None:
    journey.to("supplement_requested")

    assert slips.available_kinds(slips.load(journey.dossier.pk)) == ["receipt", "supplement", "control"]


# --- Who may fetch them -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("citizen", 200),  # the applicant
        ("citizen2", 404),  # another citizen
        ("receiver", 200),  # the agency's counter
        ("assessor", 200),
        ("receiver_b", 404),  # another agency's staff
        ("assessor_b", 404),
        # Leaders and province admins steer by aggregates: a slip names the applicant (accounts.policy).
        ("leader", 403),
        ("province_admin", 403),
    ],
)
def test_only_those_who_may_see_the_dossier_get_its_slips(
    request: Any, api: Any, journey: Journey, persona: str, status: int
) -> None:
    journey.to("assessing")
    user = request.getfixturevalue(persona)

    response = api(user).get(slip_url(journey.dossier, "receipt"))

    assert response.status_code == status, response.content
    if status == 404:
        assert response.json()["code"] == "not_found"


def test_an_anonymous_visitor_must_log_in_for_a_slip(anonymous: Any, journey: Journey) -> None:
    journey.to("assessing")

    assert anonymous.get(slip_url(journey.dossier, "receipt")).status_code == 401


def test_an_unknown_kind_or_dossier_is_not_found(api: Any, citizen: Any, journey: Journey) -> None:
    journey.to("assessing")

    unknown_kind = api(citizen).get(slip_url(journey.dossier, "invoice"))
    unknown_dossier = api(citizen).get(reverse("dossiers-api:slip", kwargs={"pk": 999999, "kind": "receipt"}))

    assert unknown_kind.status_code == 404
    assert unknown_kind.json()["code"] == "unknown_slip"
    assert unknown_dossier.status_code == 404


def test_the_slip_is_downloaded_under_the_dossier_code(api: Any, citizen: Any, journey: Journey) -> None:
    journey.to("assessing")

    response = api(citizen).get(slip_url(journey.dossier, "receipt"), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{journey.dossier.code}-receipt.pdf"'
    assert response["Cache-Control"] == "no-store, private"
    assert response.content.startswith(b"%PDF-")


def test_a_client_asking_only_for_pdf_still_gets_the_error_as_json(
    api: Any, citizen: Any, journey: Journey
) -> None:
    journey.to("submitted")

    response = api(citizen).get(slip_url(journey.dossier, "receipt"), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 409
    assert response.json()["code"] == "slip_not_available"


# --- What they say ----------------------------------------------------------------------------------------------


def test_the_receipt_says_what_was_received_from_whom_and_when_the_result_is_due(
    returned: Journey, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.vn"
    dossier = returned.dossier

    receipt = build(dossier, "receipt")

    assert receipt.code == dossier.code
    assert rows(receipt)["Ông (bà) / tổ chức"] == "Nguyễn Thị Hồng Nhung"
    assert rows(receipt)["Số định danh cá nhân"] == "001188000456"
    assert rows(receipt)["Địa chỉ"] == "Số 5 ngõ 12 đường Trần Hưng Đạo, phường Phương Lâm"
    assert rows(receipt)["Số điện thoại"] == "0987654321"
    assert dossier.version.name in rows(receipt)["Nội dung yêu cầu giải quyết"]
    assert rows(receipt)["Thời gian nhận hồ sơ"] == "11 giờ 00 phút, ngày 08/03/2027"
    assert rows(receipt)["Thời gian trả kết quả (hẹn trả)"] == "17 giờ 00 phút, ngày 15/03/2027"
    assert "Sở Tư pháp" in rows(receipt)["Nơi nhận kết quả"]
    assert rows(receipt)["Người tiếp nhận"] == "Trần Thị Lan"
    assert rows(receipt)["Mã tra cứu hồ sơ"] == dossier.lookup_key
    assert receipt.signature_block[-1] == "Trần Thị Lan"


def test_the_receipt_lists_each_paper_received_with_its_copies_in_the_right_column(returned: Journey) -> None:
    receipt = build(returned.dossier, "receipt")

    papers = {row[1]: row[2:] for row in receipt.table[1:]}

    assert list(receipt.table[0][2:]) == ["Bản chính", "Bản sao có chứng thực", "Bản sao"]
    assert papers == {
        "Tờ khai": ["1", "", ""],
        "Bản sao giấy tờ": ["", "", "2"],
        "Bản sao có chứng thực Giấy khai sinh": ["", "1", ""],
    }


def test_the_receipts_qr_code_opens_the_public_lookup_with_the_code_and_key(
    returned: Journey, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.vn"
    dossier = returned.dossier

    url = urlsplit(build(dossier, "receipt").qr_url)

    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "dichvucong.example.vn",
        reverse("dossiers:lookup"),
    )
    assert parse_qs(url.query) == {"code": [dossier.code], "key": [dossier.lookup_key]}


def test_the_receipt_keeps_the_appointment_it_gave_after_an_apology_moved_the_date(journey: Journey) -> None:
    journey.to("assessing", start=at("2027-03-08", "09:00"))
    schedule.apology_issue(
        dossier_id=journey.dossier.pk,
        reason="Chờ xác minh.",
        new_due_at=at("2027-03-22", "17:00"),
        now=at("2027-03-15", "16:00"),
    )

    receipt = build(journey.dossier, "receipt")

    assert rows(receipt)["Thời gian trả kết quả (hẹn trả)"] == "17 giờ 00 phút, ngày 15/03/2027"


def test_the_supplement_request_lists_the_comment_and_each_required_paper_missing_at_the_time(
    version: Any, citizen: Any, people: dict[str, Any]
) -> None:
    dossier = DossierFactory(
        version=version, applicant=citizen, submitted=True, submitted_at=at("2027-03-08")
    )
    journey = Journey(dossier, people)
    journey.do("request_supplement", "receiver", at("2027-03-08", "10:00"), comment="Tờ khai thiếu chữ ký.")
    # Uploaded after the request: it was still missing when the slip was issued.
    form = version.components.get(name="Tờ khai")
    late = Document.objects.create(
        dossier=dossier,
        component=form,
        file="x.pdf",
        storage_key="late-upload",
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=citizen,
    )
    Document.objects.filter(pk=late.pk).update(uploaded_at=at("2027-03-09"))

    request = build(dossier, "supplement")

    assert any("Tờ khai thiếu chữ ký." in paragraph for paragraph in request.paragraphs)
    assert column(request, "Giấy tờ cần bổ sung") == ["Tờ khai"]
    assert column(request, "Bản chính") == ["1"]
    assert rows(request)["Ngày yêu cầu bổ sung"] == "10 giờ 00 phút, ngày 08/03/2027"
    assert rows(request)["Người yêu cầu"].startswith("Trần Thị Lan")
    assert request.signature_block[-1] == "Trần Thị Lan"


def test_the_supplement_request_also_lists_the_papers_the_clerk_named(
    version: Any, citizen: Any, people: dict[str, Any]
) -> None:
    dossier = DossierFactory(
        version=version, applicant=citizen, submitted=True, submitted_at=at("2027-03-08")
    )
    certified = version.components.get(name="Bản sao có chứng thực Giấy khai sinh")
    extra = Component.objects.create(
        version=version, position=9, name="Bản sao sổ hộ khẩu", required=False, copies=3, copy_type="copy"
    )
    Journey(dossier, people).do(
        "request_supplement",
        "receiver",
        at("2027-03-08", "10:00"),
        comment="Bổ sung giấy tờ.",
        components=[certified.pk, extra.pk],
    )

    request = build(dossier, "supplement")

    assert column(request, "Giấy tờ cần bổ sung") == [
        "Tờ khai",
        "Bản sao có chứng thực Giấy khai sinh",
        "Bản sao sổ hộ khẩu",
    ]
    assert column(request, "Bản sao có chứng thực") == ["", "1", ""]
    assert column(request, "Bản sao") == ["", "", "3"]


def test_a_supplement_asked_when_every_paper_is_there_has_no_table_only_the_comment(journey: Journey) -> None:
    journey.to("supplement_requested")

    request = build(journey.dossier, "supplement")

    assert request.table == ()
    assert any("Thiếu bản sao Giấy khai sinh." in paragraph for paragraph in request.paragraphs)
    # Asked during assessment: the clock is paused, and the slip says so.
    assert any("không tính vào thời hạn" in paragraph for paragraph in request.paragraphs)


def test_the_refusal_gives_the_reason(journey: Journey) -> None:
    journey.do("submit", "citizen", at("2027-03-08", "08:00"))
    journey.do("refuse", "receiver", at("2027-03-08", "09:30"), comment="Không thuộc thẩm quyền của Sở.")

    refusal = build(journey.dossier, "refusal")

    assert any("Không thuộc thẩm quyền của Sở." in paragraph for paragraph in refusal.paragraphs)
    assert rows(refusal)["Ngày từ chối"] == "09 giờ 30 phút, ngày 08/03/2027"
    assert refusal.signature_block[-1] == "Trần Thị Lan"


def test_the_apology_gives_the_reason_the_missed_date_and_the_new_one(journey: Journey) -> None:
    journey.to("assessing", start=at("2027-03-08", "09:00"))
    schedule.apology_issue(
        dossier_id=journey.dossier.pk,
        reason="Cần xác minh tại cơ quan công an.",
        new_due_at=at("2027-03-19", "17:00"),
        now=at("2027-03-16", "08:00"),
    )

    apology = build(journey.dossier, "apology")
    text = " ".join(apology.paragraphs)

    assert "Cần xác minh tại cơ quan công an." in text
    assert rows(apology)["Thời hạn trả kết quả theo quy định"] == "17 giờ 00 phút, ngày 15/03/2027"
    assert rows(apology)["Ngày hẹn trả kết quả mới"] == "17 giờ 00 phút, ngày 19/03/2027"
    assert "17 giờ 00 phút, ngày 19/03/2027" in text
    assert apology.place_and_date.endswith("ngày 16 tháng 03 năm 2027")


def test_the_control_slip_lists_each_hand_over_with_sender_receiver_and_time(returned: Journey) -> None:
    control = build(returned.dossier, "control")

    steps = column(control, "Bước")
    senders = column(control, "Bên giao")
    receivers = column(control, "Bên nhận")
    times = column(control, "Thời gian giao, nhận")

    assert len(steps) == 6  # submit, receive, assess, approve, signed, return
    assert (senders[1], receivers[1]) == (
        "Bộ phận tiếp nhận và trả kết quả, Sở Tư pháp: Trần Thị Lan",
        "Công chức thẩm định, Sở Tư pháp: Lê Văn Minh",
    )
    assert (senders[2], receivers[2]) == (
        "Công chức thẩm định, Sở Tư pháp: Lê Văn Minh",
        "Lãnh đạo phê duyệt, Sở Tư pháp: Phạm Quốc Hùng",
    )
    assert receivers[-1] == "Người nộp hồ sơ: Nguyễn Thị Hồng Nhung"
    assert times[1] == "11:00 ngày 08/03/2027"


def test_the_control_slip_grades_each_finished_step_against_its_planned_days_and_the_whole_against_the_due_date(
    returned: Journey,
) -> None:
    control = build(returned.dossier, "control")

    graded = dict(zip(column(control, "Bước"), column(control, "Kết quả"), strict=True))

    assert graded == {
        "Nộp hồ sơ": "",
        "Tiếp nhận hồ sơ, chuyển thẩm định": "Đúng hạn",  # ½ day: received the day it was filed
        "Thẩm định, trình phê duyệt": "Quá hạn",  # 3 days from Monday: by Thursday; done Friday
        "Phê duyệt, chuyển ký số": "Trước hạn",  # 1 day from Friday: by Monday; done Friday
        "Ký số kết quả, chuyển trả kết quả": "",
        "Trả kết quả": "Quá hạn",  # ½ day from Friday afternoon; handed over Monday
    }
    assert rows(control)["Kết quả giải quyết hồ sơ"] == "Đúng hạn"  # Monday 9:00, due Monday 17:00
    planned = column(control, "Thời hạn của bước")
    assert planned[1] == "0,5 ngày làm việc, hạn 17:00 ngày 08/03/2027"
    assert planned[2] == "3 ngày làm việc, hạn 17:00 ngày 11/03/2027"


@pytest.mark.parametrize(
    ("returned_on", "overall"),
    [("2027-03-12", "Trước hạn"), ("2027-03-15", "Đúng hạn"), ("2027-03-16", "Quá hạn")],
)
def test_the_control_slip_says_whether_the_dossier_was_early_on_time_or_late(
    journey: Journey, returned_on: str, overall: str
) -> None:
    journey.to("result_ready", start=at("2027-03-08", "09:00"))  # due Monday 15/3 at 17:00

    journey.do("return", "receiver", at(returned_on, "10:00"))

    assert rows(build(journey.dossier, "control"))["Kết quả giải quyết hồ sơ"] == overall


def test_a_dossier_returned_after_an_apology_counts_late_against_the_legal_due_date(journey: Journey) -> None:
    journey.to("approving", start=at("2027-03-08", "09:00"))
    schedule.apology_issue(
        dossier_id=journey.dossier.pk, reason="Chậm phê duyệt.", now=at("2027-03-16", "08:00")
    )
    journey.do("approve", "approver", at("2027-03-17", "09:00"))
    journey.do("signed", None, at("2027-03-17", "09:05"))
    journey.do("return", "receiver", at("2027-03-17", "10:00"))  # before the new date, after the legal one

    control = build(journey.dossier, "control")

    assert rows(control)["Kết quả giải quyết hồ sơ"] == "Quá hạn"
    assert rows(control)["Hạn trả kết quả theo quy định"] == "17 giờ 00 phút, ngày 15/03/2027"
    assert "Xin lỗi và hẹn lại ngày trả kết quả" in column(control, "Bước")


def test_a_steps_planned_days_start_from_the_day_it_began_and_skip_days_off(db: Any) -> None:
    friday_afternoon = at("2027-03-12", "16:00")

    assert slips.step_deadline(friday_afternoon, Decimal("0.5")) == at("2027-03-12", "17:00")
    assert slips.step_deadline(friday_afternoon, Decimal("1")) == at("2027-03-15", "17:00")
    assert slips.step_deadline(at("2027-03-13", "10:00"), Decimal("0.2")) == at(
        "2027-03-15", "17:00"
    )  # Saturday


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Tờ khai đăng ký khai sinh theo mẫu", "original"),
        ("Giấy chứng sinh (bản chính) hoặc văn bản của người làm chứng", "original"),
        ("Văn bản ủy quyền có chứng thực", "original"),  # a notarised original, not a copy
        ("Bản sao Giấy khai sinh", "copy"),
        ("Bản sao có chứng thực Giấy chứng nhận kết hôn", "certified"),
        ("Giấy tờ tùy thân (bản sao chứng thực)", "certified"),
    ],
)
def test_existing_papers_get_the_copy_type_their_name_says(name: str, kind: str) -> None:
    migration = importlib.import_module("procedures.migrations.0005_component_copy_type")
    assert migration.guess(name) == kind


def test_every_slip_of_a_dossier_renders_to_a_pdf(returned: Journey) -> None:
    dossier = slips.load(returned.dossier.pk)

    for kind in slips.available_kinds(dossier):
        assert slips.render(dossier, kind).startswith(b"%PDF-")


def test_the_stop_notice_says_handling_stopped_when_at_which_step_and_why(journey: Journey) -> None:
    journey.do("submit", "citizen", at("2027-03-08", "08:00"))
    journey.do("receive", "receiver", at("2027-03-08", "09:00"))
    journey.do("withdraw", "citizen", at("2027-03-09", "14:15"), comment="Tôi đã chuyển nơi cư trú.")

    notice = build(journey.dossier, "stop")

    assert notice.title == "Thông báo dừng giải quyết hồ sơ"
    assert rows(notice)["Dừng giải quyết lúc"] == "14 giờ 15 phút, ngày 09/03/2027"
    assert rows(notice)["Ngày tiếp nhận hồ sơ"] == "09 giờ 00 phút, ngày 08/03/2027"
    text = " ".join(notice.paragraphs)
    assert "Tôi đã chuyển nơi cư trú." in text
    assert journey.dossier.code in text
    assert "Kính gửi" in text


def test_the_supplement_request_puts_each_named_paper_in_the_column_and_count_asked(
    version: Any, citizen: Any, people: dict[str, Any]
) -> None:
    dossier = DossierFactory(
        version=version, applicant=citizen, submitted=True, submitted_at=at("2027-03-08")
    )
    certified = version.components.get(name="Bản sao có chứng thực Giấy khai sinh")
    Journey(dossier, people).do(
        "request_supplement",
        "receiver",
        at("2027-03-08", "10:00"),
        comment="Bổ sung giấy tờ.",
        components=[{"id": certified.pk, "copy_type": "original", "count": 2}],
    )

    request = build(dossier, "supplement")

    papers = {row[1]: row[2:] for row in request.table[1:]}
    assert papers["Bản sao có chứng thực Giấy khai sinh"] == ["2", "", ""]
