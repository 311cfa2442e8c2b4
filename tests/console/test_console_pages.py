"""The counter console's pages: queues, the dossier page and its action forms, walk-in filing."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dossiers.constants import State
from dossiers.models import Dossier, DossierEvent
from dossiers.views import console
from tests.english import in_english
from tests.factories import DossierFactory, ProcedureVersionFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Every factory-made user hashes a password; a fast hasher keeps a 40-row queue quick to set up."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def version_a(agency_a: Any) -> Any:
    return ProcedureVersionFactory(published=True, agency=agency_a, name="Đăng ký khai sinh")


@pytest.fixture
def version_a2(agency_a: Any) -> Any:
    return ProcedureVersionFactory(published=True, agency=agency_a, name="Đăng ký kết hôn")


@pytest.fixture
def version_a_fee_at_return(agency_a: Any) -> Any:
    """A procedure whose fee is paid when the result is handed over, so reception does not wait for it."""
    return ProcedureVersionFactory(
        published=True, agency=agency_a, name="Cấp bản sao trích lục hộ tịch", fee_due="before_return"
    )


@pytest.fixture
def version_b(agency_b: Any) -> Any:
    return ProcedureVersionFactory(published=True, agency=agency_b, name="Cấp giấy phép xây dựng")


@pytest.fixture
def client_of() -> Callable[[Any], Client]:
    """``client_of(user)``: a browser session logged in as ``user`` (anonymous for ``None``)."""

    def make(user: Any) -> Client:
        client = in_english(Client())  # the assertions read the English words
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


def rows(response: Any) -> dict[int, str]:
    """The queue's rows by dossier id, each as its HTML."""
    html = response.content.decode()
    return {int(pk): row for pk, row in re.findall(r'<tr id="row-(\d+)".*?>(.*?)</tr>', html, re.S)}


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Who may open which page ----------------------------------------------------------------------------------

PAGES = ["home", "queue", "dossier", "walk_in"]
# persona → expected status per page (home redirects staff to their queue).
ACCESS = {
    None: {"home": 302, "queue": 302, "dossier": 302, "walk_in": 302},
    "citizen": {"home": 403, "queue": 403, "dossier": 403, "walk_in": 403},
    "province_admin": {"home": 403, "queue": 403, "dossier": 403, "walk_in": 403},
    "leader": {"home": 403, "queue": 403, "dossier": 403, "walk_in": 403},
    "receiver": {"home": 302, "queue": 200, "dossier": 200, "walk_in": 200},
    "assessor": {"home": 302, "queue": 200, "dossier": 200, "walk_in": 403},
    "approver": {"home": 302, "queue": 200, "dossier": 200, "walk_in": 403},
}


@pytest.mark.parametrize("persona", list(ACCESS))
@pytest.mark.parametrize("page", PAGES)
def test_console_pages_open_to_counter_staff_only(
    request: Any, client_of: Any, version_a: Any, persona: str | None, page: str
) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    url = {
        "home": reverse("console:home"),
        "queue": reverse("console:queue", args=["assess"]),
        "dossier": reverse("console:dossier", args=[dossier.pk]),
        "walk_in": reverse("console:walk_in"),
    }[page]
    user = request.getfixturevalue(persona) if persona else None
    response = client_of(user).get(url)
    assert response.status_code == ACCESS[persona][page]
    if persona is None:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("persona", "queue"), [("receiver", "receive"), ("assessor", "assess"), ("approver", "approve")]
)
def test_console_opens_on_the_queue_of_the_users_step(
    request: Any, client_of: Any, persona: str, queue: str
) -> None:
    response = client_of(request.getfixturevalue(persona)).get(reverse("console:home"))
    assert response["Location"] == reverse("console:queue", args=[queue])


def test_an_unknown_queue_is_not_found(client_of: Any, receiver: Any) -> None:
    assert client_of(receiver).get("/console/queue/everything/").status_code == 404


# --- Queues -----------------------------------------------------------------------------------------------------


def test_queue_lists_only_the_agencys_dossiers_in_the_queues_states(
    client_of: Any, receiver: Any, version_a: Any, version_b: Any
) -> None:
    waiting = DossierFactory(version=version_a, submitted=True)
    received = DossierFactory(version=version_a, received=True)
    draft = DossierFactory(version=version_a)
    other_agency = DossierFactory(version=version_b, submitted=True)
    client = client_of(receiver)

    receive_queue = client.get(reverse("console:queue", args=["receive"]))
    assess_queue = client.get(reverse("console:queue", args=["assess"]))

    assert set(rows(receive_queue)) == {waiting.pk}
    assert set(rows(assess_queue)) == {received.pk}
    assert draft.pk not in rows(receive_queue) | rows(assess_queue)
    assert other_agency.code not in receive_queue.content.decode()


