"""The citizens' pages, by HTTP as a browser uses them: file online from a procedure's page, fill in the draft,
upload the papers (with and without htmx), check and send; follow the dossier; look it up by code and key.

The pages are asked for in English (the language cookie, as the switch sets it) so that the assertions hold once the Vietnamese
translation is filled in.
"""

import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossiers.constants import State
from dossiers.models import Document, Dossier, DossierEvent
from tests.english import in_english
from tests.factories import DossierFactory, ProcedureVersionFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
HTMX = {"HTTP_HX_REQUEST": "true"}
DETAILS = {
    "applicant-full_name": "Nguyễn Văn An",
    "applicant-id_number": "001088000123",
    "applicant-date_of_birth": "1988-05-04",
    "applicant-phone": "0912 345 678",
    "applicant-email": "an@example.vn",
    "applicant-address": "12 Lê Lợi, phường Hòa Bình",
    # The procedure's own form (the factory's): its "full_name" must not clash with the applicant's.
    "form-full_name": "Nguyễn Thị Hoa",
    "form-sex": "Nữ",
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser() -> Client:
    return in_english(Client())


def browser_of(user: Any) -> Client:
    client = in_english(Client())
    client.force_login(user)
    return client


@pytest.fixture
def version(agency_a: Any) -> Any:
    """A published procedure of agency A: a required PDF form with a blank template, an optional copy."""
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    version.components.get(required=True).template.save("to-khai.pdf", ContentFile(PDF))
    return version


@pytest.fixture
def required(version: Any) -> Any:
    return version.components.get(required=True)


def pdf(name: str = "to-khai.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def text(response: Any) -> str:
    return response.content.decode()


def file_url(version: Any) -> str:
    return reverse("dossiers:file", args=[version.procedure.code])


# --- Filing --------------------------------------------------------------------------------------------------


def test_citizen_files_a_dossier_from_the_procedure_page_to_its_code_and_key(
    citizen: Any, version: Any, required: Any
) -> None:
    client = browser_of(citizen)
    procedure_page = client.get(reverse("procedures:detail", args=[version.procedure.code]))
    assert f'action="{file_url(version)}"' in text(procedure_page)

    started = client.post(file_url(version))
    dossier = Dossier.objects.get(applicant=citizen)
    assert started.status_code == 302 and started["Location"] == reverse("dossiers:edit", args=[dossier.pk])
    assert dossier.state == State.DRAFT

    page = client.get(started["Location"])
    assert page.status_code == 200
    assert 'value="Nguyễn Văn An"' in text(page)  # the account's name, filled in
    assert required.name in text(page) and "Bản sao giấy tờ" in text(page)
    assert reverse("procedures:component-template", args=[required.pk]) in text(page)
    # Enter in a text field presses the form's first button: it must save, never remove or upload a paper.
    first_button = re.search(r'<button type="submit"[^>]*>', text(page))
    assert first_button is not None and 'name="save"' in first_button.group(0)

    saved = client.post(started["Location"], {**DETAILS, "save": ""})
    assert saved.status_code == 302
    dossier.refresh_from_db()
    assert dossier.applicant_data["phone"] == "0912345678"
    assert dossier.form_data == {"full_name": "Nguyễn Thị Hoa", "sex": "Nữ"}

    uploaded = client.post(
        reverse("dossiers:upload", args=[dossier.pk, required.pk]), {f"file-{required.pk}": pdf()}, **HTMX
    )
    assert uploaded.status_code == 200
    assert "<html" not in text(uploaded) and f'id="paper-{required.pk}"' in text(uploaded)
    assert "to-khai.pdf" in text(uploaded)
    assert dossier.documents.get().component == required

    review = client.get(reverse("dossiers:review", args=[dossier.pk]))
    assert "Still missing" not in text(review) and "Send my dossier" in text(review)
    assert "Nguyễn Thị Hoa" in text(review) and "04/05/1988" in text(review)

    sent = client.post(reverse("dossiers:review", args=[dossier.pk]), follow=True)
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED and dossier.code
    assert sent.redirect_chain == [(reverse("dossiers:detail", args=[dossier.pk]), 302)]
    assert dossier.code in text(sent) and dossier.lookup_key in text(sent)
    assert "Keep them to follow your dossier" in text(sent)


def test_the_next_dossier_is_filled_in_from_what_the_citizen_gave_before(
    citizen: Any, version: Any, required: Any, agency_a: Any
) -> None:
    client = browser_of(citizen)
    client.post(file_url(version))
    first = Dossier.objects.get(applicant=citizen)
    client.post(reverse("dossiers:edit", args=[first.pk]), {**DETAILS, f"file-{required.pk}": pdf()})
    client.post(reverse("dossiers:review", args=[first.pk]))

    other = ProcedureVersionFactory(published=True, agency=agency_a)
    client.post(file_url(other))
    second = Dossier.objects.get(applicant=citizen, version=other)
    assert second.applicant_data["id_number"] == "001088000123"
    assert second.applicant_data["address"] == "12 Lê Lợi, phường Hòa Bình"
    page = client.get(reverse("dossiers:edit", args=[second.pk]))
    assert 'value="001088000123"' in text(page) and 'value="0912345678"' in text(page)


def test_a_second_visit_to_file_online_continues_the_same_draft(citizen: Any, version: Any) -> None:
    client = browser_of(citizen)
    first = client.post(file_url(version))
    client.post(first["Location"], {"applicant-address": "Thôn 3, xã Yên Bình", "save": ""})
    again = client.get(file_url(version))
    assert again["Location"] == first["Location"]
    assert Dossier.objects.filter(applicant=citizen).count() == 1
    page = client.get(again["Location"])
    assert 'value="Thôn 3, xã Yên Bình"' in text(page)


@pytest.mark.parametrize("method", ["get", "post"])
def test_filing_online_asks_an_anonymous_visitor_to_log_in_first(
    browser: Client, version: Any, method: str
) -> None:
    response = getattr(browser, method)(file_url(version))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={file_url(version)}"
    assert not Dossier.objects.exists()


def test_opening_the_file_online_address_creates_nothing_and_shows_the_button(
    citizen: Any, version: Any
) -> None:
    client = browser_of(citizen)

    page = client.get(file_url(version))

    assert page.status_code == 200
    assert not Dossier.objects.exists()
    assert re.search(
        r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', text(page)
    )
    started = client.post(file_url(version))
    dossier = Dossier.objects.get(applicant=citizen)
    assert started["Location"] == reverse("dossiers:edit", args=[dossier.pk])


@pytest.mark.parametrize("persona", ["receiver", "assessor", "province_admin", "leader"])
def test_staff_are_told_plainly_that_filing_online_is_for_citizens(
    persona: str, version: Any, request: pytest.FixtureRequest
) -> None:
    response = browser_of(request.getfixturevalue(persona)).post(file_url(version))
    assert response.status_code == 403
    assert "This page is for citizens" in text(response)
    assert not Dossier.objects.exists()


def test_filing_a_procedure_that_is_not_published_is_not_found(citizen: Any) -> None:
    for method in ("get", "post"):
        response = getattr(browser_of(citizen), method)(reverse("dossiers:file", args=["9.999999"]))
        assert response.status_code == 404
    assert not Dossier.objects.exists()


def test_without_javascript_saving_the_page_also_uploads_the_chosen_file(
    citizen: Any, version: Any, required: Any
) -> None:
    dossier = DossierFactory(version=version, applicant=citizen, applicant_data={}, form_data={})
    response = browser_of(citizen).post(
        reverse("dossiers:edit", args=[dossier.pk]),
        {**DETAILS, f"file-{required.pk}": pdf(), "upload": str(required.pk)},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#paper-{required.pk}")
    dossier.refresh_from_db()
    assert dossier.applicant_data["id_number"] == "001088000123"
    assert dossier.documents.get().original_name == "to-khai.pdf"


def test_an_unticked_checkbox_is_saved_as_unticked(citizen: Any, agency_a: Any) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a, content=False)
    version.form_fields.create(name="agree", label="Tôi cam đoan", type="checkbox")
    dossier = DossierFactory(version=version, applicant=citizen, form_data={"agree": True})
    browser_of(citizen).post(reverse("dossiers:edit", args=[dossier.pk]), {"save": ""})
    dossier.refresh_from_db()
    assert dossier.form_data == {"agree": False}


def test_invalid_details_are_shown_beside_the_field_and_in_a_summary_and_nothing_is_saved(
    citizen: Any, version: Any
) -> None:
    dossier = DossierFactory(version=version, applicant=citizen)
    before = dict(dossier.applicant_data)
    response = browser_of(citizen).post(
        reverse("dossiers:edit", args=[dossier.pk]), {**DETAILS, "applicant-phone": "12ab", "save": ""}
    )
    assert response.status_code == 400
    page = text(response)
    assert 'class="error-summary"' in page
    assert '<a href="#id_applicant-phone">Phone: A Vietnamese phone number' in page
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_applicant-phone"', page)
    assert 'value="12ab"' in page  # what was typed stays on the page to be corrected
    dossier.refresh_from_db()
    assert dossier.applicant_data == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("to-khai.pdf", PNG, 415, "This paper must be one of: PDF."),  # the type is read from the bytes
        ("to-khai.pdf", PDF + b"0" * (1024 * 1024), 413, "A file may be at most 1 MB."),
    ],
    ids=["wrong type", "too large"],
)
def test_a_bad_upload_is_explained_in_plain_words_and_nothing_is_stored(
    citizen: Any,
    version: Any,
    required: Any,
    settings: Any,
    htmx: bool,
    name: str,
    content: bytes,
    status: int,
    message: str,
) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 1024 * 1024
    dossier = DossierFactory(version=version, applicant=citizen)
    client = browser_of(citizen)
    if htmx:
        response = client.post(
            reverse("dossiers:upload", args=[dossier.pk, required.pk]),
            {f"file-{required.pk}": pdf(name, content)},
            **HTMX,
        )
        # htmx swaps only a 2xx answer: the paper's block comes back with the message in it.
        assert response.status_code == 200
        assert f'id="paper-{required.pk}"' in text(response)
    else:
        response = client.post(
            reverse("dossiers:edit", args=[dossier.pk]),
            {f"file-{required.pk}": pdf(name, content), "upload": str(required.pk)},
        )
        assert response.status_code == status
        assert f'<a href="#paper-{required.pk}">' in text(response)
    assert message in text(response)
    assert not Document.objects.exists()


