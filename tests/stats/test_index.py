"""The service index: counts and rates per agency and for the province, and who may read them."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from dossiers.models import Document, Rating
from payments.models import Invoice
from stats import selectors
from tests.english import in_english
from tests.factories import DossierFactory, ProcedureVersionFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def figures(agency_a: Any, agency_b: Any, citizen: Any) -> dict[str, Any]:
    now = timezone.now()
    full = ProcedureVersionFactory(published=True, agency=agency_a, online_level="full")
    partial = ProcedureVersionFactory(published=True, agency=agency_a, online_level="partial")
    other = ProcedureVersionFactory(published=True, agency=agency_b)
    on_time = DossierFactory(
        version=full, applicant=citizen, returned=True, due_at=now + datetime.timedelta(days=1)
    )
    late = DossierFactory(
        version=partial,
        applicant=citizen,
        returned=True,
        channel="counter",
        due_at=now - datetime.timedelta(days=1),
    )
    DossierFactory(version=full, applicant=citizen, received=True, channel="counter")
    DossierFactory(version=other, applicant=citizen, submitted=True)
    DossierFactory(version=full, applicant=citizen)  # a draft counts nowhere
    Document.objects.create(
        dossier=on_time,
        file="x",
        storage_key="k1",
        original_name="a.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=citizen,
    )
    Invoice.objects.create(
        dossier=on_time, reference="R1", amount=1, due_before="x", status="paid", online=True
    )
    Invoice.objects.create(
        dossier=late, reference="R2", amount=1, due_before="x", status="paid", online=False
    )
    Rating.objects.create(dossier=on_time, score=5)
    Rating.objects.create(dossier=late, score=2)
    today = timezone.localdate()
    return {"start": today - datetime.timedelta(days=1), "end": today, "a": agency_a.pk, "b": agency_b.pk}


def test_the_province_index_counts_each_rate_over_what_counts_toward_it(figures: dict[str, Any]) -> None:
    data = selectors.index(start=figures["start"], end=figures["end"])[None]

    assert (
        data["counts"]["returned"] == 2
        and data["counts"]["assessing"] == 1
        and data["counts"]["submitted"] == 1
    )
    assert "draft" not in data["counts"]
    assert data["rates"] == {
        "on_time": 0.5,
        "online": 0.5,
        "full_online": round(2 / 3, 4),  # two of the three full-online dossiers were filed online
        "online_payment": 0.5,
        "digitised": round(1 / 3, 4),
        "satisfaction": 0.5,
    }


def test_the_index_by_agency_splits_the_same_figures(figures: dict[str, Any]) -> None:
    by_agency = selectors.index(start=figures["start"], end=figures["end"], by_agency=True)

    assert by_agency[figures["a"]]["totals"] == {
        "submitted": 3,
        "returned": 2,
        "received": 3,
        "paid": 2,
        "ratings": 2,
    }
    assert by_agency[figures["b"]]["totals"]["submitted"] == 1
    assert by_agency[figures["b"]]["rates"]["on_time"] is None  # nothing returned: nothing counts


def test_a_period_without_dossiers_has_no_rates(db: Any) -> None:
    data = selectors.index(start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31))[None]

    assert set(data["rates"].values()) == {None}


def test_a_leader_reads_the_index_of_any_agency(api: Any, leader: Any, figures: dict[str, Any]) -> None:
    response = api(leader).get("/api/v1/stats/", {"agency": "H12.02"})

    assert response.status_code == 200
    assert response.json()["agency"] == "H12.02" and response.json()["counts"]["submitted"] == 1


def test_counter_staff_read_only_their_own_agency(api: Any, receiver: Any, figures: dict[str, Any]) -> None:
    assert api(receiver).get("/api/v1/stats/", {"agency": "H12.02"}).status_code == 403
    assert api(receiver).get("/api/v1/stats/").json()["agency"] == "H12.01"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"agency": "NOPE"}, 400),
        ({"from": "2026-12-01", "to": "2026-01-01"}, 400),
        ({"from": "yesterday"}, 400),
    ],
)
def test_bad_stats_queries_are_refused(api: Any, leader: Any, params: dict[str, str], status: int) -> None:
    response = api(leader).get("/api/v1/stats/", params)

    assert response.status_code == status
    assert {"detail", "code"} <= set(response.json())


def test_citizens_and_visitors_do_not_read_the_index(api: Any, citizen: Any) -> None:
    assert api(citizen).get("/api/v1/stats/").status_code == 403
    assert api().get("/api/v1/stats/").status_code == 401


def test_the_public_service_index_page_shows_the_province_and_its_agencies(
    client: Any, figures: dict[str, Any]
) -> None:
    page = in_english(client).get("/service-index/").content.decode()

    assert "Sở Tư pháp" in page and "Sở Xây dựng" in page
