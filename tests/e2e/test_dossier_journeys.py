"""The dossier's main journeys in headless Chromium: a citizen files online, pays in the sandbox and downloads the
signed result; a walk-in is entered, paid and received at the counter of another agency.

Signing uses a demo PKI made once per session in a temporary folder; Celery runs in process (eagerly) in the live
server, so approving a dossier signs its result before the approver's page comes back. Elements are found by id,
name, the URL they point to or the dossier's own data, never by English wording.
"""

import re
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas

from dossiers import pki, signers
from dossiers.models import Dossier
from procedures.models import Component
from tests import pki_service
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories import ProcedureVersionFactory

pytestmark = pytest.mark.e2e

PROVINCE = "Tỉnh Hòa Bình Xanh"
PDFTOPPM = "/usr/bin/pdftoppm"
CODE = re.compile(r"^H12\.01-\d{6}-\d{4}$")


def _paper_pdf() -> bytes:
    """A small, real one-page PDF: the scanned form the applicant uploads."""
    out = BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, "To khai yeu cau cap Phieu ly lich tu phap - Nguyen Thi Mai")
    page.save()
    return out.getvalue()


PAPER = {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": _paper_pdf()}


# --- Fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any, Any, str]]:
    """A demo CA made once per session (an RSA key takes a moment), its CRL, OCSP and time-stamping services
    running until the session ends: (folder, certificate, key, the services' address)."""
    directory = tmp_path_factory.mktemp("pki")
    url = pki_service.service_url()
    with override_settings(SIGNING_DIR=str(directory), SIGNING_PKI_URL=url):
        cert, key = pki.ensure_demo_ca(PROVINCE)
    service = pki_service.start(directory, url)
    yield directory, cert, key, url
    service.stop()


@pytest.fixture(autouse=True)
def portal_services(
    demo_ca: tuple[Path, Any, Any, str], settings: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The live server signs with the demo PKI, pays through the sandbox and runs its tasks in process."""
    from portal.celery import app

    # Read before the settings change: Celery loads its configuration from them on first use.
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    directory, _cert, _key, url = demo_ca
    settings.SIGNER = "pkcs12"
    settings.SIGNING_DIR = str(directory)
    settings.SIGNING_PKI_URL = url
    settings.SIGNING_TSA_URL = pki.tsa_url(url)
    settings.SIGNING_CA_CERT = ""
    settings.SIGNING_PKCS12_PASSPHRASE = ""
    settings.PROVINCE_NAME = PROVINCE
    settings.PUBLIC_BASE_URL = live_server.url
    settings.PAYMENT_SANDBOX_SECRET = "e2e-sandbox-secret"
    settings.PAYMENT_PROVIDERS = ["sandbox", "counter"]
    settings.SMS_BACKEND = "console"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    monkeypatch.setattr(signers, "_instances", {})
    # Celery read its configuration once, so the settings above do not reach it; set it on the app itself.
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def version(agency_a: Any, demo_ca: tuple[Path, Any, Any, str]) -> Any:
    """A published procedure of agency A with a 50,000 đ fee due before reception; the agency can sign."""
    directory, cert, key, url = demo_ca
    with override_settings(SIGNING_DIR=str(directory), SIGNING_PKI_URL=url, SIGNING_PKCS12_PASSPHRASE=""):
        pki.ensure_agency_certificate(
            agency_code=agency_a.code, agency_name=agency_a.name, province_name=PROVINCE, ca=(cert, key)
        )
    return ProcedureVersionFactory(
        published=True,
        agency=agency_a,
        name="Cấp Phiếu lý lịch tư pháp",
        result="Phiếu lý lịch tư pháp",
    )


# --- Helpers --------------------------------------------------------------------------------------------------


def _vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def _action(page: Page, dossier: Dossier, name: str) -> Any:
    return page.locator(f'form[action="{reverse("console:action", args=[dossier.pk, name])}"]')


def _open_from_queue(page: Page, queue: str, dossier: Dossier) -> None:
    page.goto(reverse("console:queue", args=[queue]))
    link = page.locator(f"#row-{dossier.pk} a.code")
    expect(link).to_have_text(dossier.code)
    link.click()
    expect(page).to_have_url(re.compile(rf"/console/dossiers/{dossier.pk}/$"))
    expect(page.locator(".dossier-head h1 .code")).to_have_text(dossier.code)


def _download_pdf(page: Page, url: str, path: Path) -> bytes:
    """Fetch ``url`` with the page's session; it must be a PDF. Kept at ``path`` and rendered beside it."""
    response = page.request.get(url)
    assert response.status == 200, f"{url} answered {response.status}"
    assert response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert data.startswith(b"%PDF")
    path.write_bytes(data)
    if Path(PDFTOPPM).exists() and shutil.which(PDFTOPPM):
        subprocess.run(  # noqa: S603 - a fixed program on a file this test wrote
            [PDFTOPPM, "-r", "50", "-png", str(path), str(path.with_suffix(""))], check=True
        )
    return data


def _signature_status(data: bytes, ca_cert: Any) -> Any:
    """pyHanko's validation of the last signature of ``data``, trusting only the demo CA.

    pyHanko runs its own event loop; Playwright's already runs in this thread, so it validates in another one.
    """
    root = asn1_x509.Certificate.load(ca_cert.public_bytes(serialization.Encoding.DER))
    signature = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, signature, ValidationContext(trust_roots=[root])).result()


# --- Journeys -------------------------------------------------------------------------------------------------


def test_a_citizen_files_online_pays_in_the_sandbox_and_staff_take_it_to_a_signed_result(
    phone_page: Page,
    desktop_page: Page,
    version: Any,
    citizen: Any,
    receiver: Any,
    assessor: Any,
    approver: Any,
    demo_ca: tuple[Path, Any, Any],
    screenshot: Any,
    request: pytest.FixtureRequest,
) -> None:
    code = version.procedure.code
    paper = Component.objects.get(version=version, required=True)
    files = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The citizen, on a phone, starts from the procedure's public page.
    page = phone_page
    log_in(page, "citizen")
    page.goto(reverse("procedures:detail", args=[code]))
    page.locator(f'form[action="{reverse("dossiers:file", args=[code])}"] button').click()
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/edit/$"))
    dossier_id = int(re.search(r"/dossiers/(\d+)/edit/", page.url).group(1))  # type: ignore[union-attr]
    screenshot(page, "1-draft")

    page.locator("#id_applicant-full_name").fill("Nguyễn Thị Mai")
    page.locator("#id_applicant-id_number").fill("001190000456")
    page.locator("#id_applicant-phone").fill("0912 345 678")
    page.locator("#id_applicant-address").fill("12 Lê Lợi, phường Hòa Bình")
    page.locator("#id_form-full_name").fill("Nguyễn Thị Mai")
    page.locator("#id_form-sex").select_option("Nữ")

    # The paper goes up on its own (htmx); only its block changes.
    page.locator(f"#file-{paper.pk}").set_input_files(PAPER)
    page.locator(f"#upload-{paper.pk}").click()
    expect(page.locator(f"#paper-{paper.pk} ul.files")).to_contain_text("to-khai.pdf")
    page.locator(".actions-bar button[name=save]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    expect(page.locator("#id_applicant-id_number")).to_have_value("001190000456")
    expect(page.locator("#id_form-sex")).to_have_value("Nữ")
    screenshot(page, "2-filled")

    page.locator(".actions-bar button[name=review]").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{dossier_id}/review/$"))
    expect(page.locator("#missing")).to_have_count(0)
    expect(page.locator(".citizen")).to_contain_text("Nguyễn Thị Mai")
    expect(page.locator(".citizen")).to_contain_text("50.000 đ")
    screenshot(page, "3-review")
    page.locator("form.send button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/dossiers/{dossier_id}/$"))
    dossier = Dossier.objects.get(pk=dossier_id)
    assert dossier.state == "submitted"
    assert CODE.match(dossier.code)
    keys = page.locator(".facts.keys b.code")
    expect(keys).to_have_text([dossier.code, dossier.lookup_key])
    expect(page.locator(".messages li.success")).to_contain_text(dossier.lookup_key)
    fee = page.locator("section.invoice")
    expect(fee).to_contain_text("50.000 đ")
    expect(fee.locator(".badge.draft")).to_be_visible()
    screenshot(page, "4-sent")

    # Pay online in the sandbox, and come back to the portal's return page.
    fee.locator("button[name=provider][value=sandbox]").click()
    expect(page).to_have_url(re.compile(r"/payments/sandbox/pay/\?"))
    expect(page.locator("main")).to_contain_text("50.000 đ")
    screenshot(page, "5-sandbox")
    page.locator("button[name=decision][value=pay]").click()
    expect(page).to_have_url(re.compile(r"/payments/return/sandbox/\?"))
    expect(page.locator("h1")).to_contain_text(_vi("The fee is paid"))
    receipt_url = reverse("payments-api:receipt", args=[dossier_id])
    expect(page.locator(f'a[href="{receipt_url}"]')).to_be_visible()
    screenshot(page, "6-paid")
    receipt = _download_pdf(page, receipt_url, files.with_name(files.name + "-receipt.pdf"))
    assert len(receipt) > 500

    page.locator(f'a[href="{reverse("dossiers:detail", args=[dossier_id])}"]').click()
    expect(page.locator("section.invoice .badge.published")).to_be_visible()
    expect(page.locator(f'section.invoice a[href="{receipt_url}"]')).to_be_visible()

    # The receiver finds it in the receive queue and receives it: the fee is paid, nothing holds it back.
    staff = desktop_page
    log_in(staff, "receiver")
    _open_from_queue(staff, "receive", dossier)
    screenshot(staff, "7-to-receive")
    _action(staff, dossier, "receive").locator("textarea").fill("Đủ giấy tờ, đã thu phí trực tuyến.")
    _action(staff, dossier, "receive").locator("button[type=submit]").click()
    expect(staff.locator(".messages li.success")).to_contain_text(dossier.code)
    expect(staff.locator(".dossier-head .badge.state-assessing")).to_be_visible()

    # The assessor proposes to grant it, with a note.
    log_in(staff, "assessor")
    _open_from_queue(staff, "assess", dossier)
    assess = _action(staff, dossier, "assess")
    assess.locator("input[name=assess-outcome][value=grant]").check()
    assess.locator("textarea").fill("Không có án tích. Đề nghị cấp phiếu.")
    screenshot(staff, "8-assess")
    assess.locator("button[type=submit]").click()
    expect(staff.locator(".messages li.success")).to_contain_text(dossier.code)
    expect(staff.locator(".dossier-head .badge.state-approving")).to_be_visible()

    # The approver approves as proposed; the result is signed at once (tasks run in process).
    log_in(staff, "approver")
    _open_from_queue(staff, "approve", dossier)
    approve = _action(staff, dossier, "approve")
    expect(approve.locator("input[name=approve-outcome][value='']")).to_be_checked()
    approve.locator("textarea").fill("Đồng ý.")
    approve.locator("button[type=submit]").click()
    expect(staff.locator(".messages li.success")).to_contain_text(dossier.code)
    expect(staff.locator(".dossier-head .badge.state-result_ready")).to_be_visible()
    expect(staff.locator(".console-history")).to_contain_text("Đề nghị cấp phiếu")
    screenshot(staff, "9-approved")

    # The citizen sees the result ready and downloads it, signed by agency A under the demo CA.
    page.goto(reverse("dossiers:detail", args=[dossier_id]))
    expect(page.locator(".state-card .badge.state-result_ready")).to_be_visible()
    result_url = reverse("dossiers-api:result", args=[dossier_id])
    expect(page.locator(f'.state-card a[href="{result_url}"]')).to_be_visible()
    # Notes between staff stay inside: the citizen's history does not show them.
    expect(page.locator(".timeline")).not_to_contain_text("Đề nghị cấp phiếu")
    screenshot(page, "10-result-ready")
    result = _download_pdf(page, result_url, files.with_name(files.name + "-result.pdf"))
    status = _signature_status(result, demo_ca[1])
    assert status.intact
    assert status.valid
    assert status.trusted


def test_a_walk_in_is_entered_paid_at_the_desk_and_received_at_the_counter(
    desktop_page: Page, version: Any, receiver_b: Any, assessor: Any, screenshot: Any
) -> None:
    code = version.procedure.code
    paper = Component.objects.get(version=version, required=True)
    page = desktop_page

    # A receiver of agency B takes a dossier of agency A's procedure: the province has no boundaries.
    log_in(page, "receiver_b")
    page.goto(reverse("console:home"))
    page.locator(f'.console-bar a[href="{reverse("console:walk_in")}"]').click()
    page.locator("#walk-in-procedure").select_option(code)
    page.locator("form:has(#walk-in-procedure) button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/console/walk-in/\?procedure={re.escape(code)}$"))
    expect(page.locator(".walk-in-summary .notice")).to_contain_text(version.agency.name)

    page.locator("#id_applicant-full_name").fill("Trần Văn Bình")
    page.locator("#id_applicant-id_number").fill("001085000789")
    page.locator("#id_applicant-phone").fill("0987654321")
    page.locator("#id_applicant-address").fill("5 Trần Hưng Đạo, phường Đông Hà")
    page.locator("#id_form-full_name").fill("Trần Văn Bình")
    page.locator("#id_form-sex").select_option("Nam")
    screenshot(page, "1-person")
    page.locator("form:has(input[name=procedure]) button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/console/walk-in/\d+/$"))
    dossier_id = int(re.search(r"/walk-in/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    expect(page.locator(".receive-now .row-error")).to_contain_text(paper.name)
    component = page.locator(f"#component-{paper.pk}")
    component.locator("input[type=file]").set_input_files(PAPER)
    component.locator("button[type=submit]").click()
    expect(page.locator(f"#component-{paper.pk} .uploaded")).to_contain_text("to-khai.pdf")
    expect(page.locator(".receive-now .row-error")).to_have_count(0)
    screenshot(page, "2-papers")

    # "Receive now" submits it (code and key issued), but reception waits for the fee.
    page.locator(".receive-now button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/console/dossiers/{dossier_id}/$"))
    dossier = Dossier.objects.get(pk=dossier_id)
    assert dossier.state == "submitted"
    assert CODE.match(dossier.code)
    expect(page.locator(".messages li.warning")).to_contain_text(dossier.code)
    expect(page.locator(".messages li.warning")).to_contain_text(dossier.lookup_key)
    expect(page.locator(".dossier-head .badge.state-submitted")).to_be_visible()
    fee = page.locator("section.invoice")
    expect(fee).to_contain_text("50.000 đ")
    expect(fee.locator(".badge.draft")).to_be_visible()
    screenshot(page, "3-waiting-for-the-fee")

    # The person pays by card at the desk; then the receiver receives it.
    fee.locator(f"#fee-method-{dossier_id}").select_option("card")
    fee.locator(f"#fee-ref-{dossier_id}").fill("POS-000123")
    fee.locator("form[action$='/counter-payment/'] button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    expect(page.locator("section.invoice .badge.published")).to_be_visible()
    receive = _action(page, dossier, "receive")
    receive.locator("button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_contain_text(dossier.code)
    expect(page.locator(".dossier-head .badge.state-assessing")).to_be_visible()
    expect(page.locator(".console-facts")).to_contain_text(receiver_b.agency.name)
    screenshot(page, "4-received")
    dossier.refresh_from_db()
    assert dossier.received_at_agency_id == receiver_b.agency_id
    assert dossier.agency_id == version.agency_id

    # It waits in agency A's assess queue.
    log_in(page, "assessor")
    _open_from_queue(page, "assess", dossier)
    expect(page.locator(".console-main")).to_contain_text("Trần Văn Bình")
    screenshot(page, "5-in-agency-a-queue")
