"""request_supplement names the missing components (with the copy type and count each needs); the dossier API
shows them, and resubmit is refused while one of them has no new paper."""

from typing import Any

import pytest

from dossiers.models import DossierEvent
from tests.contract import assert_error
from tests.dossiers.conftest import PDF_BYTES, attach_required_papers, multipart
from tests.factories import DossierFactory, ProcedureVersionFactory


def detail(dossier: Any) -> str:
    return f"/api/v1/dossiers/{dossier.pk}/"


def action(dossier: Any, name: str) -> str:
    return f"{detail(dossier)}actions/{name}/"


@pytest.fixture
def submitted(version_a: Any, citizen: Any) -> Any:
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)
    attach_required_papers(dossier)
    return dossier


def test_the_request_keeps_the_components_and_the_api_shows_them(
    api: Any, receiver: Any, citizen: Any, submitted: Any, optional_component: Any, required_component: Any
) -> None:
    body = {
        "comment": "Thiếu bản sao.",
        "components": [
            {"id": optional_component.pk, "copy_type": "certified", "count": 2},
            {"id": required_component.pk},
        ],
    }
    response = api(receiver).post(action(submitted, "request_supplement"), body, format="json")

    assert response.status_code == 200, response.content
    shown = api(citizen).get(detail(submitted)).json()["supplement_requested"]
    assert shown == [
        {
            "id": required_component.pk,
            "name": required_component.name,
            "copy_type": required_component.copy_type,
            "count": required_component.copies,
            "uploaded": False,
        },
        {
            "id": optional_component.pk,
            "name": optional_component.name,
            "copy_type": "certified",
            "count": 2,
            "uploaded": False,
        },
    ]


def test_a_free_text_request_stays_valid(api: Any, receiver: Any, citizen: Any, submitted: Any) -> None:
    response = api(receiver).post(
        action(submitted, "request_supplement"), {"comment": "Ký tờ khai."}, format="json"
    )

    assert response.status_code == 200
    assert api(citizen).get(detail(submitted)).json()["supplement_requested"] == []


@pytest.mark.parametrize(
    ("components", "code"),
    [
        ([{"id": 999999}], "unknown_component"),
        ("other-procedure", "unknown_component"),
        ([{"id": "one"}], None),
        (["optional"], None),
        ([{"id": "optional", "copy_type": "photocopy"}], None),
        ([{"id": "optional", "count": 0}], None),
        ([{"id": "optional", "count": 1000}], None),
        ("not a list", None),
    ],
)
def test_bad_components_are_bad_input_and_change_nothing(
    api: Any, receiver: Any, submitted: Any, optional_component: Any, components: Any, code: str | None
) -> None:
    if components == "other-procedure":
        other = ProcedureVersionFactory(published=True, agency=submitted.version.agency)
        components = [{"id": other.components.first().pk}]
    elif isinstance(components, list):
        components = [
            optional_component.pk
            if c == "optional"
            else {**c, **({"id": optional_component.pk} if c.get("id") == "optional" else {})}
            for c in components
        ]

    response = api(receiver).post(
        action(submitted, "request_supplement"),
        {"comment": "Thiếu.", "components": components},
        format="json",
    )

    assert_error(response, 400, code)
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert not DossierEvent.objects.filter(dossier=submitted, action="request_supplement").exists()


def test_resubmit_is_refused_until_each_named_component_has_a_new_paper(
    api: Any, receiver: Any, citizen: Any, submitted: Any, optional_component: Any
) -> None:
    api(receiver).post(
        action(submitted, "request_supplement"),
        {"comment": "Thiếu bản sao.", "components": [{"id": optional_component.pk}]},
        format="json",
    )

    refused = assert_error(api(citizen).post(action(submitted, "resubmit")), 409, "supplement_incomplete")
    assert optional_component.name in refused["detail"]
    submitted.refresh_from_db()
    assert submitted.state == "supplement_requested"

    uploaded = api(citizen).post(
        f"{detail(submitted)}documents/",
        multipart(optional_component, "ban-sao.pdf", PDF_BYTES),
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    assert api(citizen).get(detail(submitted)).json()["supplement_requested"][0]["uploaded"] is True

    resubmitted = api(citizen).post(action(submitted, "resubmit"))

    assert resubmitted.status_code == 200, resubmitted.content
