"""The catalogue's main journeys in headless Chromium: a citizen finds a procedure on a phone, a province admin
publishes a new version, the search narrows by sector.

Pages are Vietnamese by default, so elements are found by id, name, role or the catalogue's own data, never by
English wording; a label the portal renders is taken from the code under the language the page is in.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from procedures.constants import CatalogueAction, OnlineLevel, ProcedureLevel
from procedures.models import Component, Fee, Procedure, Step
from tests.e2e.conftest import log_in
from tests.factories import AgencyFactory, ProcedureFactory, ProcedureVersionFactory, SectorFactory

pytestmark = pytest.mark.e2e

TEMPLATE_PDF = b"%PDF-1.4\n% to khai dang ky khai sinh\n%%EOF\n"


def _publish(
    code: str,
    name: str,
    *,
    sector: Any,
    agency: Any,
    level: str,
    days: int,
    fees: list[tuple[str, int]],
    papers: list[tuple[str, bool, str]],
    steps: list[tuple[str, str, int]],
) -> Any:
    """A published procedure; ``papers`` are (name, required, template file name or "")."""
    version = ProcedureVersionFactory(
        procedure=ProcedureFactory(code=code),
        number=1,
        name=name,
        sector=sector,
        agency=agency,
        level=level,
        processing_days=days,
        online_level=OnlineLevel.FULL,
        published=True,
        content=False,
    )
    Procedure.objects.filter(pk=version.procedure_id).update(published_version=version)
    for i, (fee_name, amount) in enumerate(fees):
        Fee.objects.create(version=version, position=i, name=fee_name, amount=amount)
    for i, (paper, required, template) in enumerate(papers):
        component = Component(version=version, position=i, name=paper, required=required, file_types=["pdf"])
        if template:
            component.template.save(template, ContentFile(TEMPLATE_PDF), save=False)
        component.save()
    for i, (step, role, step_days) in enumerate(steps):
        Step.objects.create(version=version, position=i, name=step, role=role, days=step_days)
    return version


@pytest.fixture
def catalogue(agency_a: Any, agency_b: Any) -> dict[str, Any]:
    """A small real-looking catalogue: civil status, judicial records and construction procedures."""
    commune = AgencyFactory(code="H12.30", name="Ủy ban nhân dân phường Đông Hà", level="commune")
    civil_status = SectorFactory(code="HT", name="Hộ tịch")
    judicial = SectorFactory(code="LLTP", name="Lý lịch tư pháp")
    construction = SectorFactory(code="XD", name="Xây dựng")
    receive = ("Tiếp nhận hồ sơ", "receiver", 1)
    return {
        "birth": _publish(
            "1.001193",
            "Đăng ký khai sinh",
            sector=civil_status,
            agency=commune,
            level=ProcedureLevel.COMMUNE,
            days=1,
            fees=[("Phí cấp bản sao trích lục khai sinh", 8_000)],
            papers=[
                ("Tờ khai đăng ký khai sinh", True, "to-khai-dang-ky-khai-sinh.pdf"),
                ("Giấy chứng sinh", True, ""),
                ("Văn bản ủy quyền", False, ""),
            ],
            steps=[receive, ("Thẩm định, cấp Giấy khai sinh", "assessor", 1)],
        ),
        "death": _publish(
            "1.000656",
            "Đăng ký khai tử",
            sector=civil_status,
            agency=commune,
            level=ProcedureLevel.COMMUNE,
            days=1,
            fees=[],
            papers=[("Tờ khai đăng ký khai tử", True, "")],
            steps=[receive],
        ),
        "marriage": _publish(
            "1.000894",
            "Đăng ký kết hôn",
            sector=civil_status,
            agency=commune,
            level=ProcedureLevel.COMMUNE,
            days=1,
            fees=[],
            papers=[("Tờ khai đăng ký kết hôn", True, "")],
            steps=[receive],
        ),
        "judicial": _publish(
            "2.000488",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            sector=judicial,
            agency=agency_a,
            level=ProcedureLevel.PROVINCE,
            days=10,
            fees=[("Phí cung cấp thông tin lý lịch tư pháp", 200_000)],
            papers=[("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", True, "")],
            steps=[receive, ("Tra cứu, thẩm định", "assessor", 8), ("Ký duyệt", "approver", 1)],
        ),
        "build": _publish(
            "1.009994",
            "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            sector=construction,
            agency=agency_b,
            level=ProcedureLevel.PROVINCE,
            days=15,
            fees=[("Lệ phí cấp giấy phép xây dựng", 75_000)],
            papers=[("Đơn đề nghị cấp giấy phép xây dựng", True, "")],
            steps=[receive, ("Thẩm định hồ sơ", "assessor", 13), ("Ký giấy phép", "approver", 1)],
        ),
        "repair": _publish(
            "1.009997",
            "Cấp giấy phép sửa chữa, cải tạo công trình",
            sector=construction,
            agency=agency_b,
            level=ProcedureLevel.PROVINCE,
            days=15,
            fees=[("Lệ phí cấp giấy phép xây dựng", 75_000)],
            papers=[("Đơn đề nghị cấp giấy phép sửa chữa, cải tạo", True, "")],
            steps=[receive, ("Thẩm định hồ sơ", "assessor", 14)],
        ),
    }


def _results(page: Page) -> Locator:
    return page.locator("#results ul.results > li a.title")


def _facts(page: Page) -> dict[str, Locator]:
    facts = page.locator(".facts .fact b")
    return {"days": facts.nth(0), "fee": facts.nth(1)}


def _days(n: int) -> re.Pattern[str]:
    """The processing time fact, "<n> working days" in whatever words the page's language uses."""
    return re.compile(rf"^\s*{n}\s")


