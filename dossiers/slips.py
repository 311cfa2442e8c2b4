"""The slips of the one-stop rules, as printable PDFs, each with a QR code to the public lookup.

The forms are those of Decree 118/2025/NĐ-CP and Circular 03/2025/TT-VPCP, which keep the layout of Circular
01/2018/TT-VPCP's: the receipt and appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả, form 01), the
supplement request (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, 02), the refusal (phiếu từ chối tiếp nhận, giải
quyết hồ sơ, 03), the apology and new date (phiếu xin lỗi và hẹn lại ngày trả kết quả, 04) and the process
control slip (phiếu kiểm soát quá trình giải quyết hồ sơ, 05).

Each slip is built from the dossier's record (its history rows, documents and apologies) whenever it is asked
for, so the same record always gives the same slip; nothing is stored but the apology itself. A builder returns a
``pdf.Document`` and ``render`` draws it with the shared layout of ``dossiers.pdf``.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypedDict
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts.constants import Role
from accounts.models import User
from dossiers import pdf, sla
from dossiers import supplement as supplements
from dossiers.constants import Channel, EventAction, State, Timeliness
from dossiers.models import Dossier, DossierEvent
from portal.errors import InvalidState
from portal.urls_public import absolute_url
from procedures.models import Agency, Component, Step

KINDS = ("receipt", "supplement", "refusal", "apology", "stop", "control")
# What the pages call each slip beside its link.
LABELS = {
    "receipt": gettext_lazy("Receipt and appointment slip"),
    "supplement": gettext_lazy("Supplement request"),
    "refusal": gettext_lazy("Refusal slip"),
    "apology": gettext_lazy("Apology and new date"),
    "stop": gettext_lazy("Notice that handling stopped"),
    "control": gettext_lazy("Process control slip"),
}

# Keyed by the stored value (a model field holds a plain str), hence dict[str, ...].
TIMELINESS_TEXT: dict[str, str] = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}
CHANNEL_TEXT: dict[str, str] = {
    Channel.ONLINE: "Trực tuyến",
    Channel.COUNTER: "Trực tiếp tại bộ phận một cửa",
    Channel.POST: "Qua bưu chính",
}
COUNTER = "Bộ phận tiếp nhận và trả kết quả"
# Form 01 is made in two copies: one stays with the dossier's control slip, one goes to who filed it.
RECEIPT_COPIES = ("Liên 1: lưu", "Liên 2: giao người nộp hồ sơ")
# Where the applicant asks about a slip (forms 02 and 03: "where to get guidance").
GUIDANCE = "Mọi vướng mắc, ông (bà) liên hệ {counter}, {agency} để được hướng dẫn."
# Who holds the dossier in each state, as the control slip names the two sides of a hand-over.
HOLDER: dict[str, str] = {
    State.DRAFT: "Người nộp hồ sơ",
    State.SUBMITTED: COUNTER,
    State.ASSESSING: "Công chức thẩm định",
    State.APPROVING: "Lãnh đạo phê duyệt",
    State.SIGNING: "Hệ thống ký số",
    State.RESULT_READY: COUNTER,
    State.RETURNED: "Người nộp hồ sơ",
    State.SUPPLEMENT_REQUESTED: "Người nộp hồ sơ",
    State.REJECTED: "Người nộp hồ sơ",
    State.WITHDRAWN: "Người nộp hồ sơ",
}
HOLDER_ROLE: dict[str, str] = {
    State.SUBMITTED: Role.RECEIVER,
    State.ASSESSING: Role.ASSESSOR,
    State.APPROVING: Role.APPROVER,
    State.RESULT_READY: Role.RECEIVER,
}
ROLE_TEXT: dict[str, str] = {
    Role.CITIZEN: "Người nộp hồ sơ",
    Role.RECEIVER: COUNTER,
    Role.ASSESSOR: "Công chức thẩm định",
    Role.APPROVER: "Lãnh đạo phê duyệt",
}
# The signature cells of the control slip: the electronic one-stop system records each side when it acts.
SIGNED_ELECTRONICALLY = "Đã ký điện tử"
# The hand-overs of the control slip, by the history row's action.
HANDOVER_TEXT: dict[str, str] = {
    EventAction.SUBMIT: "Nộp hồ sơ",
    EventAction.RECEIVE: "Tiếp nhận hồ sơ, chuyển thẩm định",
    EventAction.REFUSE: "Từ chối tiếp nhận hồ sơ",
    EventAction.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    EventAction.RESUBMIT: "Nộp bổ sung hồ sơ",
    EventAction.ASSESS: "Thẩm định, trình phê duyệt",
    EventAction.SEND_BACK: "Trả lại để thẩm định lại",
    EventAction.APPROVE: "Phê duyệt, chuyển ký số",
    EventAction.SIGNED: "Ký số kết quả, chuyển trả kết quả",
    EventAction.RETURN: "Trả kết quả",
    EventAction.WITHDRAW: "Rút hồ sơ",
    EventAction.APOLOGY: "Xin lỗi và hẹn lại ngày trả kết quả",
}
# The action that finishes the step a dossier is at in each state; the control slip grades it against the days
# the procedure plans for the step of that role.
FINISHES_STEP: dict[str, str] = {
    EventAction.RECEIVE: State.SUBMITTED,
    EventAction.REFUSE: State.SUBMITTED,
    EventAction.ASSESS: State.ASSESSING,
    EventAction.APPROVE: State.APPROVING,
    EventAction.RETURN: State.RESULT_READY,
}


class SlipNotAvailable(InvalidState):
    code = "slip_not_available"


# --- Loading and availability ---------------------------------------------------------------------------------


def loading() -> QuerySet[Dossier]:
    """Dossiers with everything their slips read, in a fixed number of queries."""
    return Dossier.objects.select_related(
        "version__procedure", "agency", "received_at_agency", "applicant", "created_by", "register_entry"
    ).prefetch_related(
        "documents__component",
        "version__components",
        "version__steps",
        "apologies__issued_by",
        Prefetch("events", queryset=DossierEvent.objects.select_related("actor", "actor_agency")),
    )


def load(pk: int) -> Dossier | None:
    """The dossier with everything its slips read (for the portal's own tasks; users go through the door)."""
    return loading().filter(pk=pk).first()


def _events(dossier: Dossier, action: str) -> list[DossierEvent]:
    return [event for event in dossier.events.all() if event.action == action]


def available_kinds(dossier: Dossier) -> list[str]:
    """The slips the dossier has: a receipt once received, a supplement request once one was asked for, a refusal
    once refused, an apology once one was issued, the stop notice once withdrawn, the control slip once
    submitted."""
    have = {
        "receipt": dossier.received_at is not None,
        "supplement": dossier.state == State.SUPPLEMENT_REQUESTED
        or bool(_events(dossier, EventAction.REQUEST_SUPPLEMENT)),
        "refusal": dossier.state == State.REJECTED,
        "apology": bool(dossier.apologies.all()),
        "stop": dossier.state == State.WITHDRAWN and bool(_events(dossier, EventAction.WITHDRAW)),
        "control": dossier.submitted_at is not None,
    }
    return [kind for kind in KINDS if have[kind]]


def build(dossier: Dossier, kind: str, *, request: HttpRequest | None = None) -> pdf.Document:
    """The slip ``kind`` of the dossier; SlipNotAvailable (409) if the dossier has none of that kind yet."""
    if kind not in KINDS:
        raise ValueError(f"unknown slip kind {kind!r}")
    if kind not in available_kinds(dossier):
        raise SlipNotAvailable(f"This dossier has no {kind} slip yet.")
    builder: Callable[..., pdf.Document] = BUILDERS[kind]
    return builder(dossier, request=request)


def render(dossier: Dossier, kind: str, *, request: HttpRequest | None = None) -> bytes:
    return pdf.render(build(dossier, kind, request=request))


# --- Shared pieces --------------------------------------------------------------------------------------------


def lookup_url(dossier: Dossier, request: HttpRequest | None = None) -> str:
    """The public lookup page of the dossier, answered at once (the code and key are in the address)."""
    query = urlencode({"code": dossier.code or "", "key": dossier.lookup_key})
    return absolute_url(request, f"{reverse('dossiers:lookup')}?{query}")


def _when(moment: datetime | None) -> str:
    return pdf.local(moment, "%H giờ %M phút, ngày %d/%m/%Y")


def _day(moment: datetime | None) -> str:
    return pdf.local(moment, "%d/%m/%Y")


def _place_and_date(moment: datetime | None) -> str:
    day = timezone.localtime(moment or timezone.now(), sla.TZ)
    return f"{settings.PROVINCE_NAME}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _applicant_name(dossier: Dossier) -> str:
    data = dossier.applicant_data
    return data.get("organisation") or data.get("full_name") or _person(dossier.applicant)


def _counter_agency(dossier: Dossier) -> Agency:
    """The agency whose counter took the dossier in (any counter of the province may), else the competent one."""
    return dossier.received_at_agency or dossier.agency


def _applicant_rows(dossier: Dossier) -> list[tuple[str, str]]:
    data = dossier.applicant_data
    rows = [("Ông (bà) / tổ chức", _applicant_name(dossier))]
    if data.get("tax_code"):
        rows.append(("Mã số thuế", data["tax_code"]))
    if data.get("id_number"):
        rows.append(("Số định danh cá nhân", data["id_number"]))
    rows += [("Địa chỉ", data.get("address", "")), ("Số điện thoại", data.get("phone", ""))]
    if data.get("email"):
        rows.append(("Thư điện tử", data["email"]))
    return rows


def _procedure(dossier: Dossier) -> str:
    return f"{dossier.version.name} (mã thủ tục {dossier.version.procedure.code})"


class QrCode(TypedDict):
    qr_url: str
    qr_caption: str


def _qr(dossier: Dossier, request: HttpRequest | None) -> QrCode:
    return {
        "qr_url": lookup_url(dossier, request),
        "qr_caption": f"Quét mã để tra cứu tình trạng hồ sơ. Mã hồ sơ: {dossier.code}; "
        f"mã tra cứu: {dossier.lookup_key}.",
    }


PAPER_COPIES = ["Bản chính", "Bản sao có chứng thực", "Bản sao"]
PAPER_WIDTHS = (11, 80, 27, 27, 27)


def _paper_rows(components: Sequence[Component]) -> list[list[str]]:
    rows = []
    for number, component in enumerate(components, start=1):
        counts = {"original": "", "certified": "", "copy": ""}
        counts[component.copy_type] = str(component.copies)
        rows.append([str(number), component.name, counts["original"], counts["certified"], counts["copy"]])
    return rows


# --- The slips ------------------------------------------------------------------------------------------------


def receipt(dossier: Dossier, *, request: HttpRequest | None = None) -> pdf.Document:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả: who filed what, the papers received, when the result is due and
    where to collect it, who received it, and the lookup key."""
    reception = _events(dossier, EventAction.RECEIVE)
    receiver = reception[-1].actor if reception else None
    counter = _counter_agency(dossier)
    received = {document.component_id for document in dossier.documents.all()}
    components = [c for c in dossier.version.components.all() if c.pk in received]
    others = [d for d in dossier.documents.all() if d.component_id is None]
    papers = _paper_rows(components)
    papers += [
        [str(len(papers) + i), f"Giấy tờ khác: {d.original_name}", "", "", ""]
        for i, d in enumerate(others, 1)
    ]
    if dossier.channel == Channel.POST:
        collect = f"Qua dịch vụ bưu chính công ích, tại địa chỉ: {dossier.applicant_data.get('address', '')}"
    else:
        collect = f"{COUNTER}, {counter.name}"
        if dossier.channel == Channel.ONLINE:
            collect = f"Trực tuyến trên Cổng dịch vụ công (bản điện tử có chữ ký số) hoặc tại {collect}"
    return pdf.Document(
        agency=counter.name,
        unit=COUNTER,
        code=dossier.code or "",
        code_under_title=True,
        copies=RECEIPT_COPIES,
        title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        paragraphs=[f"{COUNTER}, {pdf.text(counter.name)} đã tiếp nhận hồ sơ của:"],
        rows=[
            *_applicant_rows(dossier),
            ("Nội dung yêu cầu giải quyết", _procedure(dossier)),
            ("Hình thức nộp", CHANNEL_TEXT.get(dossier.channel, dossier.channel)),
            ("Số lượng hồ sơ", "01 (một) bộ; thành phần hồ sơ kê ở bảng dưới"),
            ("Thời gian giải quyết theo quy định", f"{dossier.version.processing_days} ngày làm việc"),
            ("Thời gian nhận hồ sơ", _when(dossier.received_at)),
            ("Thời gian trả kết quả (hẹn trả)", _when(legal_due_at(dossier))),
            ("Nơi nhận kết quả", collect),
            ("Người tiếp nhận", _person(receiver)),
            ("Vào sổ theo dõi hồ sơ", register_line(dossier)),
            ("Mã tra cứu hồ sơ", dossier.lookup_key),
        ],
        table=[["STT", "Thành phần hồ sơ đã nhận", *PAPER_COPIES], *papers],
        table_widths=PAPER_WIDTHS,
        **_qr(dossier, request),
        place_and_date=_place_and_date(dossier.received_at),
        signature_block=["NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", _person(receiver)],
        applicant_signature=["NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", _applicant_name(dossier)],
    )


def register_line(dossier: Dossier) -> str:
    """The register book and entry number of the dossier, as the receipt writes them."""
    entry = getattr(dossier, "register_entry", None)
    if entry is None:  # received before the register was kept
        return ""
    return f"Sổ theo dõi hồ sơ năm {entry.year} của {dossier.agency.name}, số thứ tự {entry.number}"


def missing_components(dossier: Dossier, event: DossierEvent) -> list[Component]:
    """What the supplement request of ``event`` asked for: the components its data names (with the copy type and
    count asked, set on the instance), and each required component that had no document when it was made."""
    named = supplements.named(event)
    had = {d.component_id for d in dossier.documents.all() if d.uploaded_at <= event.at}
    missing = []
    for component in dossier.version.components.all():
        if component.pk in named:
            asked = named[component.pk]
            component.copy_type = asked.get("copy_type") or component.copy_type
            component.copies = asked.get("count") or component.copies
        elif not (component.required and component.pk not in had):
            continue
        missing.append(component)
    return missing


def supplement(dossier: Dossier, *, request: HttpRequest | None = None) -> pdf.Document:
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: what is missing (the staff's comment and each required paper
    without a document, with its copies), who asks, and when."""
    requests = _events(dossier, EventAction.REQUEST_SUPPLEMENT)
    event = requests[-1] if requests else None
    requester = event.actor if event else None
    at_reception = event is None or event.from_state == State.SUBMITTED
    agency = (event and event.actor_agency) or (_counter_agency(dossier) if at_reception else dossier.agency)
    missing = missing_components(dossier, event) if event else []
    comment = event.comment if event else ""
    intro = (
        f"{COUNTER}, {pdf.text(agency.name)} đã kiểm tra"
        if at_reception
        else f"Trong quá trình thẩm định, {pdf.text(agency.name)} đã xem xét"
    )
    paragraphs = [
        f"{intro} hồ sơ của ông (bà) <b>{pdf.text(_applicant_name(dossier))}</b> và thấy hồ sơ chưa đầy đủ, hợp "
        "lệ. Đề nghị ông (bà) bổ sung, hoàn thiện hồ sơ theo các nội dung sau:",
        f"<b>Nội dung yêu cầu bổ sung, hoàn thiện:</b> {pdf.text(comment)}",
    ]
    if missing:
        paragraphs.append(
            "<b>Giấy tờ cần bổ sung:</b> "
            + pdf.text("; ".join(c.name for c in missing))
            + " (số bản ở bảng dưới)."
        )
    paragraphs.append(
        "Hồ sơ được tiếp nhận khi ông (bà) đã bổ sung đầy đủ."
        if at_reception
        else "Thời gian chờ ông (bà) bổ sung không tính vào thời hạn giải quyết hồ sơ."
    )
    paragraphs.append("Ông (bà) nộp bổ sung trực tuyến trên Cổng dịch vụ công hoặc tại bộ phận một cửa.")
    return pdf.Document(
        agency=agency.name,
        code=dossier.code or "",
        title="Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        paragraphs=paragraphs,
        rows=[
            *_applicant_rows(dossier),
            ("Nội dung yêu cầu giải quyết", _procedure(dossier)),
            ("Ngày nộp hồ sơ", _when(dossier.submitted_at)),
            ("Ngày yêu cầu bổ sung", _when(event.at if event else None)),
            (
                "Người yêu cầu",
                f"{_person(requester)} ({ROLE_TEXT.get(requester.role, '') if requester else ''})",
            ),
        ],
        table=[["STT", "Giấy tờ cần bổ sung", *PAPER_COPIES], *_paper_rows(missing)] if missing else (),
        table_widths=PAPER_WIDTHS,
        **_qr(dossier, request),
        place_and_date=_place_and_date(event.at if event else None),
        signature_block=["NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", _person(requester)],
    )


def refusal(dossier: Dossier, *, request: HttpRequest | None = None) -> pdf.Document:
    """Phiếu từ chối tiếp nhận, giải quyết hồ sơ: the dossier, and the reasons it is refused."""
    refusals = _events(dossier, EventAction.REFUSE)
    event = refusals[-1] if refusals else None
    refused_by = event.actor if event else None
    agency = (event and event.actor_agency) or _counter_agency(dossier)
    reason = event.comment if event else ""
    return pdf.Document(
        agency=agency.name,
        code=dossier.code or "",
        unit=COUNTER,
        title="Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        addressee=_applicant_name(dossier),
        rows=[
            *_applicant_rows(dossier),
            ("Nội dung yêu cầu giải quyết", _procedure(dossier)),
            ("Ngày nộp hồ sơ", _when(dossier.submitted_at)),
            ("Ngày từ chối", _when(event.at if event else dossier.closed_at)),
        ],
        paragraphs=[
            f"Qua xem xét hồ sơ của ông (bà) <b>{pdf.text(_applicant_name(dossier))}</b>, "
            f"{pdf.text(agency.name)} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            f"<b>{pdf.text(reason)}</b>",
            pdf.text(GUIDANCE.format(counter=COUNTER.lower(), agency=agency.name)),
            "Xin thông báo để ông (bà) được biết và thực hiện./.",
        ],
        **_qr(dossier, request),
        place_and_date=_place_and_date(event.at if event else dossier.closed_at),
        signature_block=["NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", _person(refused_by)],
    )


def apology(dossier: Dossier, *, request: HttpRequest | None = None) -> pdf.Document:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả: the latest apology, its reason, the due date it missed and
    the new one."""
    issued = list(dossier.apologies.all())
    latest = issued[-1]
    agency = dossier.agency
    name = pdf.text(_applicant_name(dossier))
    return pdf.Document(
        agency=agency.name,
        number=f"{len(issued):02d}/{agency.code}-XL",
        code=dossier.code or "",
        code_under_title=True,
        title="Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        addressee=_applicant_name(dossier),
        recipients=["Như trên;", f"{COUNTER} ({agency.name});", "Lưu: VT, hồ sơ."],
        paragraphs=[
            f"Ngày {_day(dossier.received_at)}, {pdf.text(agency.name)} tiếp nhận giải quyết hồ sơ của "
            f"ông (bà) <b>{name}</b>, mã hồ sơ <b>{pdf.text(dossier.code)}</b>, nội dung yêu cầu giải quyết: "
            f"{pdf.text(_procedure(dossier))}.",
            f"Thời hạn giải quyết theo quy định là {_when(latest.original_due_at)}. Tuy nhiên đến nay, "
            f"{pdf.text(agency.name)} chưa trả kết quả giải quyết hồ sơ cho ông (bà) do: "
            f"<b>{pdf.text(latest.reason)}</b>",
            f"Sự chậm trễ này đã gây phiền hà cho ông (bà). {pdf.text(agency.name)} xin lỗi ông (bà) và sẽ trả "
            f"kết quả giải quyết hồ sơ cho ông (bà) vào <b>{_when(latest.new_due_at)}</b>. "
            f"{pdf.text(agency.name)} đề nghị ông (bà) đồng ý gia hạn thời gian giải quyết hồ sơ đến thời điểm "
            "nêu trên.",
            "Xin trân trọng cảm ơn./.",
        ],
        rows=[
            ("Thời hạn trả kết quả theo quy định", _when(latest.original_due_at)),
            ("Ngày hẹn trả kết quả mới", _when(latest.new_due_at)),
            ("Người lập phiếu", _person(latest.issued_by) or "Cổng dịch vụ công (tự động)"),
        ],
        **_qr(dossier, request),
        place_and_date=_place_and_date(latest.issued_at),
        signature_block=["THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", agency.name],
    )


# --- The process control slip ---------------------------------------------------------------------------------


def _steps_by_stage(dossier: Dossier) -> dict[str, list[Step]]:
    """The procedure's internal steps by the state in which the dossier is at them: the counter's steps before
    the first other role's are reception, those after the last are the return of the result."""
    steps = list(dossier.version.steps.all())
    others = [i for i, step in enumerate(steps) if step.role != Role.RECEIVER]
    first, last = (others[0], others[-1]) if others else (len(steps), len(steps))
    stages: dict[str, list[Step]] = {}
    for i, step in enumerate(steps):
        if step.role == Role.RECEIVER:
            stage = State.SUBMITTED if i < first else State.RESULT_READY if i > last else None
        else:
            stage = State.ASSESSING if step.role == Role.ASSESSOR else State.APPROVING
        if stage is not None:
            stages.setdefault(stage, []).append(step)
    return stages


def step_deadline(start: datetime, days: Decimal | int) -> datetime:
    """The end of a step planned to take ``days`` working days: office end of the working day that many whole
    days after the day it started (a step of under a day is due by the end of the day it started)."""
    day = timezone.localtime(start, sla.TZ).date()
    return sla.end_of_office_day(sla.Calendar().add_working_days(day, int(days)))


def stop(dossier: Dossier, *, request: HttpRequest | None = None) -> pdf.Document:
    """Thông báo dừng giải quyết hồ sơ (form 05 of Circular 03/2025): handling stopped because the applicant
    withdrew the dossier; when it was filed and received, when and at which step it stopped, the reason given."""
    withdrawal = _events(dossier, EventAction.WITHDRAW)[-1]
    agency = dossier.agency
    name = pdf.text(_applicant_name(dossier))
    stopped_at = withdrawal.at
    with translation.override("vi"):
        step = str(State(withdrawal.from_state).label) if withdrawal.from_state else ""
    reason = withdrawal.comment or "Người nộp hồ sơ đề nghị rút hồ sơ."
    received = (
        f"ngày {_day(dossier.received_at)}, {pdf.text(_counter_agency(dossier).name)} đã tiếp nhận hồ sơ"
        if dossier.received_at
        else f"ngày {_day(dossier.submitted_at)}, ông (bà) đã nộp hồ sơ (chưa được tiếp nhận)"
    )
    return pdf.Document(
        agency=agency.name,
        code=dossier.code or "",
        title="Thông báo dừng giải quyết hồ sơ",
        rows=[
            *_applicant_rows(dossier),
            ("Nội dung yêu cầu giải quyết", _procedure(dossier)),
            ("Ngày nộp hồ sơ", _when(dossier.submitted_at)),
            ("Ngày tiếp nhận hồ sơ", _when(dossier.received_at) if dossier.received_at else "Chưa tiếp nhận"),
            ("Dừng giải quyết lúc", _when(stopped_at)),
        ],
        paragraphs=[
            f"Kính gửi: ông (bà) <b>{name}</b>.",
            f"Mã hồ sơ <b>{pdf.text(dossier.code)}</b>: {received}.",
            f"{pdf.text(agency.name)} thông báo dừng giải quyết hồ sơ nêu trên kể từ {_when(stopped_at)}"
            + (f" (bước đang giải quyết: {pdf.text(str(step))})" if step else "")
            + f", theo đề nghị rút hồ sơ của ông (bà), với lý do: <b>{pdf.text(reason)}</b>",
            "Hồ sơ không tiếp tục được giải quyết; nếu còn nhu cầu, ông (bà) nộp hồ sơ mới theo quy định. "
            "Xin thông báo để ông (bà) được biết./.",
        ],
        **_qr(dossier, request),
        place_and_date=_place_and_date(stopped_at),
        signature_block=["THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", agency.name],
    )


def _days_text(days: Decimal | int) -> str:
    """Working days as Vietnamese write them: 0,5 and 10, never 1E+1."""
    return f"{Decimal(str(days)).normalize():f}".replace(".", ",")


def _side(label: str, agency: Agency | None, name: str) -> str:
    text = f"{label}, {agency.name}" if agency is not None else label
    return f"{text}: {name}" if name else text


def _timeliness_text(due_at: datetime | None, at: datetime | None) -> str:
    """Early, on time or late; nothing when either moment is unknown."""
    graded = sla.timeliness(due_at, at)
    return TIMELINESS_TEXT[graded] if graded else ""


def _new_date(event: DossierEvent) -> str:
    new_due_at = event.data.get("new_due_at")
    return pdf.local(datetime.fromisoformat(new_due_at)) if new_due_at else ""


def _control_rows(dossier: Dossier) -> list[list[str]]:
    events = [e for e in dossier.events.all() if e.action in HANDOVER_TEXT]
    stages = _steps_by_stage(dossier)
    applicant = _applicant_name(dossier)
    rows = []
    entered: dict[str, datetime] = {}  # when the dossier last entered each state
    for index, event in enumerate(events):
        if event.action == EventAction.APOLOGY:
            rows.append(
                [
                    HANDOVER_TEXT[event.action],
                    _side("Thủ trưởng cơ quan", dossier.agency, ""),
                    _side("Người nộp hồ sơ", None, applicant),
                    pdf.local(event.at),
                    f"Hẹn trả mới: {_new_date(event)}",
                    "",
                    event.comment,
                    SIGNED_ELECTRONICALLY,
                    "",
                ]
            )
            continue
        sender_label = (
            ROLE_TEXT.get(event.actor.role, HOLDER.get(event.from_state, ""))
            if event.actor
            else HOLDER[State.SIGNING]
        )
        sender = _side(sender_label, event.actor_agency, _person(event.actor))
        taker = next((e for e in events[index + 1 :] if e.from_state == event.to_state), None)
        taker_name = ""
        if event.to_state in HOLDER_ROLE:
            if taker and taker.actor and taker.actor.role == HOLDER_ROLE[event.to_state]:
                taker_name = _person(taker.actor)
            taker_agency = dossier.agency if event.to_state in (State.ASSESSING, State.APPROVING) else None
            taker_agency = taker_agency or (
                taker.actor_agency if taker and taker_name else _counter_agency(dossier)
            )
            receiver = _side(HOLDER[event.to_state], taker_agency, taker_name)
        elif event.to_state == State.SIGNING:
            receiver = HOLDER[State.SIGNING]
        else:
            receiver = _side(HOLDER.get(event.to_state, ""), None, applicant)
        planned, result = "", ""
        stage = FINISHES_STEP.get(event.action)
        steps = stages.get(stage, []) if stage else []
        start = entered.get(stage) if stage else None
        if steps and start is not None:
            days = sum(step.days for step in steps)
            deadline = step_deadline(start, days)
            planned = f"{_days_text(days)} ngày làm việc, hạn {pdf.local(deadline)}"
            result = _timeliness_text(deadline, event.at)
        # The receiving side signs by taking the dossier up (its next action from that state); the applicant at
        # the end signs the register (form 07) when the result is handed over.
        received = SIGNED_ELECTRONICALLY if taker is not None else ""
        rows.append(
            [
                HANDOVER_TEXT[event.action],
                sender,
                receiver,
                pdf.local(event.at),
                planned,
                result,
                event.comment,
                SIGNED_ELECTRONICALLY,
                received,
            ]
        )
        if event.to_state:
            entered[event.to_state] = event.at
    return rows


def legal_due_at(dossier: Dossier) -> datetime | None:
    """The due date the law set: before any apology moved it on."""
    issued = list(dossier.apologies.all())
    return issued[0].original_due_at if issued else dossier.due_at


def overall(dossier: Dossier, now: datetime | None = None) -> str:
    """Early, on time or late against the due date, once the result is handed over; else where the dossier is."""
    due = legal_due_at(dossier)
    if dossier.state in (State.REJECTED, State.WITHDRAWN):
        return "Không áp dụng (hồ sơ đã bị từ chối hoặc đã rút)"
    if dossier.state == State.RETURNED:
        return _timeliness_text(due, dossier.returned_at)
    if due is None:
        return "Chưa tiếp nhận"
    if (now or timezone.now()) > due and dossier.state != State.SUPPLEMENT_REQUESTED:
        return "Quá hạn (chưa trả kết quả)"
    return "Đang giải quyết, trong hạn"


def control(
    dossier: Dossier, *, request: HttpRequest | None = None, now: datetime | None = None
) -> pdf.Document:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: each hand-over with its sender, receiver and time, each
    finished step early, on time or late against the days the procedure plans for it, and the whole dossier
    against its due date."""
    events = list(dossier.events.all())
    last = events[-1].at if events else dossier.submitted_at
    rows = [
        ("Cơ quan giải quyết hồ sơ", dossier.agency.name),
        ("Nơi tiếp nhận hồ sơ", _counter_agency(dossier).name if dossier.received_at_agency_id else ""),
        ("Nội dung yêu cầu giải quyết", _procedure(dossier)),
        ("Người nộp hồ sơ", _applicant_name(dossier)),
        ("Thời gian nhận hồ sơ", _when(dossier.received_at)),
        ("Hạn trả kết quả theo quy định", _when(legal_due_at(dossier))),
    ]
    if dossier.apologies.all():
        rows.append(("Hạn trả kết quả đã hẹn lại", _when(dossier.due_at)))
    if dossier.returned_at:
        rows.append(("Thời gian trả kết quả", _when(dossier.returned_at)))
    rows.append(("Kết quả giải quyết hồ sơ", overall(dossier, now)))
    return pdf.Document(
        agency=dossier.agency.name,
        code=dossier.code or "",
        title="Phiếu kiểm soát quá trình giải quyết hồ sơ",
        code_under_title=True,
        paragraphs=[
            "<i>Chữ ký của bên giao và bên nhận ở mỗi bước do hệ thống thông tin một cửa điện tử ghi nhận tự "
            "động khi bên đó thao tác trên hồ sơ (ký điện tử).</i>"
        ],
        rows=rows,
        table=[
            [
                "Bước",
                "Bên giao",
                "Bên nhận",
                "Thời gian giao, nhận",
                "Thời hạn của bước",
                "Kết quả",
                "Ghi chú",
                "Bên giao ký",
                "Bên nhận ký",
            ],
            *_control_rows(dossier),
        ],
        table_widths=(22, 30, 30, 20, 24, 14, 18, 14, 14),
        **_qr(dossier, request),
        place_and_date=_place_and_date(last),
        signature_block=[],
    )


BUILDERS: dict[str, Callable[..., pdf.Document]] = {
    "receipt": receipt,
    "supplement": supplement,
    "refusal": refusal,
    "apology": apology,
    "stop": stop,
    "control": control,
}
