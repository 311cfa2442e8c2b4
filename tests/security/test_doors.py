"""Every door to a dossier answers what the policy says.

The walk takes every URL of the API and the pages that names a dossier (from the URL resolver, so a new door is
walked, or fails here until it says what it asks), every persona, and dossiers in several states, and checks:
a dossier one may not see is answered exactly like an unknown id (404, or the login or role refusal that the
URL gives anyone of that kind whatever the id), never 200, never 500; a question the policy allows is not
answered 403 or 404; on the API, a question the relation forbids is 403 and one the state does not allow yet is
409. GETs only; a handful of POSTs check the 404-versus-403 split of actions.
"""

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.permissions import has_permission
from accounts.policy import Ask, may, may_ask, relations
from dossiers import workflow
from dossiers.models import Document, Dossier, Result
from payments.services import invoice_open
from tests.contract import assert_error
from tests.security.conftest import PERSONAS, persona_user

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ID_NUMBER = "001088000123"  # the factory's applicant
UNKNOWN_PK = 987654321
PREFIXES = ("api/v1/dossiers/", "dossiers/", "console/dossiers/", "console/walk-in/", "payments/dossiers/")
API_NAMESPACES = ("dossiers-api", "payments-api", "complaints-api")

# What each door asks, by URL name: (question, who the page is for). ``None``: the URL takes no GET (its answer
# to a GET must still not depend on the dossier). "api": anyone with an account; "citizen": citizens' pages;
# "console": counter staff; "walk_in": the receiver who entered the walk-in.
QUESTIONS: dict[str, tuple[Ask | None, str]] = {
    "dossiers-api:detail": (Ask.VIEW, "api"),
    "dossiers-api:access-log": (Ask.ACCESS_LOG, "api"),
    "dossiers-api:documents": (None, "api"),
    "dossiers-api:document": (Ask.DOCUMENTS, "api"),
    "dossiers-api:action": (None, "api"),
    "dossiers-api:assign": (None, "api"),
    "dossiers-api:result": (Ask.RESULT, "api"),
    "dossiers-api:drafted-result": (Ask.DRAFTED_RESULT, "api"),
    "dossiers-api:slip": (Ask.SLIPS, "api"),
    "dossiers-api:rating": (None, "api"),
    "payments-api:invoice": (Ask.INVOICE, "api"),
    "payments-api:pay": (None, "api"),
    "payments-api:counter-payment": (None, "api"),
    "payments-api:waive": (None, "api"),
    "payments-api:receipt": (Ask.RECEIPT, "api"),
    "payments-api:refund": (None, "api"),
    "payments-api:refund-receipt": (Ask.RECEIPT, "api"),
    "complaints-api:dossier-complaints": (Ask.COMPLAINTS, "api"),
    "dossiers:detail": (Ask.VIEW, "citizen"),
    "dossiers:edit": (Ask.VIEW, "citizen"),
    "dossiers:upload": (None, "citizen"),
    "dossiers:remove": (None, "citizen"),
    "dossiers:review": (Ask.VIEW, "citizen"),
    "dossiers:withdraw": (Ask.VIEW, "citizen"),
    "dossiers:rate": (None, "citizen"),
    "complaints:file": (None, "citizen"),
    "console:dossier": (Ask.VIEW, "console"),
    "console:assign": (None, "console"),
    "console:action": (None, "console"),
    "console:drafted_result": (None, "console"),
    "console:walk_in_documents": (Ask.VIEW, "walk_in"),
    "console:walk_in_remove": (None, "walk_in"),
    "console:walk_in_receive": (None, "walk_in"),
    "payments:pay": (None, "page"),
    "payments:counter-payment": (None, "page"),
    "payments:waive": (None, "page"),
}
COUNTER_STAFF = ("receiver", "assessor", "approver", "receiver_b", "assessor_b", "approver_b")