def test_queue_tabs_count_the_dossiers_waiting_in_each_queue(
    client_of: Any, assessor: Any, version_a: Any
) -> None:
    DossierFactory.create_batch(2, version=version_a, received=True)
    DossierFactory(version=version_a, submitted=True)
    DossierFactory(version=version_a, supplement_requested=True)
    html = client_of(assessor).get(reverse("console:queue", args=["assess"])).content.decode()
    counts = dict(re.findall(r'/console/queue/(\w+)/"[^>]*>[^<]*<span class="count">(\d+)</span>', html))
    assert counts == {"receive": "1", "assess": "2", "approve": "0", "return": "0", "waiting": "1"}


def test_queue_marks_overdue_and_due_soon_dossiers(client_of: Any, assessor: Any, version_a: Any) -> None:
    now = timezone.now()
    overdue = DossierFactory(version=version_a, received=True, due_at=now - timedelta(hours=2))
    due_soon = DossierFactory(version=version_a, received=True, due_at=now + timedelta(hours=1))
    later = DossierFactory(version=version_a, received=True, due_at=now + timedelta(days=30))

    found = rows(client_of(assessor).get(reverse("console:queue", args=["assess"])))

    assert "badge overdue" in found[overdue.pk] and "badge due-soon" not in found[overdue.pk]
    assert "badge due-soon" in found[due_soon.pk] and "badge overdue" not in found[due_soon.pk]
    assert "badge overdue" not in found[later.pk] and "badge due-soon" not in found[later.pk]


@pytest.fixture
def assess_queue(assessor: Any, approver: Any, version_a: Any, version_a2: Any) -> dict[str, Any]:
    """Four dossiers being assessed: a plain one, one of another procedure, an overdue one, one of the assessor."""
    now = timezone.now()
    return {
        "plain": DossierFactory(version=version_a, received=True, assignee=approver),
        "other_procedure": DossierFactory(version=version_a2, received=True),
        "overdue": DossierFactory(version=version_a, received=True, due_at=now - timedelta(days=1)),
        "mine": DossierFactory(version=version_a, received=True, assignee=assessor),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda d: {}, {"plain", "other_procedure", "overdue", "mine"}),
        (lambda d: {"procedure": d["other_procedure"].version.procedure.code}, {"other_procedure"}),
        (lambda d: {"overdue": "1"}, {"overdue"}),
        (lambda d: {"assigned": "me"}, {"mine"}),
        (lambda d: {"code": d["plain"].code}, {"plain"}),
        (lambda d: {"code": d["plain"].code[-4:]}, {"plain"}),
        (lambda d: {"procedure": d["plain"].version.procedure.code, "assigned": "me"}, {"mine"}),
    ],
    ids=[
        "no filter",
        "procedure",
        "overdue only",
        "assigned to me",
        "code",
        "end of code",
        "procedure and mine",
    ],
)
def test_queue_filters_narrow_the_list(
    client_of: Any, assessor: Any, assess_queue: dict[str, Any], query: Any, expected: set[str]
) -> None:
    response = client_of(assessor).get(reverse("console:queue", args=["assess"]), query(assess_queue))
    assert response.status_code == 200
    assert set(rows(response)) == {assess_queue[name].pk for name in expected}


def test_queue_procedure_filter_offers_the_agencys_procedures_only(
    client_of: Any, assessor: Any, version_a: Any, version_b: Any
) -> None:
    html = client_of(assessor).get(reverse("console:queue", args=["assess"])).content.decode()
    assert f'value="{version_a.procedure.code}"' in html
    assert f'value="{version_b.procedure.code}"' not in html


def test_queue_refuses_a_bad_filter_with_400(client_of: Any, assessor: Any, version_b: Any) -> None:
    response = client_of(assessor).get(
        reverse("console:queue", args=["assess"]), {"procedure": version_b.procedure.code}
    )
    assert response.status_code == 400