def test_citizen_removes_a_wrong_file_from_a_draft(citizen: Any, version: Any, required: Any) -> None:
    dossier = DossierFactory(version=version, applicant=citizen)
    client = browser_of(citizen)
    client.post(
        reverse("dossiers:upload", args=[dossier.pk, required.pk]), {f"file-{required.pk}": pdf("sai.pdf")}
    )
    client.post(
        reverse("dossiers:upload", args=[dossier.pk, required.pk]), {f"file-{required.pk}": pdf("dung.pdf")}
    )
    wrong, right = dossier.documents.order_by("id")

    response = client.post(reverse("dossiers:remove", args=[dossier.pk, wrong.pk]), **HTMX)
    assert response.status_code == 200
    assert ">sai.pdf</a>" not in text(response) and ">dung.pdf</a>" in text(response)
    assert "Removed: sai.pdf." in text(response)  # for the page's live region
    # Without JavaScript the "Remove" button posts the page's form.
    client.post(reverse("dossiers:edit", args=[dossier.pk]), {"remove": str(right.pk)})
    assert not dossier.documents.exists()


def test_the_check_page_lists_what_is_missing_with_links_and_will_not_send_it(
    citizen: Any, version: Any, required: Any
) -> None:
    dossier = DossierFactory(version=version, applicant=citizen, form_data={"sex": "Nam"})
    client = browser_of(citizen)
    review = client.get(reverse("dossiers:review", args=[dossier.pk]))
    edit = reverse("dossiers:edit", args=[dossier.pk])
    assert f'<a href="{edit}#paper-{required.pk}">Upload: {required.name}</a>' in text(review)
    assert f'<a href="{edit}#id_form-full_name">Fill in: Họ và tên</a>' in text(review)
    assert "Send my dossier" not in text(review)

    response = client.post(reverse("dossiers:review", args=[dossier.pk]))
    assert response.status_code == 400
    assert "The dossier is not complete" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT and dossier.code is None


