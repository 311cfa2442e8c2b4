"""The dossier API as API.md's "Dossiers" section promises it: shapes, filters, keyset pages, query counts, and
answers to bad input (never a 500)."""

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossiers import workflow
from dossiers.models import DossierEvent
from tests.contract import assert_error
from tests.dossiers.conftest import PDF_BYTES, attach_required_papers, multipart
from tests.factories import DossierFactory, ProcedureVersionFactory

LIST = "/api/v1/dossiers/"
APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "001088000123",
    "date_of_birth": "1988-05-17",
    "phone": "0912345678",
    "email": "an.nguyen@example.vn",
    "address": "12 Lê Lợi, phường Hòa Bình",
}
FORM = {"full_name": "Nguyễn Văn An", "sex": "Nam"}
ISO_WITH_OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")


def detail(dossier: Any) -> str:
    return f"/api/v1/dossiers/{getattr(dossier, 'pk', dossier)}/"


def action(dossier: Any, name: str) -> str:
    return f"{detail(dossier)}actions/{name}/"


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- Shapes --------------------------------------------------------------------------------------------------


def test_a_citizen_creates_a_draft_and_gets_its_id(api: Any, citizen: Any, version_a: Any) -> None:
    response = api(citizen).post(
        LIST, {"procedure": version_a.procedure.code, "applicant": APPLICANT, "form": FORM}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert isinstance(body["id"], int)
    assert (body["state"], body["code"], body["procedure"]) == ("draft", None, version_a.procedure.code)
    assert body["applicant"] == APPLICANT
    assert body["form"] == FORM


def test_a_dossiers_detail_has_the_fields_of_the_contract(
    api: Any, citizen: Any, receiver: Any, version_a: Any, required_component: Any
) -> None:
    created = api(citizen).post(
        LIST, {"procedure": version_a.procedure.code, "applicant": APPLICANT, "form": FORM}, format="json"
    )
    dossier_id = created.json()["id"]
    api(citizen).post(
        f"{detail(dossier_id)}documents/",
        multipart(required_component, "to-khai.pdf", PDF_BYTES),
        format="multipart",
    )
    api(citizen).post(action(dossier_id, "submit"))
    api(receiver).post(action(dossier_id, "request_supplement"), {"comment": "Thiếu bản sao"}, format="json")

    response = api(citizen).get(detail(dossier_id))

    assert response.status_code == 200
    body = response.json()
    contract = {
        "id",
        "code",
        "lookup_key",
        "state",
        "procedure",
        "applicant",
        "documents",
        "fee",
        "due_at",
        "overdue",
        "outcome",
        "history",
    }
    assert contract <= set(body)
    assert re.fullmatch(r"H12\.01-\d{6}-0001", body["code"])
    assert re.fullmatch(r"[ACDEFGHJKMNPQRTWXY345679]{8,}", body["lookup_key"])
    assert (body["state"], body["fee"], body["due_at"], body["overdue"], body["outcome"]) == (
        "supplement_requested",
        50_000,
        None,
        False,
        "",
    )
    assert [(d["component"], d["content_type"], d["size"]) for d in body["documents"]] == [
        (required_component.pk, "application/pdf", len(PDF_BYTES))
    ]
    history = body["history"]
    assert all({"action", "from", "to", "by", "at", "comment"} <= set(event) for event in history)
    assert [(e["action"], e["from"], e["to"]) for e in history] == [
        ("create", "draft", "draft"),
        ("submit", "draft", "submitted"),
        ("request_supplement", "submitted", "supplement_requested"),
    ]
    assert history[-1]["comment"] == "Thiếu bản sao"
    # The applicant reads the agency and the step, never a clerk's name (API.md); staff read the person.
    assert [e["by"] for e in history] == ["applicant", "applicant", "Sở Tư pháp"]
    assert api(receiver).get(detail(dossier_id)).json()["history"][-1]["by"] == receiver.get_full_name()
    assert all(ISO_WITH_OFFSET.fullmatch(event["at"]) for event in history)


def test_an_action_answers_with_the_dossier_in_its_new_state(
    api: Any, assessor: Any, version_a: Any, citizen: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, received=True)

    response = api(assessor).post(
        action(dossier, "assess"), {"outcome": "deny", "comment": "Không đủ điều kiện"}
    )

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["proposed_outcome"]) == ("approving", "deny")
    assert response.json()["history"][-1]["comment"] == "Không đủ điều kiện"