def _patterns(resolvers: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(full route, namespaced name) of every URL pattern."""
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield route, f"{namespace}:{entry.name}".strip(":")


def dossier_doors() -> list[tuple[str, str, list[str]]]:
    """(route, name, path kwargs) of every URL that takes a dossier id."""
    doors = []
    for route, name in _patterns(get_resolver().url_patterns):
        if "<int:pk>" in route and route.startswith(PREFIXES):
            doors.append((route, name, re.findall(r"<(?:\w+:)?(\w+)>", route)))
    return sorted(set((r, n, tuple(k)) for r, n, k in doors))  # type: ignore[misc]


def _url(name: str, kwargs: list[str], dossier: Dossier | None) -> str:
    values: dict[str, Any] = {"kind": "control", "action": "receive", "refund_id": 1}
    if dossier is None:
        values.update(pk=UNKNOWN_PK, document_id=1, component_id=1)
    else:
        document = dossier.documents.first()
        values.update(
            pk=dossier.pk,
            document_id=document.pk if document else 1,
            component_id=dossier.version.components.get(required=True).pk,
        )
    return reverse(name, kwargs={k: values[k] for k in kwargs})


def _furnish(dossier: Dossier) -> Dossier:
    """A paper on file; the invoice once submitted; the signed result once there is one."""
    document = Document(
        dossier=dossier,
        component=dossier.version.components.get(required=True),
        storage_key=secrets.token_hex(16),
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
        uploaded_by=dossier.created_by,
    )
    document.file.save("to-khai.pdf", ContentFile(PDF_BYTES), save=True)
    if dossier.state != "draft":
        invoice_open(dossier=dossier)
    if dossier.state in ("result_ready", "returned"):
        result = Result(
            dossier=dossier,
            storage_key=f"{secrets.token_hex(16)}.pdf",
            verification_token=secrets.token_urlsafe(24),
            sha256=secrets.token_hex(32),
            outcome="grant",
            signer="Sở Tư pháp",
            certificate_serial="01",
            signed_at=timezone.now(),
        )
        result.file.save("result.pdf", ContentFile(PDF_BYTES), save=True)
    return dossier


@pytest.fixture
def walked(make_dossier: Any) -> list[Dossier]:
    return [
        _furnish(make_dossier(kind, state))
        for kind, state in [
            ("online_a", "draft"),
            ("online_a", "submitted"),
            ("online_a", "assessing"),
            ("online_a", "result_ready"),
            ("online_a", "returned"),
            ("walk_in_b", "draft"),
            ("walk_in_b", "assessing"),
            ("online_b", "assessing"),
        ]
    ]


def _clients(user: Any) -> tuple[APIClient, Client]:
    api, pages = APIClient(), Client()
    if user.is_authenticated:
        api.force_authenticate(user)
        pages.force_login(user)
    return api, pages


def _in_audience(user: Any, audience: str, dossier: Dossier) -> bool:
    if audience == "api":
        return user.is_authenticated
    if not (user.is_authenticated and user.is_active):
        return False
    if audience == "citizen":
        return user.role == "citizen"
    if audience == "console":
        return has_permission(user, "console.view")
    if audience == "walk_in":
        return (
            has_permission(user, "console.view")
            and dossier.channel == "counter"
            and dossier.created_by_id == user.pk
        )
    return True


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_door_answers_what_the_policy_says(
    request: pytest.FixtureRequest, walked: list[Dossier], persona: str
) -> None:
    doors = dossier_doors()
    unknown = sorted({name for _, name, _ in doors} - set(QUESTIONS))
    assert not unknown, f"new doors to a dossier; say in QUESTIONS what they ask: {unknown}"
    assert {"dossiers-api:detail", "console:dossier", "dossiers:detail", "payments-api:invoice"} <= {
        name for _, name, _ in doors
    }
    login = reverse("accounts:login")
    problems: list[str] = []
    detail_status: dict[tuple[str, int, str], int] = {}
    user = persona_user(request, persona)
    api, pages = _clients(user)
    for _route, name, kwargs in doors:
        ask, audience = QUESTIONS[name]
        client = api if name.split(":")[0] in API_NAMESPACES else pages
        baseline = client.get(_url(name, kwargs, None)).status_code
        for dossier in walked:
            url = _url(name, kwargs, dossier)
            response = client.get(url)
            status = response.status_code
            where = (
                f"{persona} GET {url} ({dossier.channel}, {dossier.state}, {dossier.agency.code}) → {status}"
            )
            if name in ("dossiers-api:detail", "dossiers:detail", "console:dossier"):
                detail_status[(persona, dossier.pk, name)] = status
            if status >= 500:
                problems.append(f"{where}: a server error")
                continue
            if not may(user, Ask.VIEW, dossier):
                if status != baseline or status == 200:
                    problems.append(f"{where}: hidden, yet not answered like an unknown id ({baseline})")
                elif status == 302 and not response["Location"].startswith(login):
                    problems.append(f"{where}: hidden, redirected to {response['Location']}")
                continue
            if ask is None or not _in_audience(user, audience, dossier):
                # A URL without GET, or a page not for this kind of user: the same answer for any dossier.
                if status != baseline or (status == 200 and ask is None):
                    problems.append(f"{where}: expected the answer to an unknown id ({baseline})")
                continue
            mine = relations(user, dossier)
            if may_ask(user, ask, dossier, of=mine):
                if status in (403, 404):
                    # A draft has no invoice yet, no dossier of the walk has a refund: that 404 says so (its own
                    # code), to those who may ask.
                    code = response.json().get("code") if status == 404 else None
                    if not ((code == "no_invoice" and dossier.state == "draft") or code == "no_refund"):
                        problems.append(f"{where}: the policy allows {ask}")
                elif client is api and not may(user, ask, dossier, of=mine) and status != 409:
                    problems.append(f"{where}: {ask} is not allowed in this state yet: expected 409")
            elif client is api and status != 403:
                problems.append(f"{where}: {ask} is not the caller's to ask: expected 403")
    if persona in ("citizen", "citizen2", *COUNTER_STAFF):
        # The API and the page of the same person agree on whether the dossier is theirs to open.
        page = "dossiers:detail" if persona in ("citizen", "citizen2") else "console:dossier"
        for dossier in walked:
            from_api = detail_status[(persona, dossier.pk, "dossiers-api:detail")]
            from_page = detail_status[(persona, dossier.pk, page)]
            if persona in ("citizen", "receiver"):
                assert from_api == 200 or not may(user, Ask.VIEW, dossier), "the walk opened nothing"
            if (from_api == 200) != (from_page == 200):
                problems.append(
                    f"{persona}, dossier {dossier.pk} ({dossier.state}): API {from_api}, {page} {from_page}"
                )
    assert not problems, f"{len(problems)} doors disagree with the policy:\n" + "\n".join(problems)


# (persona, method, URL name, kwargs, body, dossier's state, expected status): an action on a dossier one may not
# see is 404 like an unknown one; on one one may see, 403 for the wrong role or relation, 409 for the wrong state.
POSTS: list[tuple[str, str, dict[str, str], dict[str, Any], str, int]] = [
    ("citizen2", "dossiers-api:action", {"action": "withdraw"}, {}, "submitted", 404),
    ("assessor_b", "dossiers-api:action", {"action": "receive"}, {}, "submitted", 404),
    ("assessor", "dossiers-api:action", {"action": "receive"}, {}, "submitted", 403),
    ("citizen", "dossiers-api:action", {"action": "receive"}, {}, "submitted", 403),
    ("leader", "dossiers-api:action", {"action": "receive"}, {}, "submitted", 403),
    ("receiver_b", "dossiers-api:action", {"action": "return"}, {}, "result_ready", 404),
    ("approver", "dossiers-api:action", {"action": "approve"}, {}, "assessing", 409),
    ("approver_b", "dossiers-api:action", {"action": "approve"}, {}, "assessing", 404),
    ("leader", "dossiers-api:assign", {}, {}, "submitted", 403),
    ("assessor", "dossiers-api:assign", {}, {}, "submitted", 409),
    ("approver_b", "dossiers-api:assign", {}, {}, "submitted", 404),
    ("citizen", "dossiers-api:rating", {}, {"score": 5}, "assessing", 409),
    ("receiver", "dossiers-api:rating", {}, {"score": 5}, "returned", 403),
    ("citizen2", "dossiers-api:rating", {}, {"score": 5}, "returned", 404),
    ("receiver", "payments-api:pay", {}, {"provider": "sandbox"}, "submitted", 403),
    ("citizen2", "payments-api:pay", {}, {"provider": "sandbox"}, "submitted", 404),
    ("leader", "payments-api:waive", {}, {"reason": "Hộ nghèo"}, "submitted", 403),
    ("citizen", "payments-api:waive", {}, {"reason": "Hộ nghèo"}, "submitted", 403),
    ("assessor_b", "payments-api:waive", {}, {"reason": "Hộ nghèo"}, "submitted", 404),
    ("assessor", "payments-api:counter-payment", {}, {"method": "card"}, "assessing", 403),
    ("receiver_b", "payments-api:counter-payment", {}, {"method": "card"}, "assessing", 404),
    ("assessor_b", "console:action", {"action": "receive"}, {}, "submitted", 404),
    ("assessor", "console:action", {"action": "receive"}, {}, "submitted", 403),
    ("approver_b", "console:assign", {}, {}, "submitted", 404),
    ("citizen2", "dossiers:withdraw", {}, {}, "submitted", 404),
    ("citizen2", "dossiers:rate", {}, {"score": "5"}, "returned", 404),
    ("assessor_b", "payments:waive", {}, {"reason": "Hộ nghèo"}, "submitted", 404),
    ("receiver_b", "payments:counter-payment", {}, {"method": "card"}, "assessing", 404),
    ("citizen2", "payments:pay", {}, {"provider": "sandbox"}, "submitted", 404),
]


@pytest.mark.parametrize(
    ("persona", "name", "kwargs", "body", "state", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}-{row[2].get('action', '')}-{row[4]}") for row in POSTS],
)
def test_an_action_on_a_dossier_answers_404_403_or_409_as_the_policy_says(
    request: pytest.FixtureRequest,
    make_dossier: Any,
    persona: str,
    name: str,
    kwargs: dict[str, str],
    body: dict[str, Any],
    state: str,
    expected: int,
) -> None:
    dossier = _furnish(make_dossier("online_a", state))
    before = Dossier.objects.values("state", "assignee_id").get(pk=dossier.pk)
    api, pages = _clients(persona_user(request, persona))
    url = reverse(name, kwargs={"pk": dossier.pk, **kwargs})
    if name.split(":")[0] in API_NAMESPACES:
        assert_error(api.post(url, body, format="json"), expected)
    else:
        assert pages.post(url, body).status_code == expected
    assert Dossier.objects.values("state", "assignee_id").get(pk=dossier.pk) == before


def test_a_leader_reads_a_dossier_without_anything_personal(api: Any, leader: Any, make_dossier: Any) -> None:
    dossier = _furnish(make_dossier("online_a", "assessing"))
    detail = api(leader).get(reverse("dossiers-api:detail", args=[dossier.pk]))
    assert detail.status_code == 200
    body = detail.json()
    assert body["applicant"] is None and body["form"] is None and body["documents"] == []
    assert body["applicant_name"] is None
    assert ID_NUMBER not in detail.content.decode()
    listed = api(leader).get(reverse("dossiers-api:list")).content.decode()
    assert str(dossier.code) in listed and ID_NUMBER not in listed and "Nguyễn Văn An" not in listed


def test_the_applicant_reads_the_history_without_clerks_names_or_internal_notes(
    api: Any, citizen: Any, assessor: Any, make_dossier: Any
) -> None:
    assessor.first_name, assessor.last_name = "Thẩm", "Lê Văn"
    assessor.save(update_fields=["first_name", "last_name"])
    dossier = _furnish(make_dossier("online_a", "assessing"))
    workflow.apply(
        dossier_id=dossier.pk,
        action="assess",
        actor=assessor,
        input=workflow.Assessment(comment="internal note X", outcome="grant"),
    )
    url = reverse("dossiers-api:detail", args=[dossier.pk])

    mine = api(citizen).get(url)
    assert mine.status_code == 200
    text = mine.content.decode()
    assert "internal note X" not in text
    assert "Lê Văn Thẩm" not in text and assessor.username not in [r["by"] for r in mine.json()["history"]]
    assess = next(r for r in mine.json()["history"] if r["action"] == "assess")
    assert assess["by"] and assess["comment"] == ""
    page = Client()
    page.force_login(citizen)
    html = page.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "internal note X" not in html and "Lê Văn Thẩm" not in html

    staff = api(assessor).get(url).json()
    assess = next(r for r in staff["history"] if r["action"] == "assess")
    assert assess["comment"] == "internal note X" and assess["by"] == "Lê Văn Thẩm"
