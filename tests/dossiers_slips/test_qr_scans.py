"""Every slip's QR code, scanned from the PDF as a phone would, opens the public lookup of its dossier."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from dossiers import schedule, slips
from tests.dossiers_slips.conftest import Journey, at
from tests.dossiers_slips.test_slips import KINDS
from tests.qr import qr_codes

PUBLIC = "https://dichvucong.example.gov.vn"
# A state in which the dossier has the slip (an apology is issued on top of assessing).
STATE = {
    "receipt": "returned",
    "supplement": "supplement_requested",
    "refusal": "rejected",
    "apology": "assessing",
    "stop": "withdrawn",
    "control": "submitted",
}


def with_slip(journey: Journey, kind: str) -> Any:
    journey.to(STATE[kind])
    if kind == "apology":
        schedule.apology_issue(
            dossier_id=journey.dossier.pk,
            reason="Chờ xác minh.",
            new_due_at=at("2027-03-22", "17:00"),
            now=at("2027-03-15", "16:00"),
        )
    dossier = slips.load(journey.dossier.pk)
    assert kind in slips.available_kinds(dossier)
    return dossier


@pytest.mark.parametrize("kind", KINDS)
def test_the_qr_code_of_each_slip_scans_to_the_dossiers_public_lookup(
    journey: Journey, settings: Any, kind: str
) -> None:
    settings.PUBLIC_BASE_URL = PUBLIC
    dossier = with_slip(journey, kind)

    # The receipt is two copies (form 01's "Liên 1", "Liên 2"), each page with its own code; the others are one.
    codes = qr_codes(slips.render(dossier, kind))
    assert len(codes) == (2 if kind == "receipt" else 1)
    scanned = codes[0]
    assert set(codes) == {scanned}

    url = urlsplit(scanned)
    assert f"{url.scheme}://{url.netloc}{url.path}" == PUBLIC + reverse("dossiers:lookup")
    assert parse_qs(url.query) == {"code": [dossier.code], "key": [dossier.lookup_key]}


def test_with_nothing_set_the_demos_slips_scan_to_the_address_dev_sh_serves(journey: Journey) -> None:
    dossier = with_slip(journey, "receipt")

    scanned, second = qr_codes(slips.render(dossier, "receipt"))

    assert second == scanned
    assert scanned.startswith("http://127.0.0.1:8000/lookup/?")