# --- Lists and filters ---------------------------------------------------------------------------------------


@pytest.fixture
def queue(version_a: Any, citizen: Any, agency_a: Any, assessor: Any) -> dict[str, Any]:
    """Agency A's dossiers in several states, one of another procedure, one overdue, one assigned."""
    other_version = ProcedureVersionFactory(published=True, agency=agency_a)
    past = timezone.now() - timedelta(days=2)
    return {
        "submitted": DossierFactory(version=version_a, applicant=citizen, submitted=True),
        "assessing": DossierFactory(version=version_a, applicant=citizen, received=True),
        "overdue": DossierFactory(version=version_a, applicant=citizen, received=True, due_at=past),
        "assigned": DossierFactory(version=version_a, applicant=citizen, received=True, assignee=assessor),
        "other_procedure": DossierFactory(version=other_version, applicant=citizen, received=True),
        "returned_late": DossierFactory(version=version_a, applicant=citizen, returned=True, due_at=past),
        "draft": DossierFactory(version=version_a, applicant=citizen),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "assessing"}, ["assessing", "overdue", "assigned", "other_procedure"]),
        ({"state": "submitted"}, ["submitted"]),
        ({"overdue": "true"}, ["overdue"]),
        ({"overdue": "true", "state": "returned"}, []),
        ({"assigned": "me"}, ["assigned"]),
        ({"state": "assessing", "overdue": "false"}, ["assessing", "assigned", "other_procedure"]),
    ],
)
def test_staff_filter_their_agencys_queue(
    api: Any, assessor: Any, queue: dict[str, Any], query: dict[str, str], expected: list[str]
) -> None:
    response = api(assessor).get(LIST, query)

    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(queue[name].pk for name in expected)


def test_the_procedure_filter_takes_the_procedure_code(
    api: Any, assessor: Any, queue: dict[str, Any], version_a: Any
) -> None:
    other_code = queue["other_procedure"].version.procedure.code

    response = api(assessor).get(LIST, {"procedure": other_code})

    assert ids(response) == [queue["other_procedure"].pk]
    assert queue["other_procedure"].pk not in ids(
        api(assessor).get(LIST, {"procedure": version_a.procedure.code})
    )


def test_a_citizen_lists_only_their_own_dossiers(
    api: Any, citizen: Any, citizen2: Any, queue: dict[str, Any], version_a: Any
) -> None:
    theirs = DossierFactory(version=version_a, applicant=citizen2)

    assert ids(api(citizen2).get(LIST)) == [theirs.pk]
    assert theirs.pk not in ids(api(citizen).get(LIST, {"page_size": 100}))


def test_staff_of_another_agency_list_none_of_agency_as_dossiers(
    api: Any, assessor_b: Any, queue: dict[str, Any]
) -> None:
    assert ids(api(assessor_b).get(LIST)) == []


def test_a_list_row_says_whether_the_dossier_is_overdue(
    api: Any, assessor: Any, queue: dict[str, Any]
) -> None:
    rows = {row["id"]: row for row in api(assessor).get(LIST, {"page_size": 100}).json()["results"]}

    assert rows[queue["overdue"].pk]["overdue"] is True
    assert rows[queue["assessing"].pk]["overdue"] is False
    assert rows[queue["returned_late"].pk]["overdue"] is False  # handed back: no longer running late


# --- Keyset pages --------------------------------------------------------------------------------------------


def test_following_next_walks_every_dossier_once_newest_first(api: Any, citizen: Any, version_a: Any) -> None:
    created = [DossierFactory(version=version_a, applicant=citizen).pk for _ in range(45)]
    seen: list[int] = []
    pages = []
    url: str | None = LIST + "?page_size=20"

    while url:
        response = api(citizen).get(url)
        assert response.status_code == 200
        pages.append(len(response.json()["results"]))
        seen += ids(response)
        url = response.json()["next"]

    assert pages == [20, 20, 5]
    assert seen == sorted(created, reverse=True)


def test_a_new_dossier_does_not_shift_the_pages_being_walked(api: Any, citizen: Any, version_a: Any) -> None:
    created = [DossierFactory(version=version_a, applicant=citizen).pk for _ in range(6)]
    first = api(citizen).get(LIST, {"page_size": 3})

    DossierFactory(version=version_a, applicant=citizen)
    second = api(citizen).get(first.json()["next"])

    assert ids(first) + ids(second) == sorted(created, reverse=True)


