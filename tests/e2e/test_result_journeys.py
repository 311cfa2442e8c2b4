"""The result's content in headless Chromium: the province admin writes a procedure's result template (a bad
placeholder is told beside the field), and an assessor on a phone attaches the drafted result."""

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from reportlab.pdfgen import canvas

from accounts.constants import Role
from dossiers.models import DraftedResult
from procedures.models import FormField, ProcedureVersion
from tests.e2e.conftest import log_in
from tests.factories import DossierFactory, ProcedureFactory, ProcedureVersionFactory, UserFactory

pytestmark = pytest.mark.e2e


def _fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.fixture
def permit(agency_a: Any) -> ProcedureVersion:
    version = ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.013225"),
        number=1,
        name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        agency=agency_a,
        published=True,
        result="Giấy phép xây dựng",
    )
    FormField.objects.filter(version=version).delete()
    FormField.objects.create(version=version, position=0, name="owner_name", label="Chủ đầu tư", type="text")
    return version


def test_the_province_admin_writes_the_result_template_and_is_told_of_a_bad_placeholder(
    desktop_page: Page, phone_page: Page, permit: ProcedureVersion, province_admin: Any, screenshot: Any
) -> None:
    admin = desktop_page
    log_in(admin, "province_admin")
    admin.goto(reverse("publishing:procedure", args=[permit.procedure.code]))
    admin.locator(
        f'form[action="{reverse("publishing:draft", args=[permit.procedure.code])}"] button'
    ).click()
    expect(admin).to_have_url(re.compile(r"/manage/versions/\d+/edit/$"))
    admin.locator("#id_result_title").fill("Giấy phép xây dựng")
    admin.locator("#id_result_symbol").fill("GPXD")
    admin.locator("#id_result_template").fill("Cấp cho: <b>{{ form.owner }}</b>")
    admin.locator("button[name=save]").click()

    error = admin.locator("#result-document .errorlist")
    expect(error).to_contain_text("{{ form.owner }}")
    screenshot(admin, "1-bad-placeholder")
    admin.locator("#id_result_template").fill(
        "Cấp cho: <b>{{ form.owner_name }}</b>\n\nĐịa chỉ: {{ applicant.address }}"
    )
    admin.locator("button[name=save]").click()
    expect(admin).to_have_url(re.compile(r"/manage/procedures/1\.013225/$"))
    draft = permit.procedure.versions.get(state="draft")
    assert draft.result_template.startswith("Cấp cho: <b>{{ form.owner_name }}</b>")

    log_in(phone_page, "province_admin")
    phone_page.goto(reverse("publishing:edit", args=[draft.pk]))
    phone_page.locator("#result-document").scroll_into_view_if_needed()
    expect(phone_page.locator("#id_result_template")).to_have_value(re.compile("form.owner_name"))
    _fits_the_screen(phone_page)
    screenshot(phone_page, "2-phone")


def test_an_assessor_on_a_phone_attaches_the_drafted_result(
    phone_page: Page, permit: ProcedureVersion, citizen: Any, agency_a: Any, screenshot: Any, tmp_path: Path
) -> None:
    UserFactory(username="assessor", role=Role.ASSESSOR, agency=agency_a)
    dossier = DossierFactory(version=permit, applicant=citizen, received=True)
    out = BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 760, "GIAY PHEP XAY DUNG")
    page.save()
    drafted = tmp_path / "giay-phep.pdf"
    drafted.write_bytes(out.getvalue())

    log_in(phone_page, "assessor")
    phone_page.goto(reverse("console:dossier", args=[dossier.pk]))
    section = phone_page.locator("section[aria-labelledby=h-drafted]")
    expect(section).to_be_visible()
    phone_page.locator("#drafted-file").set_input_files(str(drafted))
    section.locator("button[type=submit]").click()

    expect(phone_page.locator(".messages li.success")).to_be_visible()
    expect(section.locator("a")).to_have_text("giay-phep.pdf")
    _fits_the_screen(phone_page)
    screenshot(phone_page, "1-attached")
    assert DraftedResult.objects.get(dossier=dossier).pages == 1
