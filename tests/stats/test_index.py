"""The service index's API and who may read it: points, complaints, filters, exports, the staff's scope."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from procedures.models import Agency
from stats import services
from tests.factories import AgencyFactory, DossierFactory, ProcedureVersionFactory
from tests.stats.conftest import add_complaint, add_invoice


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
    add_invoice(on_time, status="paid", online=True)
    add_invoice(late, status="paid", online=False)
    add_complaint(late, due_in_hours=-1)
    services.rebuild()
    return {"full": full, "partial": partial, "other": other}


def test_a_leader_reads_the_points_rates_and_complaints_of_the_province(
    api: Any, leader: Any, figures: Any
) -> None:
    body = api(leader).get("/api/v1/stats/").json()

    assert body["agency"] is None
    assert (
        body["counts"]["returned"] == 2
        and body["counts"]["assessing"] == 1
        and body["counts"]["submitted"] == 1
    )
    assert "draft" not in body["counts"]
    assert set(body["rates"]) == {
        "on_time",
        "online",
        "full_online",
        "online_payment",
        "digitised",
        "satisfaction",
    }
    assert body["rates"]["online"] == 0.5  # two of the four dossiers filed online
    assert body["rates"]["on_time"] == round(
        2 / 3, 4
    )  # one returned on time, one in hand not yet due, one late
    assert body["rates"]["online_payment"] == 0.5
    assert set(body["scores"]["groups"]) == {
        "transparency",
        "progress",
        "online",
        "payment",
        "digitisation",
        "satisfaction",
    }
    assert 0 < body["scores"]["total"] <= body["scores"]["known_max"] < 100
    assert body["complaints"] == {
        "due": 1,
        "answered_on_time": 0,
        "answered_late": 0,
        "open": 1,
        "overdue": 1,
    }


def test_the_index_filters_by_agency_sector_procedure_and_channel(
    api: Any, leader: Any, figures: Any, agency_b: Any
) -> None:
    client = api(leader)

    assert client.get("/api/v1/stats/", {"agency": agency_b.code}).json()["counts"]["submitted"] == 1
    by_procedure = client.get("/api/v1/stats/", {"procedure": figures["partial"].procedure.code}).json()
    assert by_procedure["counts"]["returned"] == 1 and by_procedure["totals"]["filed"] == 1
    by_sector = client.get("/api/v1/stats/", {"sector": figures["full"].sector.code}).json()
    assert (
        by_sector["totals"]["filed"] == 2
    )  # the full-online procedure's sector: two filed (its draft is not)
    counter = client.get("/api/v1/stats/", {"channel": "counter"}).json()
    assert counter["totals"]["filed"] == 2 and counter["rates"]["online"] == 0.0


def test_staff_read_their_agency_and_its_children_only(
    api: Any, receiver: Any, agency_a: Any, agency_b: Any, citizen: Any, figures: Any
) -> None:
    child = AgencyFactory(code="H12.01.1", parent=agency_a)
    DossierFactory(
        version=ProcedureVersionFactory(published=True, agency=child), applicant=citizen, submitted=True
    )
    services.rebuild()
    client = api(receiver)

    own = client.get("/api/v1/stats/").json()
    assert own["agency"] == agency_a.code
    assert own["totals"]["filed"] == 4  # agency A's three and its child's one
    assert client.get("/api/v1/stats/", {"agency": child.code}).json()["totals"]["filed"] == 1
    assert client.get("/api/v1/stats/", {"agency": agency_b.code}).status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"agency": "NOPE"},
        {"sector": "NOPE"},
        {"procedure": "NOPE"},
        {"channel": "pigeon"},
        {"from": "2026-12-01", "to": "2026-01-01"},
        {"from": "yesterday"},
        {"from": "0001-01-01"},
        {"from": "2000-01-01", "to": "2020-01-01"},
        {"format": "pdf"},
    ],
)
def test_bad_stats_queries_are_refused_with_a_reason(api: Any, leader: Any, params: dict[str, str]) -> None:
    response = api(leader).get("/api/v1/stats/", params)

    assert response.status_code == 400
    assert {"detail", "code"} <= set(response.json())


def test_citizens_and_visitors_do_not_read_the_index(api: Any, citizen: Any) -> None:
    assert api(citizen).get("/api/v1/stats/").status_code == 403
    assert api().get("/api/v1/stats/").status_code == 401


def test_the_export_as_csv_and_xlsx_carries_the_same_figures(api: Any, leader: Any, figures: Any) -> None:
    client = api(leader)
    body = client.get("/api/v1/stats/").json()

    as_csv = client.get("/api/v1/stats/", {"format": "csv"})
    assert as_csv["Content-Type"].startswith("text/csv") and "attachment" in as_csv["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    on_time = next(row for row in rows if row and row[0] == "2.1")
    assert [int(on_time[2]), int(on_time[3])] == [
        next(r for r in body["indicators"] if r["code"] == "2.1")[k] for k in ("numerator", "denominator")
    ]
    as_xlsx = client.get("/api/v1/stats/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    total = next(row for row in cells if row[0] in ("Tổng điểm", "Total points"))
    assert total[1] == body["scores"]["total"]


def test_a_name_that_a_spreadsheet_would_run_is_written_as_text(
    api: Any, leader: Any, figures: Any, agency_a: Any
) -> None:
    Agency.objects.filter(pk=agency_a.pk).update(name='=HYPERLINK("http://evil")')

    text = (
        api(leader)
        .get("/api/v1/stats/", {"agency": agency_a.code, "format": "csv"})
        .content.decode("utf-8-sig")
    )

    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_anyone_reads_the_public_figures_and_nothing_personal(api: Any, figures: Any, citizen: Any) -> None:
    response = api().get("/api/v1/stats/public/")

    assert response.status_code == 200
    body = response.json()
    codes = [a["code"] for a in body["agencies"]]
    assert codes == sorted(codes) and len(codes) == 2
    first = body["agencies"][0]
    assert set(first["rates"]) == {"on_time", "online", "satisfaction"}
    assert len(first["months"]) == len(body["months"]) and "points" in first
    text = response.content.decode()
    assert citizen.username not in text and "Nguyễn Văn An" not in text
    assert api().get("/api/v1/stats/public/", {"from": "bad"}).status_code == 400