def test_next_keeps_the_filters(api: Any, assessor: Any, version_a: Any, citizen: Any) -> None:
    received = [DossierFactory(version=version_a, applicant=citizen, received=True).pk for _ in range(3)]
    DossierFactory(version=version_a, applicant=citizen, submitted=True)

    first = api(assessor).get(LIST, {"state": "assessing", "page_size": 2})
    second = api(assessor).get(first.json()["next"])

    assert ids(first) + ids(second) == sorted(received, reverse=True)
    assert second.json()["next"] is None


# --- Query counts --------------------------------------------------------------------------------------------


def count_queries(client: Any, url: str, query: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
    assert response.status_code == 200
    return len(captured)


def test_the_lists_query_count_does_not_grow_with_the_page_size(
    api: Any, assessor: Any, version_a: Any, citizen: Any
) -> None:
    for n in range(55):
        DossierFactory(
            version=version_a, applicant=citizen, received=True, assignee=assessor if n % 2 else None
        )
    client = api(assessor)
    client.get(LIST)  # the province's calendar days are read once, then cached

    small = count_queries(client, LIST, {"page_size": 5})
    large = count_queries(client, LIST, {"page_size": 50})

    assert small == large


def test_the_detail_query_count_does_not_grow_with_its_history_and_papers(
    api: Any, assessor: Any, receiver: Any, version_a: Any, citizen: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, received=True)
    attach_required_papers(dossier)
    client = api(assessor)
    client.get(detail(dossier))
    before = count_queries(client, detail(dossier))

    for n in range(10):
        DossierEvent.objects.create(
            dossier=dossier,
            action="assign",
            actor=assessor if n % 2 else receiver,
            actor_agency=assessor.agency,
            at=timezone.now(),
        )
    optional = version_a.components.get(required=False)
    for n in range(5):
        dossier.documents.create(
            component=optional,
            file=f"dossiers/{dossier.pk}/copy-{n}.pdf",
            storage_key=f"copy-{dossier.pk}-{n}.pdf",
            original_name=f"ban-sao-{n}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=citizen,
        )
    after = count_queries(client, detail(dossier))

    assert len(api(assessor).get(detail(dossier)).json()["history"]) == 10
    assert before == after


# --- Bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"state": "lost"},
        {"cursor": "abc"},
        {"cursor": "-1"},
        {"overdue": "maybe"},
        {"assigned": "you"},
        {"page_size": "0"},
        {"page_size": "1000"},
    ],
)
def test_a_bad_list_filter_is_bad_input(api: Any, assessor: Any, query: dict[str, str]) -> None:
    assert_error(api(assessor).get(LIST, query), 400)


def test_an_unknown_procedure_is_not_found(api: Any, citizen: Any) -> None:
    response = api(citizen).post(
        LIST, {"procedure": "9.999999", "applicant": APPLICANT, "form": FORM}, format="json"
    )

    assert_error(response, 404)


def test_an_unpublished_procedure_is_not_found(api: Any, citizen: Any, agency_a: Any) -> None:
    draft_version = ProcedureVersionFactory(agency=agency_a)

    response = api(citizen).post(
        LIST, {"procedure": draft_version.procedure.code, "form": FORM}, format="json"
    )

    assert_error(response, 404)


def test_a_bad_citizen_id_is_bad_input_with_the_fields_errors(api: Any, citizen: Any, version_a: Any) -> None:
    response = api(citizen).post(
        LIST,
        {
            "procedure": version_a.procedure.code,
            "applicant": {**APPLICANT, "id_number": "12345"},
            "form": FORM,
        },
        format="json",
    )

    body = assert_error(response, 400)
    assert list(body["errors"]["applicant"]) == ["id_number"]


def test_an_unknown_form_field_is_bad_input(api: Any, citizen: Any, version_a: Any) -> None:
    response = api(citizen).post(
        LIST,
        {"procedure": version_a.procedure.code, "form": {**FORM, "favourite_colour": "đỏ"}},
        format="json",
    )

    body = assert_error(response, 400)
    assert "favourite_colour" in str(body["errors"]["form"])