def test_a_sent_dossier_can_no_longer_be_edited(citizen: Any, version: Any) -> None:
    dossier = DossierFactory(version=version, applicant=citizen, submitted=True)
    client = browser_of(citizen)
    for name in ("dossiers:edit", "dossiers:review"):
        response = client.get(reverse(name, args=[dossier.pk]))
        assert response.status_code == 302 and response["Location"] == reverse(
            "dossiers:detail", args=[dossier.pk]
        )
    response = client.post(reverse("dossiers:edit", args=[dossier.pk]), {**DETAILS, "save": ""})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.form_data["sex"] == "Nam"


def test_citizen_provides_the_supplement_that_staff_asked_for(
    citizen: Any, version: Any, required: Any, receiver: Any, agency_a: Any
) -> None:
    dossier = DossierFactory(version=version, applicant=citizen, supplement_requested=True)
    DossierEvent.objects.create(
        dossier=dossier,
        action="request_supplement",
        from_state="assessing",
        to_state="supplement_requested",
        actor=receiver,
        actor_agency=agency_a,
        at=timezone.now(),
        comment="Thiếu tờ khai có chữ ký của người yêu cầu.",
    )
    client = browser_of(citizen)
    detail = client.get(reverse("dossiers:detail", args=[dossier.pk]))
    assert "Thiếu tờ khai có chữ ký" in text(detail)
    assert "Provide the supplement" in text(detail)
    edit = client.get(reverse("dossiers:edit", args=[dossier.pk]))
    assert "Thiếu tờ khai có chữ ký" in text(edit)

    client.post(
        reverse("dossiers:upload", args=[dossier.pk, required.pk]), {f"file-{required.pk}": pdf()}, **HTMX
    )
    sent = client.post(reverse("dossiers:review", args=[dossier.pk]), follow=True)
    dossier.refresh_from_db()
    assert dossier.state == State.ASSESSING
    assert "Your supplement is sent" in text(sent)


