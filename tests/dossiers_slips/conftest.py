"""Fixtures of the slip and schedule tests: a procedure of agency A with four planned steps, and ``Journey``, which
takes a dossier through the workflow as the personas, at given local times, so its history is real."""

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from dossiers import workflow
from dossiers.models import Document, Dossier
from dossiers.sla import TZ
from procedures.models import Component, ProcedureVersion, Step
from tests.factories import DossierFactory, ProcedureVersionFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(day: str, clock: str = "09:00") -> datetime:
    """A moment in the province's time zone: ``at("2027-03-08", "14:30")``."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=TZ)


@pytest.fixture
def version(agency_a: Any) -> ProcedureVersion:
    """Five working days, planned as reception ½ day, assessment 3, approval 1, return ½; no fee to wait for.

    Papers: a form (original, required), copies of papers (optional, 2 copies), a certified copy of the birth
    certificate (optional)."""
    version = ProcedureVersionFactory(
        published=True, agency=agency_a, processing_days=5, name="Cấp Phiếu lý lịch tư pháp cho công dân"
    )
    version.fees.all().delete()
    version.steps.all().delete()
    for position, (name, role, days) in enumerate(
        [
            ("Tiếp nhận, kiểm tra hồ sơ", "receiver", "0.5"),
            ("Thẩm định hồ sơ, đề xuất kết quả", "assessor", "3"),
            ("Xem xét, ký duyệt kết quả", "approver", "1"),
            ("Trả kết quả cho người yêu cầu", "receiver", "0.5"),
        ]
    ):
        Step.objects.create(version=version, position=position, name=name, role=role, days=Decimal(days))
    Component.objects.create(
        version=version,
        position=2,
        name="Bản sao có chứng thực Giấy khai sinh",
        required=False,
        copies=1,
        copy_type="certified",
    )
    return version


def attach_papers(dossier: Dossier, *, only_required: bool = False) -> None:
    """A document row for each component (or each required one), without writing files."""
    for component in dossier.version.components.all():
        if only_required and not component.required:
            continue
        Document.objects.create(
            dossier=dossier,
            component=component,
            file=f"dossiers/{dossier.pk}/paper-{component.pk}.pdf",
            storage_key=f"d{dossier.pk}c{component.pk}.pdf",
            original_name="giay-to.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=dossier.created_by,
        )


class Journey:
    """Take a dossier through the workflow as real people, each step at a given local time."""

    def __init__(self, dossier: Dossier, people: dict[str, Any]) -> None:
        self.dossier = dossier
        self.people = people

    def do(self, action: str, who: str | None, when: datetime, comment: str = "", **params: Any) -> "Journey":
        actor = self.people[who] if who else None
        given = workflow.TRANSITIONS[action].input(comment=comment, **params)
        workflow.apply(dossier_id=self.dossier.pk, action=action, actor=actor, input=given, now=when)
        self.dossier.refresh_from_db()
        return self

    def to(self, state: str, start: datetime | None = None) -> "Journey":
        """Bring the dossier from draft to ``state`` along the usual path, a working day a step from ``start``."""
        paths = {
            "draft": [],
            "submitted": ["submit"],
            "assessing": ["submit", "receive"],
            "approving": ["submit", "receive", "assess"],
            "signing": ["submit", "receive", "assess", "approve"],
            "result_ready": ["submit", "receive", "assess", "approve", "signed"],
            "returned": ["submit", "receive", "assess", "approve", "signed", "return"],
            "supplement_requested": ["submit", "receive", "request_supplement"],
            "rejected": ["submit", "refuse"],
            "withdrawn": ["submit", "withdraw"],
        }
        who = {
            "submit": "citizen",
            "receive": "receiver",
            "refuse": "receiver",
            "request_supplement": "assessor",
            "assess": "assessor",
            "approve": "approver",
            "signed": None,
            "return": "receiver",
            "withdraw": "citizen",
        }
        days = ["2027-03-08", "2027-03-08", "2027-03-09", "2027-03-10", "2027-03-10", "2027-03-11"]
        for number, action in enumerate(paths[state]):
            when = at(days[number], f"{9 + number:02d}:00") if start is None else start
            comment = "Thiếu bản sao Giấy khai sinh." if action in ("request_supplement", "refuse") else ""
            outcome = {"outcome": "grant"} if action == "assess" else {}
            self.do(action, who[action], when, comment=comment, **outcome)
        return self


STAFF_NAMES = {
    "receiver": ("Lan", "Trần Thị"),
    "assessor": ("Minh", "Lê Văn"),
    "approver": ("Hùng", "Phạm Quốc"),
}


@pytest.fixture
def people(citizen: Any, receiver: Any, assessor: Any, approver: Any) -> dict[str, Any]:
    """The personas of agency A, each staff member with their own name so the slips can tell them apart."""
    staff = {"receiver": receiver, "assessor": assessor, "approver": approver}
    for role, user in staff.items():
        user.first_name, user.last_name = STAFF_NAMES[role]
        user.save(update_fields=["first_name", "last_name"])
    return {"citizen": citizen, **staff}


@pytest.fixture
def journey(version: ProcedureVersion, citizen: Any, people: dict[str, Any]) -> Journey:
    """A complete draft of ``citizen`` for ``version``, every paper attached, ready to be taken along."""
    dossier = DossierFactory(
        version=version,
        applicant=citizen,
        applicant_data={
            "full_name": "Nguyễn Thị Hồng Nhung",
            "id_number": "001188000456",
            "phone": "0987654321",
            "email": "nhung@example.vn",
            "address": "Số 5 ngõ 12 đường Trần Hưng Đạo, phường Phương Lâm",
        },
    )
    attach_papers(dossier)
    return Journey(dossier, people)