def test_queue_pages_visit_each_row_once_newest_first(
    client_of: Any, assessor: Any, version_a: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(console, "PAGE_SIZE", 3)
    created = [DossierFactory(version=version_a, received=True).pk for _ in range(8)]
    client = client_of(assessor)
    url = reverse("console:queue", args=["assess"])
    seen: list[int] = []
    pages = 0
    while url:
        response = client.get(url)
        pages += 1
        seen += list(rows(response))
        found = re.search(r'<a href="([^"]+)" rel="next">', response.content.decode())
        url = (
            reverse("console:queue", args=["assess"]) + found.group(1).replace("&amp;", "&")
            if found
            else None
        )
    assert pages == 3
    assert seen == sorted(created, reverse=True)


def test_queue_next_page_keeps_the_filters(
    client_of: Any, assessor: Any, version_a: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(console, "PAGE_SIZE", 2)
    mine = [DossierFactory(version=version_a, received=True, assignee=assessor).pk for _ in range(3)]
    DossierFactory.create_batch(3, version=version_a, received=True)
    client = client_of(assessor)
    first = client.get(reverse("console:queue", args=["assess"]), {"assigned": "me"})
    next_link = (
        re.search(r'<a href="\?([^"]+)" rel="next">', first.content.decode()).group(1).replace("&amp;", "&")
    )
    second = client.get(reverse("console:queue", args=["assess"]) + "?" + next_link)
    assert list(rows(first)) + list(rows(second)) == sorted(mine, reverse=True)


def test_queue_page_query_count_does_not_grow_with_its_rows(
    client_of: Any, assessor: Any, approver: Any, version_a: Any, version_a2: Any
) -> None:
    client = client_of(assessor)
    url = reverse("console:queue", args=["assess"])

    def add(count: int) -> None:
        for n in range(count):
            DossierFactory(
                version=version_a if n % 2 else version_a2,
                received=True,
                assignee=[None, assessor, approver][n % 3],
                due_at=timezone.now() + timedelta(hours=n - 5),
            )

    add(10)
    client.get(url)  # the first request fills the caches (the province's calendar)
    with CaptureQueriesContext(connection) as ten:
        assert len(rows(client.get(url))) == 10
    add(30)
    with CaptureQueriesContext(connection) as forty:
        assert len(rows(client.get(url))) == 40
    assert len(forty.captured_queries) == len(ten.captured_queries)


# --- Assign to me -----------------------------------------------------------------------------------------------


QUEUE_TRAIT = {"receive": "submitted", "assess": "received", "approve": "assessed", "return": "result_ready"}


@pytest.mark.parametrize(
    ("persona", "queue", "offered"),
    [
        ("receiver", "receive", True),
        ("receiver", "assess", False),
        ("receiver", "return", True),
        ("assessor", "assess", True),
        ("assessor", "approve", False),
        ("approver", "approve", True),
        ("approver", "return", False),
    ],
)
def test_assign_to_me_is_offered_in_the_queues_of_the_users_step(
    request: Any, client_of: Any, version_a: Any, persona: str, queue: str, offered: bool
) -> None:
    dossier = DossierFactory(version=version_a, **{QUEUE_TRAIT[queue]: True})
    found = rows(client_of(request.getfixturevalue(persona)).get(reverse("console:queue", args=[queue])))
    assert ("Assign to me" in found[dossier.pk]) is offered


def test_assign_to_me_with_htmx_swaps_the_row(client_of: Any, assessor: Any, version_a: Any) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    response = client_of(assessor).post(
        reverse("console:assign", args=[dossier.pk]), {"queue": "assess"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="row-{dossier.pk}"')
    assert "Assign to me" not in html
    dossier.refresh_from_db()
    assert dossier.assignee == assessor
    assert DossierEvent.objects.filter(dossier=dossier, action="assign", actor=assessor).exists()


def test_assign_to_me_without_javascript_redirects_back_to_the_queue(
    client_of: Any, assessor: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    queue_url = reverse("console:queue", args=["assess"]) + "?overdue=1"
    response = client_of(assessor).post(
        reverse("console:assign", args=[dossier.pk]), {"queue": "assess", "next": queue_url}
    )
    assert response.status_code == 302
    assert response["Location"] == queue_url
    dossier.refresh_from_db()
    assert dossier.assignee == assessor


def test_assign_to_me_ignores_a_next_address_off_the_site(
    client_of: Any, assessor: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    response = client_of(assessor).post(
        reverse("console:assign", args=[dossier.pk]), {"queue": "assess", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("console:queue", args=["assess"])


def test_assign_to_me_of_a_closed_dossier_says_why(client_of: Any, assessor: Any, version_a: Any) -> None:
    dossier = DossierFactory(version=version_a, returned=True)
    client = client_of(assessor)
    htmx = client.post(
        reverse("console:assign", args=[dossier.pk]), {"queue": "assess"}, HTTP_HX_REQUEST="true"
    )
    plain = client.post(reverse("console:assign", args=[dossier.pk]), {"queue": "assess"}, follow=True)
    assert "not in a queue" in htmx.content.decode()
    assert any("not in a queue" in m for m in messages_of(plain))
    dossier.refresh_from_db()
    assert dossier.assignee is None


def test_assign_to_me_of_another_agencys_dossier_is_not_found(
    client_of: Any, assessor_b: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    response = client_of(assessor_b).post(reverse("console:assign", args=[dossier.pk]), {"queue": "assess"})
    assert response.status_code == 404


# --- The dossier page -------------------------------------------------------------------------------------------


def test_dossier_page_shows_the_header_applicant_form_papers_and_history(
    client_of: Any, receiver: Any, assessor: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, submitted=True, created_by=receiver, channel="counter")
    client_of(receiver).post(
        reverse("console:action", args=[dossier.pk, "receive"]), {"receive-comment": "Đủ giấy tờ"}
    )
    document = dossier.documents.create(
        component=version_a.components.get(position=0),
        file=SimpleUploadedFile("x.pdf", PDF),
        storage_key="k1.pdf",
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="ab" * 32,
        uploaded_by=receiver,
    )

    response = client_of(assessor).get(reverse("console:dossier", args=[dossier.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    for text in [dossier.code, dossier.lookup_key, version_a.name, "H12.01", "Họ và tên", "Giới tính", "Nam"]:
        assert text in html
    assert "001088000123" in html and "12 Lê Lợi" in html
    assert "to-khai.pdf" in html and "abababababab" in html
    assert reverse("dossiers-api:document", args=[dossier.pk, document.pk]) in html
    assert "Đủ giấy tờ" in html and "Received" in html


def test_dossier_page_papers_download_through_the_api_with_the_session(
    client_of: Any, receiver: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, channel="counter", applicant=None, created_by=receiver)
    client = client_of(receiver)
    component = version_a.components.get(position=0)
    client.post(
        reverse("console:walk_in_documents", args=[dossier.pk]),
        {"component": component.pk, "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    document = dossier.documents.get()
    response = client.get(reverse("dossiers-api:document", args=[dossier.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("persona", "state", "visible"),
    [
        ("assessor_b", "received", False),
        ("approver_b", "received", False),
        ("receiver_b", "received", False),
        ("receiver_b", "submitted", True),  # no boundaries: any counter may receive it
        ("assessor_b", "submitted", False),
    ],
)
def test_dossier_page_of_another_agency(
    request: Any, client_of: Any, version_a: Any, persona: str, state: str, visible: bool
) -> None:
    dossier = DossierFactory(version=version_a, **{state: True})
    response = client_of(request.getfixturevalue(persona)).get(reverse("console:dossier", args=[dossier.pk]))
    assert response.status_code == (200 if visible else 404)


def test_dossier_page_shows_only_the_actions_the_user_may_take(
    client_of: Any, receiver: Any, assessor: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, submitted=True)
    url = reverse("console:dossier", args=[dossier.pk])
    as_receiver = client_of(receiver).get(url).content.decode()
    as_assessor = client_of(assessor).get(url).content.decode()
    for action in ["receive", "refuse", "request_supplement"]:
        assert reverse("console:action", args=[dossier.pk, action]) in as_receiver
    assert set(re.findall(r"/actions/(\w+)/", as_assessor)) == {"request_supplement"}


def test_each_action_form_takes_the_dossier_one_step_with_its_history(
    client_of: Any, receiver: Any, assessor: Any, approver: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, submitted=True)
    steps = [
        (receiver, "receive", {"receive-comment": ""}, State.ASSESSING),
        (assessor, "assess", {"assess-outcome": "grant", "assess-comment": "Hồ sơ hợp lệ"}, State.APPROVING),
        (approver, "approve", {"approve-outcome": "", "approve-comment": ""}, State.SIGNING),
    ]
    for actor, action, data, state in steps:
        response = client_of(actor).post(
            reverse("console:action", args=[dossier.pk, action]), data, follow=True
        )
        assert response.status_code == 200
        assert response.redirect_chain == [(reverse("console:dossier", args=[dossier.pk]), 302)]
        assert any(dossier.code in m for m in messages_of(response))
        dossier.refresh_from_db()
        assert dossier.state == state

    events = list(dossier.events.values_list("action", "from_state", "to_state", "actor__username"))
    assert events == [
        ("receive", "submitted", "assessing", "receiver"),
        ("assess", "assessing", "approving", "assessor"),
        ("approve", "approving", "signing", "approver"),
    ]
    assert dossier.proposed_outcome == dossier.outcome == "grant"
    html = client_of(approver).get(reverse("console:dossier", args=[dossier.pk])).content.decode()
    assert html.count("<tr>") >= 3 and "Hồ sơ hợp lệ" in html


def test_the_approver_may_override_the_proposed_outcome(
    client_of: Any, approver: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, assessed=True)
    client_of(approver).post(
        reverse("console:action", args=[dossier.pk, "approve"]), {"approve-outcome": "deny"}
    )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.outcome) == (State.SIGNING, "deny")


@pytest.mark.parametrize(
    ("persona", "trait", "action", "data", "status", "says"),
    [
        ("assessor", "submitted", "receive", {}, 403, "may not receive"),
        ("approver", "received", "approve", {}, 409, "Cannot approve a dossier in state assessing"),
        ("receiver", "received", "receive", {}, 409, "Cannot receive"),
        ("receiver", "submitted", "refuse", {"refuse-comment": "  "}, 400, "needs a reason"),
        ("receiver", "submitted", "request_supplement", {}, 400, "needs a reason"),
        ("assessor", "received", "assess", {"assess-comment": "ok"}, 400, "needs an outcome"),
        ("assessor", "received", "assess", {"assess-outcome": "maybe"}, 400, "Please correct"),
        ("approver", "assessed", "send_back", {}, 400, "needs a reason"),
    ],
)
def test_an_action_refused_by_the_workflow_is_shown_with_its_status(
    request: Any,
    client_of: Any,
    version_a: Any,
    persona: str,
    trait: str,
    action: str,
    data: dict[str, str],
    status: int,
    says: str,
) -> None:
    dossier = DossierFactory(version=version_a, **{trait: True})
    before = dossier.state
    response = client_of(request.getfixturevalue(persona)).post(
        reverse("console:action", args=[dossier.pk, action]), data
    )
    assert response.status_code == status
    assert says in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == before


def test_refusing_with_a_reason_closes_the_dossier(client_of: Any, receiver: Any, version_a: Any) -> None:
    dossier = DossierFactory(version=version_a, submitted=True)
    client_of(receiver).post(
        reverse("console:action", args=[dossier.pk, "refuse"]), {"refuse-comment": "Không thuộc thẩm quyền"}
    )
    dossier.refresh_from_db()
    assert dossier.state == State.REJECTED
    assert dossier.events.get(action="refuse").comment == "Không thuộc thẩm quyền"


def test_an_unknown_action_or_another_agencys_dossier_is_not_found(
    client_of: Any, assessor: Any, assessor_b: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    assert client_of(assessor).post(reverse("console:action", args=[dossier.pk, "signed"])).status_code == 404
    assert (
        client_of(assessor).post(reverse("console:action", args=[dossier.pk, "explode"])).status_code == 404
    )
    other = client_of(assessor_b).post(
        reverse("console:action", args=[dossier.pk, "assess"]), {"assess-outcome": "grant"}
    )
    assert other.status_code == 404


def test_action_pages_answer_get_with_405(client_of: Any, receiver: Any, version_a: Any) -> None:
    dossier = DossierFactory(version=version_a, submitted=True)
    assert client_of(receiver).get(reverse("console:action", args=[dossier.pk, "receive"])).status_code == 405


# --- Find by code -----------------------------------------------------------------------------------------------


def test_a_receiver_finds_a_dossier_of_any_agency_waiting_for_reception(
    client_of: Any, receiver_b: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, submitted=True)
    response = client_of(receiver_b).get(reverse("console:find"), {"code": f" {dossier.code.lower()} "})
    assert response["Location"] == reverse("console:dossier", args=[dossier.pk])


def test_finding_a_dossier_the_receiver_may_not_open_says_so(
    client_of: Any, receiver_b: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    response = client_of(receiver_b).get(reverse("console:find"), {"code": dossier.code}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:queue", args=["receive"])
    assert any("No dossier you may open" in m for m in messages_of(response))


def test_a_receiver_of_another_agency_receives_a_dossier_routed_to_the_competent_agency(
    client_of: Any, receiver_b: Any, assessor: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, submitted=True)
    client_of(receiver_b).post(reverse("console:action", args=[dossier.pk, "receive"]), {})
    dossier.refresh_from_db()
    assert dossier.state == State.ASSESSING
    assert dossier.received_at_agency.code == "H12.02"
    assert dossier.pk in rows(client_of(assessor).get(reverse("console:queue", args=["assess"])))


# --- Walk-in ----------------------------------------------------------------------------------------------------


APPLICANT = {
    "applicant-full_name": "Trần Văn Bảo",
    "applicant-id_number": "001090000456",
    "applicant-phone": "0987 654 321",
    "applicant-address": "5 Trần Phú, phường Tân Thịnh",
}


def test_walk_in_from_procedure_to_receipt(
    client_of: Any, receiver_b: Any, assessor: Any, version_a_fee_at_return: Any, version_b: Any
) -> None:
    """A receiver of agency B takes in, at their counter, a dossier that agency A settles."""
    version_a = version_a_fee_at_return
    client = client_of(receiver_b)

    found = client.get(reverse("console:walk_in"), {"q": "trich luc ho tich"})
    assert reverse("console:walk_in") + f"?procedure={version_a.procedure.code}" in found.content.decode()
    form_page = client.get(reverse("console:walk_in"), {"procedure": version_a.procedure.code})
    assert "Họ và tên" in form_page.content.decode() and "goes to the queue of" in form_page.content.decode()

    created = client.post(
        reverse("console:walk_in"),
        {
            "procedure": version_a.procedure.code,
            **APPLICANT,
            "form-full_name": "Trần Văn Bảo",
            "form-sex": "Nam",
        },
    )
    dossier = Dossier.objects.get()
    assert created["Location"] == reverse("console:walk_in_documents", args=[dossier.pk])
    assert (dossier.state, dossier.channel, dossier.created_by, dossier.agency) == (
        State.DRAFT,
        "counter",
        receiver_b,
        version_a.agency,
    )
    assert dossier.applicant_data["phone"] == "0987654321"

    component = version_a.components.get(position=0)
    uploaded = client.post(
        reverse("console:walk_in_documents", args=[dossier.pk]),
        {"component": component.pk, "file": SimpleUploadedFile("to-khai.pdf", PDF)},
    )
    assert uploaded.status_code == 302
    assert dossier.documents.get().component == component

    received = client.post(reverse("console:walk_in_receive", args=[dossier.pk]), follow=True)
    dossier.refresh_from_db()
    assert received.redirect_chain == [(reverse("console:dossier", args=[dossier.pk]), 302)]
    assert dossier.state == State.ASSESSING
    assert dossier.code.startswith("H12.01-")
    assert any(dossier.code in m and dossier.lookup_key in m for m in messages_of(received))
    assert dossier.received_at_agency.code == "H12.02"
    assert list(dossier.events.values_list("action", "actor_agency__code")) == [
        ("create", "H12.02"),
        ("submit", "H12.02"),
        ("receive", "H12.02"),
    ]
    assert dossier.pk in rows(client_of(assessor).get(reverse("console:queue", args=["assess"])))


def test_walk_in_form_shows_what_is_missing_with_400(client_of: Any, receiver: Any, version_a: Any) -> None:
    response = client_of(receiver).post(
        reverse("console:walk_in"),
        {
            "procedure": version_a.procedure.code,
            "applicant-full_name": "Trần Văn Bảo",
            "applicant-id_number": "12",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "12 digits" in html and 'aria-invalid="true"' in html
    assert not Dossier.objects.exists()


def test_walk_in_of_an_unknown_procedure_offers_the_list_again(
    client_of: Any, receiver: Any, version_a: Any
) -> None:
    response = client_of(receiver).get(reverse("console:walk_in"), {"procedure": "0.000000"})
    assert response.status_code == 404
    assert f'<option value="{version_a.procedure.code}">' in response.content.decode()


def test_walk_in_search_with_htmx_returns_only_the_results(
    client_of: Any, receiver: Any, version_a: Any
) -> None:
    response = client_of(receiver).get(
        reverse("console:walk_in"), {"q": "khai sinh", "partial": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert version_a.name in html and "<html" not in html


@pytest.fixture
def walk_in_draft(receiver: Any, version_a: Any) -> Any:
    return DossierFactory(version=version_a, channel="counter", applicant=None, created_by=receiver)


@pytest.mark.parametrize(
    ("content", "name", "limit", "status", "says"),
    [
        (PNG, "anh.pdf", None, 415, "not a type the paper accepts"),
        (PDF, "to-khai.pdf", 10, 413, "too large"),
    ],
)
def test_walk_in_upload_errors_are_said_in_plain_words(
    client_of: Any,
    receiver: Any,
    walk_in_draft: Any,
    settings: Any,
    content: bytes,
    name: str,
    limit: int | None,
    status: int,
    says: str,
) -> None:
    if limit:
        settings.UPLOAD_MAX_FILE_BYTES = limit
    component = walk_in_draft.version.components.get(position=0)
    response = client_of(receiver).post(
        reverse("console:walk_in_documents", args=[walk_in_draft.pk]),
        {"component": component.pk, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == status
    assert says in response.content.decode()
    assert not walk_in_draft.documents.exists()


def test_walk_in_receive_now_of_an_incomplete_dossier_lists_what_is_missing(
    client_of: Any, receiver: Any, walk_in_draft: Any
) -> None:
    response = client_of(receiver).post(reverse("console:walk_in_receive", args=[walk_in_draft.pk]))
    assert response.status_code == 400
    assert "Missing: Tờ khai" in response.content.decode()
    walk_in_draft.refresh_from_db()
    assert walk_in_draft.state == State.DRAFT and walk_in_draft.code is None


def test_a_wrong_paper_can_be_removed_from_the_walk_in_draft(
    client_of: Any, receiver: Any, walk_in_draft: Any
) -> None:
    client = client_of(receiver)
    component = walk_in_draft.version.components.get(position=0)
    client.post(
        reverse("console:walk_in_documents", args=[walk_in_draft.pk]),
        {"component": component.pk, "file": SimpleUploadedFile("sai.pdf", PDF)},
    )
    document = walk_in_draft.documents.get()
    client.post(reverse("console:walk_in_remove", args=[walk_in_draft.pk, document.pk]))
    assert not walk_in_draft.documents.exists()


def test_another_receivers_walk_in_draft_is_not_found(
    client_of: Any, walk_in_draft: Any, agency_a: Any
) -> None:
    colleague = UserFactory(username="receiver2", role="receiver", agency=agency_a)
    response = client_of(colleague).get(reverse("console:walk_in_documents", args=[walk_in_draft.pk]))
    assert response.status_code == 404


def test_a_received_walk_in_opens_on_its_dossier_page(client_of: Any, receiver: Any, version_a: Any) -> None:
    dossier = DossierFactory(
        version=version_a, received=True, channel="counter", applicant=None, created_by=receiver
    )
    response = client_of(receiver).get(reverse("console:walk_in_documents", args=[dossier.pk]))
    assert response["Location"] == reverse("console:dossier", args=[dossier.pk])


def test_walk_in_whose_fee_is_due_before_reception_is_submitted_and_waits_for_the_fee(
    client_of: Any, receiver: Any, walk_in_draft: Any
) -> None:
    from payments import services as payments

    client = client_of(receiver)
    component = walk_in_draft.version.components.get(position=0)
    client.post(
        reverse("console:walk_in_documents", args=[walk_in_draft.pk]),
        {"component": component.pk, "file": SimpleUploadedFile("to-khai.pdf", PDF)},
    )

    held = client.post(reverse("console:walk_in_receive", args=[walk_in_draft.pk]), follow=True)
    walk_in_draft.refresh_from_db()
    assert walk_in_draft.state == State.SUBMITTED and walk_in_draft.code
    assert any("cannot be received yet" in m and "50.000" in m for m in messages_of(held))
    assert walk_in_draft.pk in rows(client.get(reverse("console:queue", args=["receive"])))

    payments.counter_payment_record(dossier_id=walk_in_draft.pk, user=receiver, method="card")
    client.post(reverse("console:action", args=[walk_in_draft.pk, "receive"]), {})
    walk_in_draft.refresh_from_db()
    assert walk_in_draft.state == State.ASSESSING