def test_a_value_outside_a_select_fields_choices_is_bad_input(api: Any, citizen: Any, version_a: Any) -> None:
    response = api(citizen).post(
        LIST, {"procedure": version_a.procedure.code, "form": {**FORM, "sex": "Khác"}}, format="json"
    )

    assert "sex" in assert_error(response, 400)["errors"]["form"]


def test_an_unknown_action_is_not_found(api: Any, citizen: Any, version_a: Any) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen)

    assert_error(api(citizen).post(action(dossier, "publish"), {}, format="json"), 404, "unknown_action")


def test_an_unknown_outcome_is_bad_input(api: Any, assessor: Any, version_a: Any, citizen: Any) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, received=True)

    assert_error(api(assessor).post(action(dossier, "assess"), {"outcome": "maybe"}, format="json"), 400)
    dossier.refresh_from_db()
    assert dossier.state == "assessing"


@pytest.mark.parametrize("method", ["create", "action", "update"])
def test_a_json_body_that_is_a_list_is_bad_input(api: Any, citizen: Any, version_a: Any, method: str) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen)
    attach_required_papers(dossier)
    client = api(citizen)

    response = {
        "create": lambda: client.post(LIST, [{"procedure": version_a.procedure.code}], format="json"),
        "action": lambda: client.post(action(dossier, "submit"), ["comment"], format="json"),
        "update": lambda: client.patch(detail(dossier), [{"form": FORM}], format="json"),
    }[method]()

    assert_error(response, 400)
    dossier.refresh_from_db()
    assert dossier.state == "draft"


def test_malformed_json_is_bad_input(api: Any, citizen: Any) -> None:
    response = api(citizen).post(LIST, '{"procedure": ', content_type="application/json")

    assert_error(response, 400)


@pytest.mark.parametrize(
    "body",
    [
        {"applicant": "Nguyễn Văn An"},
        {"applicant": [APPLICANT]},
        {"form": ["Nam"]},
        {"applicant": {"date_of_birth": 19880517}},
        {"applicant": {"date_of_birth": ["1988-05-17"]}},
        {"applicant": {"full_name": {"family": "Nguyễn"}}},
        {"form": {"sex": ["Nam", "Nữ"]}},
        {"applicant": {"date_of_birth": "2999-01-01"}},
        {"channel": "fax"},
    ],
)
def test_ill_typed_applicant_and_form_values_are_bad_input(
    api: Any, citizen: Any, version_a: Any, body: dict[str, Any]
) -> None:
    response = api(citizen).post(LIST, {"procedure": version_a.procedure.code, **body}, format="json")

    assert_error(response, 400)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=5,
)
FIELD_NAMES = st.sampled_from(
    ["full_name", "id_number", "date_of_birth", "phone", "email", "address", "sex", "x"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    applicant=st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=4),
    form=st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=3),
)
def test_no_applicant_or_form_value_makes_the_api_fail(
    api: Any, citizen: Any, version_a: Any, applicant: dict[str, Any], form: dict[str, Any]
) -> None:
    response = api(citizen).post(
        LIST, {"procedure": version_a.procedure.code, "applicant": applicant, "form": form}, format="json"
    )

    assert response.status_code in (201, 400), response.content


def test_an_upload_without_a_file_is_bad_input(
    api: Any, citizen: Any, version_a: Any, required_component: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen)

    response = api(citizen).post(
        f"{detail(dossier)}documents/", {"component": required_component.pk}, format="multipart"
    )

    assert_error(response, 400)


def test_an_unknown_dossier_is_not_found(api: Any, citizen: Any) -> None:
    assert_error(api(citizen).get(detail(987654)), 404)
    assert_error(api(citizen).post(action(987654, "submit")), 404)


def test_anonymous_callers_must_log_in(anonymous: Any, version_a: Any, citizen: Any) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen)

    assert_error(anonymous.get(LIST), 401)
    assert_error(anonymous.get(detail(dossier)), 401)
    assert_error(anonymous.post(LIST, {"procedure": version_a.procedure.code}, format="json"), 401)


def test_the_due_date_and_times_are_given_with_their_offset(
    api: Any, receiver: Any, version_a: Any, citizen: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)
    attach_required_papers(dossier)
    workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)

    body = api(receiver).get(detail(dossier)).json()

    assert ISO_WITH_OFFSET.fullmatch(body["due_at"])
    assert datetime.fromisoformat(body["due_at"]).astimezone(timezone.get_current_timezone()).hour == 17