def _assert_fits_the_screen(page: Page) -> None:
    """Nothing sticks out sideways: a citizen on a phone never has to scroll left and right."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_citizen_on_a_phone_finds_birth_registration_without_diacritics_and_sees_what_to_bring(
    phone_page: Page, catalogue: dict[str, Any], screenshot: Any, tmp_path: Path
) -> None:
    page = phone_page
    page.goto(reverse("procedures:search"))
    expect(_results(page)).to_have_count(len(catalogue))
    screenshot(page, "1-search")
    _assert_fits_the_screen(page)
    page.evaluate("window.portalSamePage = true")

    search = page.locator("#id_q")
    search.press_sequentially("dang ky kh")
    expect(_results(page)).to_have_text(["Đăng ký khai sinh", "Đăng ký khai tử"])
    search.press_sequentially("ai sinh")
    expect(_results(page)).to_have_text(["Đăng ký khai sinh"])
    screenshot(page, "2-live-results")
    # The results changed in place as the citizen typed: no submit, no new page load.
    assert page.evaluate("window.portalSamePage") is True
    expect(page).to_have_url(re.compile(r"[?&]q=dang(\+|%20)ky(\+|%20)khai(\+|%20)sinh(&|$)"))

    _results(page).first.click()
    expect(page).to_have_url(re.compile(r"/procedures/1\.001193/$"))
    expect(page.locator("h1")).to_have_text("Đăng ký khai sinh")
    expect(_facts(page)["fee"]).to_have_text("8.000 đ")
    expect(page.locator(".detail")).to_contain_text("Phí cấp bản sao trích lục khai sinh: 8.000 đ")
    papers = page.locator(".detail table tbody tr")
    expect(papers).to_have_count(3)
    expect(papers.nth(0)).to_contain_text("Tờ khai đăng ký khai sinh")
    expect(papers.nth(1)).to_contain_text("Giấy chứng sinh")
    expect(papers.nth(2)).to_contain_text("Văn bản ủy quyền")
    expect(page.locator(".detail ol > li")).to_have_count(2)
    expect(page.locator(".detail ol > li").nth(1)).to_contain_text("Thẩm định, cấp Giấy khai sinh")
    qr = page.locator(f'img[src="{reverse("procedures:qr", args=["1.001193"])}"]')
    page.wait_for_function("img => img.complete", arg=qr.element_handle())
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code image is broken"
    screenshot(page, "3-procedure")
    _assert_fits_the_screen(page)

    with page.expect_download() as download_info:
        papers.nth(0).locator("a[download]").click()
    download = download_info.value
    assert download.suggested_filename == "to-khai-dang-ky-khai-sinh.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == TEMPLATE_PDF
    # Papers without a template offer no download.
    expect(papers.nth(1).locator("a[download]")).to_have_count(0)


def test_province_admin_publishes_a_new_version_and_citizens_see_the_new_days_and_fee(
    desktop_page: Page, phone_page: Page, catalogue: dict[str, Any], province_admin: Any, screenshot: Any
) -> None:
    admin, citizen = desktop_page, phone_page
    public_page = reverse("procedures:detail", args=["2.000488"])
    log_in(admin, "province_admin")
    screenshot(admin, "1-logged-in")

    admin.locator(f'header nav a[href="{reverse("publishing:list")}"]').click()
    admin.get_by_role("link", name="2.000488", exact=True).click()
    expect(admin).to_have_url(re.compile(r"/manage/procedures/2\.000488/$"))
    screenshot(admin, "2-procedure")
    admin.locator(f'form[action="{reverse("publishing:draft", args=["2.000488"])}"] button').click()
    expect(admin).to_have_url(re.compile(r"/manage/versions/\d+/edit/$"))
    expect(admin.locator("#id_processing_days")).to_have_value("10")
    expect(admin.locator("#id_fees-0-amount")).to_have_value("200000")
    admin.locator("#id_processing_days").fill("7")
    admin.locator("#id_fees-0-amount").fill("150000")
    screenshot(admin, "3-edit")
    admin.locator("button[name=preview]").click()

    expect(admin.locator(".preview-banner")).to_be_visible()
    expect(_facts(admin)["days"]).to_have_text(_days(7))
    expect(_facts(admin)["fee"]).to_have_text("150.000 đ")
    screenshot(admin, "4-preview")

    # A saved draft changes nothing for citizens until it is published.
    citizen.goto(public_page)
    expect(_facts(citizen)["days"]).to_have_text(_days(10))
    expect(_facts(citizen)["fee"]).to_have_text("200.000 đ")

    admin.locator(".preview-banner a").click()
    expect(admin).to_have_url(re.compile(r"/manage/procedures/2\.000488/$"))
    admin.locator('form[action$="/publish/"] button').click()
    expect(admin.locator(".messages li.success")).to_be_visible()
    expect(admin.locator('form[action$="/publish/"]')).to_have_count(0)
    with translation.override("vi"):
        published = str(CatalogueAction.PUBLISH.label)
    history = admin.locator("table").last.locator("tbody tr")
    expect(history.first).to_contain_text(f"{published} v2")
    screenshot(admin, "5-published")

    citizen.goto(public_page)
    expect(_facts(citizen)["days"]).to_have_text(_days(7))
    expect(_facts(citizen)["fee"]).to_have_text("150.000 đ")
    expect(citizen.locator(".detail")).to_contain_text("Phí cung cấp thông tin lý lịch tư pháp: 150.000 đ")
    screenshot(citizen, "6-public-page")


def test_picking_a_sector_narrows_the_search_results(
    desktop_page: Page, catalogue: dict[str, Any], screenshot: Any
) -> None:
    page = desktop_page
    page.goto(reverse("procedures:search"))
    expect(_results(page)).to_have_count(len(catalogue))
    page.evaluate("window.portalSamePage = true")

    page.locator("#id_sector").select_option(label="Xây dựng")
    expect(_results(page)).to_have_text(
        ["Cấp giấy phép sửa chữa, cải tạo công trình", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"]
    )
    assert page.evaluate("window.portalSamePage") is True
    screenshot(page, "1-sector")

    page.locator("#id_q").press_sequentially("sua chua")
    expect(_results(page)).to_have_text(["Cấp giấy phép sửa chữa, cải tạo công trình"])

    # The narrowed search is in the address, so reloading or sharing it gives the same results.
    page.reload()
    expect(page.locator("#id_sector")).to_have_value("XD")
    expect(_results(page)).to_have_text(["Cấp giấy phép sửa chữa, cải tạo công trình"])
    screenshot(page, "2-sector-and-words")