# --- Following the dossier -----------------------------------------------------------------------------------


def test_the_dossier_page_shows_the_state_in_plain_words_and_the_timeline_by_agency(
    citizen: Any, version: Any, receiver: Any, agency_a: Any
) -> None:
    receiver.first_name, receiver.last_name = "Thu", "Lê Thị"
    receiver.save()
    dossier = DossierFactory(version=version, applicant=citizen, rejected=True)
    now = timezone.now()
    for action, source, target, actor, comment in [
        ("submit", "draft", "submitted", citizen, ""),
        ("refuse", "submitted", "rejected", receiver, "Hồ sơ không thuộc thẩm quyền."),
    ]:
        DossierEvent.objects.create(
            dossier=dossier,
            action=action,
            from_state=source,
            to_state=target,
            actor=actor,
            actor_agency=actor.agency,
            at=now,
            comment=comment,
        )
    page = text(browser_of(citizen).get(reverse("dossiers:detail", args=[dossier.pk])))
    assert "The counter could not accept this dossier" in page
    assert dossier.code in page and dossier.lookup_key in page
    timeline = page[page.index('class="timeline"') :]
    assert timeline.index("Sent") < timeline.index("Refused")
    assert "Sở Tư pháp" in timeline and "Hồ sơ không thuộc thẩm quyền." in timeline
    assert "Lê Thị Thu" not in page
    assert "Withdraw this dossier" not in page


