"""The demo province: its catalogue file and one user per role (API.md, "Running it")."""

import datetime
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.constants import Role
from accounts.models import User
from procedures.models import Agency

CATALOGUE = Path(settings.BASE_DIR) / "procedures" / "demo" / "catalogue.json"
FIRST_AGENCY = "H12.01"
SECOND_AGENCY = "H12.02"
PROVINCE_AGENCY = "H12"

USERS = [
    ("citizen", Role.CITIZEN, None, "Nguyễn Văn An"),
    ("citizen2", Role.CITIZEN, None, "Trần Thị Bình"),
    ("receiver", Role.RECEIVER, FIRST_AGENCY, "Lê Thị Thu"),
    ("assessor", Role.ASSESSOR, FIRST_AGENCY, "Phạm Minh Đức"),
    ("approver", Role.APPROVER, FIRST_AGENCY, "Hoàng Văn Hải"),
    ("receiver_b", Role.RECEIVER, SECOND_AGENCY, "Vũ Thị Lan"),
    ("assessor_b", Role.ASSESSOR, SECOND_AGENCY, "Đặng Quốc Khánh"),
    ("approver_b", Role.APPROVER, SECOND_AGENCY, "Bùi Thị Mai"),
    ("province_admin", Role.PROVINCE_ADMIN, PROVINCE_AGENCY, "Đỗ Thanh Tùng"),
    ("leader", Role.LEADER, PROVINCE_AGENCY, "Ngô Quang Vinh"),
]


# What the demo's approvers sign as (Decree 30/2020: the signer's title under the document).
POSITIONS = {"approver": "Phó Giám đốc", "approver_b": "Giám đốc"}


def password() -> str:
    """``$DEMO_PASSWORD``, else one made up once and kept in ``var/demo-password`` so reruns print the same."""
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    path = Path(settings.BASE_DIR) / "var" / "demo-password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    made = "demo-" + secrets.token_urlsafe(9)
    path.write_text(made + "\n", encoding="utf-8")
    return made


# The demo province's own calendar rows (the Government's announced days are dossiers.sla.ANNOUNCED): it says 24
# November is a day off, which the law leaves to be settled (its admin changes this from the calendar page).
CALENDAR = [(datetime.date(2026, 11, 24), "day_off", "Ngày Văn hóa Việt Nam (Nghị quyết 80-NQ/TW)")]


def load_calendar() -> None:
    from dossiers.models import CalendarDay

    for day, kind, note in CALENDAR:
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "note": note})


def load_pki() -> int:
    """A demo CA and a signing certificate for every agency (kept under SIGNING_DIR; made once)."""
    from dossiers import pki

    ca = pki.ensure_demo_ca(settings.PROVINCE_NAME)
    for agency in Agency.objects.all():
        pki.ensure_agency_certificate(
            agency_code=agency.code, agency_name=agency.name, province_name=settings.PROVINCE_NAME, ca=ca
        )
    return Agency.objects.count()


@transaction.atomic
def load_users(*, password: str) -> list[User]:
    users = []
    for username, role, agency_code, full_name in USERS:
        family, _, given = full_name.rpartition(" ")
        user, _ = User.objects.get_or_create(username=username)
        user.role = role
        user.agency = Agency.objects.get(code=agency_code) if agency_code else None
        user.first_name, user.last_name = given, family
        user.email = f"{username}@demo.example"
        user.position = POSITIONS.get(username, "")
        user.set_password(password)
        user.save()
        users.append(user)
    return users