def test_citizen_withdraws_a_dossier_after_confirming(citizen: Any, version: Any) -> None:
    dossier = DossierFactory(version=version, applicant=citizen, received=True)
    client = browser_of(citizen)
    assert reverse("dossiers:withdraw", args=[dossier.pk]) in text(
        client.get(reverse("dossiers:detail", args=[dossier.pk]))
    )
    confirm = client.get(reverse("dossiers:withdraw", args=[dossier.pk]))
    assert "You cannot undo this." in text(confirm)
    dossier.refresh_from_db()
    assert dossier.state == State.ASSESSING

    done = client.post(reverse("dossiers:withdraw", args=[dossier.pk]), {"comment": "Đã nộp ở nơi khác."})
    assert done["Location"] == reverse("dossiers:detail", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.state == State.WITHDRAWN
    assert dossier.events.get(action="withdraw").comment == "Đã nộp ở nơi khác."


def test_a_finished_dossier_cannot_be_withdrawn(citizen: Any, version: Any) -> None:
    dossier = DossierFactory(version=version, applicant=citizen, returned=True)
    client = browser_of(citizen)
    assert client.get(reverse("dossiers:withdraw", args=[dossier.pk])).status_code == 409
    response = client.post(reverse("dossiers:withdraw", args=[dossier.pk]))
    assert response.status_code == 409
    dossier.refresh_from_db()
    assert dossier.state == State.RETURNED


PAGES_OF_A_DOSSIER = [
    ("get", "dossiers:detail"),
    ("get", "dossiers:edit"),
    ("post", "dossiers:edit"),
    ("get", "dossiers:review"),
    ("post", "dossiers:review"),
    ("get", "dossiers:withdraw"),
    ("post", "dossiers:withdraw"),
    ("post", "dossiers:upload"),
    ("post", "dossiers:remove"),
]


@pytest.mark.parametrize(("method", "name"), PAGES_OF_A_DOSSIER)
def test_another_citizen_gets_not_found_on_every_page_of_a_dossier(
    citizen: Any, citizen2: Any, version: Any, required: Any, method: str, name: str
) -> None:
    dossier = DossierFactory(version=version, applicant=citizen)
    document = Document.objects.create(
        dossier=dossier,
        component=required,
        file=f"dossiers/{dossier.pk}/x.pdf",
        storage_key="x.pdf",
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=citizen,
    )
    args = {"dossiers:upload": [dossier.pk, required.pk], "dossiers:remove": [dossier.pk, document.pk]}
    url = reverse(name, args=args.get(name, [dossier.pk]))
    data = {**DETAILS, "comment": "x", f"file-{required.pk}": pdf()} if method == "post" else {}
    response = getattr(browser_of(citizen2), method)(url, data)
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT and dossier.documents.count() == 1
    assert dossier.applicant_data["address"] == "12 Lê Lợi, phường Hòa Bình"


def test_my_dossiers_lists_only_mine_newest_first_in_pages(citizen: Any, citizen2: Any, version: Any) -> None:
    mine = [DossierFactory(version=version, applicant=citizen, submitted=True) for _ in range(23)]
    mine += [DossierFactory(version=version, applicant=citizen) for _ in range(2)]  # two drafts, newest
    theirs = DossierFactory(version=version, applicant=citizen2, submitted=True)
    client = browser_of(citizen)

    first = client.get(reverse("dossiers:mine"))
    listed = [int(pk) for pk in re.findall(r'<a class="title" href="/dossiers/(\d+)/">', text(first))]
    assert listed == [d.pk for d in reversed(mine)][:20]
    assert text(first).count(">Continue<") == 2
    assert theirs.code not in text(first)
    cursor = re.search(r'href="(/dossiers/\?cursor=\d+)"', text(first))
    assert cursor is not None

    second = client.get(cursor.group(1))
    listed = [int(pk) for pk in re.findall(r'<a class="title" href="/dossiers/(\d+)/">', text(second))]
    assert listed == [d.pk for d in reversed(mine)][20:]
    assert "Older dossiers" not in text(second) and theirs.code not in text(second)


def test_my_dossiers_marks_an_overdue_dossier(citizen: Any, version: Any) -> None:
    DossierFactory(
        version=version, applicant=citizen, received=True, due_at=timezone.now() - timezone.timedelta(days=1)
    )
    page = text(browser_of(citizen).get(reverse("dossiers:mine")))
    assert '<span class="badge late">Late</span>' in page


@pytest.mark.parametrize("cursor", ["abc", "-1", "²", "9" * 40])
def test_my_dossiers_ignores_a_cursor_that_is_not_an_id(citizen: Any, version: Any, cursor: str) -> None:
    dossier = DossierFactory(version=version, applicant=citizen, submitted=True)
    response = browser_of(citizen).get(reverse("dossiers:mine"), {"cursor": cursor})
    assert response.status_code == 200 and dossier.code in text(response)


def test_my_dossiers_is_for_citizens(receiver: Any, browser: Client) -> None:
    assert browser_of(receiver).get(reverse("dossiers:mine")).status_code == 403
    response = browser.get(reverse("dossiers:mine"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- Public lookup -------------------------------------------------------------------------------------------


@pytest.fixture
def received(citizen: Any, version: Any) -> Dossier:
    return DossierFactory(version=version, applicant=citizen, received=True)


NOT_FOUND = "No dossier has this code and key. Check both on your receipt."


def test_lookup_with_the_right_key_shows_state_and_dates_and_nothing_personal(
    browser: Client, received: Dossier
) -> None:
    response = browser.get(
        reverse("dossiers:lookup"), {"code": received.code, "key": received.lookup_key.lower()}
    )
    assert response.status_code == 200
    page = text(response)
    assert received.code in page and received.version.name in page and received.agency.name in page
    assert "Received, being checked" in page
    assert timezone.localtime(received.due_at).strftime("%d/%m/%Y") in page
    for personal in ("001088000123", "0912345678", "12 Lê Lợi", "Nguyễn Văn An"):
        assert personal not in page


@pytest.mark.parametrize("wrong", ["code", "key"])
def test_lookup_with_a_wrong_key_looks_like_an_unknown_code(
    browser: Client, received: Dossier, wrong: str
) -> None:
    query = {"code": received.code, "key": received.lookup_key, wrong: "H12.01-000101-9999"}
    response = browser.get(reverse("dossiers:lookup"), query)
    assert response.status_code == 404
    assert NOT_FOUND in text(response)
    assert received.version.name not in text(response)


def test_lookup_without_a_query_shows_the_form(browser: Client) -> None:
    response = browser.get(reverse("dossiers:lookup"))
    assert response.status_code == 200
    assert 'name="code"' in text(response) and 'name="key"' in text(response)
    assert "error-summary" not in text(response)


@pytest.mark.parametrize(
    "query",
    [
        {"code": "H12.01-261123-0001"},
        {"key": "ACDEFGHJKM"},
        {"code": "H12.01\x00-261123", "key": "ACDEFGHJKM"},
        {"code": "H12.01-261123-0001", "key": "ACD\x1bEFGHJK"},
        {"code": "H" * 49, "key": "ACDEFGHJKM"},
        {"code": "H12.01-261123-0001", "key": "K" * 33},
    ],
    ids=["no key", "no code", "NUL in code", "escape in key", "overlong code", "overlong key"],
)
def test_lookup_refuses_bad_input_with_a_form_error(
    browser: Client, received: Dossier, query: dict[str, str]
) -> None:
    response = browser.get(reverse("dossiers:lookup"), query)
    assert response.status_code == 400
    assert 'class="error-summary"' in text(response)
    assert NOT_FOUND not in text(response)


def test_the_receipt_qr_link_opens_the_result_at_once_for_a_logged_in_citizen_too(
    citizen: Any, received: Dossier
) -> None:
    url = f"{reverse('dossiers:lookup')}?code={received.code}&key={received.lookup_key}"
    response = browser_of(citizen).get(url)
    assert response.status_code == 200 and "Received, being checked" in text(response)
