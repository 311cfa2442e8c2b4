"""Reconciliation by period: a settlement file covers a day, a week or a month, stated or implied, and only the
portal's payments and refunds inside it are looked for in it; refunds are compared too; the finance page lists the
mismatches, exports them as CSV and marks them resolved with a note; the finance figures match the statistics."""

import csv
import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from payments.models import Invoice, Mismatch, Payment, Reconciliation, Refund
from payments.reconciliation import reconcile
from tests.english import in_english
from tests.payments.conftest import good_notice, submit_dossier

HEADER = "reference,transaction_no,amount,status"


@pytest.fixture
def invoices(version_a: Any, citizen: Any) -> list[Invoice]:
    return [Invoice.objects.get(dossier=submit_dossier(version_a, citizen)) for _ in range(4)]


@pytest.fixture
def paid_on_days(send_notice: Callable[..., Any], invoices: list[Invoice]) -> list[Invoice]:
    """T1 paid on 20/11, T2 on 22/11, T3 on 23/11, T4 on 30/11 (Vietnam's time), all 50.000 đ in the sandbox."""
    for number, (invoice, day) in enumerate(zip(invoices, ("20", "22", "23", "30"), strict=True), start=1):
        notice = good_notice(invoice, transaction_no=f"T{number}", vnp_PayDate=f"202611{day}093000")
        assert send_notice(notice).json()["RspCode"] == "00"
    return invoices


def kinds(run: Reconciliation) -> set[tuple[str, str]]:
    return set(run.mismatches.values_list("kind", "transaction_no"))


def run_file(text: str, source: str = "sandbox.csv", **kwargs: Any) -> Reconciliation:
    return reconcile(provider_name="sandbox", text=text, source=source, **kwargs)


def test_a_daily_file_does_not_flag_the_payments_of_other_days(paid_on_days: list[Invoice]) -> None:
    """The issue's wolf: yesterday's payments are not "missing in report" from today's file."""
    three = paid_on_days[2]

    run = run_file(f"{HEADER}\n{three.reference},T3,50000,00\n", source="/drop/sandbox/2026-11-23.csv")

    assert (run.period_start, run.period_end) == (datetime.date(2026, 11, 23), datetime.date(2026, 11, 23))
    assert (run.matched, kinds(run)) == (1, set())


def test_a_daily_file_that_lacks_a_payment_of_its_day_flags_it(paid_on_days: list[Invoice]) -> None:
    run = run_file(f"{HEADER}\n", source="20261123.csv")

    assert kinds(run) == {("missing_in_report", "T3")}


def test_a_weekly_file_states_its_period_and_flags_only_its_weeks_missing_payments(
    paid_on_days: list[Invoice],
) -> None:
    one, two, three, four = paid_on_days
    text = f"# period: 2026-11-17 2026-11-23\n{HEADER}\n{one.reference},T1,50000,00\n{three.reference},T3,50000,00\n"

    run = run_file(text, source="weekly.csv")

    assert (run.period_start, run.period_end) == (datetime.date(2026, 11, 17), datetime.date(2026, 11, 23))
    assert run.matched == 2
    assert kinds(run) == {("missing_in_report", "T2")}  # T4 (30/11) is outside the week
    assert run.mismatches.get().line is None


def test_a_file_implies_its_period_by_its_rows_dates(paid_on_days: list[Invoice]) -> None:
    one, two, three, four = paid_on_days
    text = "reference,transaction_no,amount,status,date\n" + "\n".join(
        [f"{one.reference},T1,50000,00,20/11/2026", f"{four.reference},T4,50000,00,20261130120000"]
    )

    run = run_file(text)

    assert (run.period_start, run.period_end) == (datetime.date(2026, 11, 20), datetime.date(2026, 11, 30))
    assert kinds(run) == {("missing_in_report", "T2"), ("missing_in_report", "T3")}


def test_a_file_with_no_period_is_refused(paid_on_days: list[Invoice], tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(f"{HEADER}\n{paid_on_days[0].reference},T1,50000,00\n", encoding="utf-8")

    with pytest.raises(CommandError, match="states no period"):
        call_command("reconcile", "sandbox", str(path))

    assert not Reconciliation.objects.exists()


def test_the_command_takes_the_period_from_its_options(paid_on_days: list[Invoice], tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(f"{HEADER}\n", encoding="utf-8")
    out = io.StringIO()

    call_command("reconcile", "sandbox", str(path), "--from", "2026-11-01", "--to", "2026-11-30", stdout=out)

    assert len(kinds(Reconciliation.objects.get())) == 4
    assert "period 2026-11-01 to 2026-11-30" in out.getvalue()


@pytest.mark.parametrize(
    "line", ["# period: 2026-11-30 2026-11-01", "# period: last week"], ids=["reversed", "not-days"]
)
def test_a_period_line_that_is_not_two_days_in_order_is_refused(db: Any, line: str) -> None:
    from payments.reconciliation import ReportInvalid

    with pytest.raises(ReportInvalid, match="period line"):
        run_file(f"{line}\n{HEADER}\n")


# --- Refunds in the period ------------------------------------------------------------------------------------


@pytest.fixture
def refunded(paid_on_days: list[Invoice], leader: Any) -> Refund:
    """T3's payment refunded in full on 25/11 at the sandbox, refund transaction R1 (recorded as the provider said)."""
    three = paid_on_days[2]
    refund = Refund.objects.create(
        invoice=three,
        reference=f"{three.reference}R01",
        provider="sandbox",
        amount=50_000,
        reason="Thu nhầm",
        status="done",
        requested_by=leader,
        requested_at=timezone.now(),
        done_at=datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))),
        transaction_no="R1",
    )
    Invoice.objects.filter(pk=three.pk).update(status="refunded", refunded_amount=50_000)
    return refund


def test_a_period_with_a_refund_the_file_shows_matches(refunded: Refund, paid_on_days: list[Invoice]) -> None:
    three = paid_on_days[2]
    text = (
        "# period: 2026-11-23 2026-11-25\nreference,transaction_no,amount,status,type\n"
        f"{three.reference},T3,50000,00,payment\n{three.reference},R1,50000,00,02\n"
    )

    run = run_file(text)

    assert (run.matched, kinds(run)) == (2, set())


def test_a_refund_the_file_does_not_show_is_refunded_but_settled(
    refunded: Refund, paid_on_days: list[Invoice]
) -> None:
    three = paid_on_days[2]

    run = run_file(f"# period: 2026-11-23 2026-11-25\n{HEADER}\n{three.reference},T3,50000,00\n")

    (mismatch,) = run.mismatches.all()
    assert (mismatch.kind, mismatch.transaction_no, mismatch.portal_amount) == (
        "refunded_but_settled",
        "R1",
        50_000,
    )


def test_a_refund_in_the_file_the_portal_never_made_or_of_another_amount_is_flagged(
    refunded: Refund, paid_on_days: list[Invoice]
) -> None:
    one, two, three, four = paid_on_days
    text = (
        "# period: 2026-11-25\nreference,transaction_no,amount,status,type\n"
        f"{three.reference},R1,40000,00,refund\n{one.reference},R9,50000,00,refund\n"
    )

    run = run_file(text)

    assert set(run.mismatches.values_list("kind", "transaction_no", "detail")) == {
        ("amount", "R1", "refund"),
        ("missing_in_portal", "R9", "refund"),
    }


# --- The finance page -----------------------------------------------------------------------------------------


def test_finance_staff_resolve_a_mismatch_with_a_note_and_export_the_run_as_csv(
    client: Any, leader: Any, paid_on_days: list[Invoice]
) -> None:
    run = run_file(f"{HEADER}\n=HYPERLINK(1),T9,50000,00\n", source="2026-11-23.csv")
    missing = run.mismatches.get(kind="missing_in_report")
    client.force_login(leader)

    response = in_english(client).post(
        f"/payments/mismatches/{missing.pk}/resolve/", {"note": "Settled on 24/11 in the bank's next file"}
    )

    assert response.status_code == 302
    missing.refresh_from_db()
    assert (missing.resolution, missing.resolved_by, missing.resolved_at is not None) == (
        "Settled on 24/11 in the bank's next file",
        leader,
        True,
    )
    again = in_english(client).post(
        f"/payments/mismatches/{missing.pk}/resolve/", {"note": "again"}, follow=True
    )
    assert "resolved already" in again.content.decode()
    assert Mismatch.objects.get(pk=missing.pk).resolution.startswith("Settled")

    export = client.get(f"/payments/reconciliation/{run.pk}/mismatches.csv")

    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {(row["kind"], row["transaction_no"]) for row in rows} == {
        ("unknown_invoice", "T9"),
        ("missing_in_report", "T3"),
    }
    assert {row["reference"] for row in rows if row["kind"] == "unknown_invoice"} == {"'=HYPERLINK(1)"}
    assert [row["resolved_by"] for row in rows if row["kind"] == "missing_in_report"] == [leader.username]


def test_a_resolution_needs_a_note(client: Any, leader: Any, paid_on_days: list[Invoice]) -> None:
    run = run_file(f"{HEADER}\n", source="2026-11-23.csv")
    client.force_login(leader)

    client.post(f"/payments/mismatches/{run.mismatches.get().pk}/resolve/", {"note": "  "})

    assert run.mismatches.get().resolved_at is None


@pytest.mark.parametrize("who", ["receiver", "citizen", "approver"])
def test_only_finance_staff_resolve_or_export(
    client: Any, request: pytest.FixtureRequest, paid_on_days: list[Invoice], who: str
) -> None:
    run = run_file(f"{HEADER}\n", source="2026-11-23.csv")
    client.force_login(request.getfixturevalue(who))

    assert (
        client.post(f"/payments/mismatches/{run.mismatches.get().pk}/resolve/", {"note": "x"}).status_code
        == 403
    )
    assert client.get(f"/payments/reconciliation/{run.pk}/mismatches.csv").status_code == 403
    assert run.mismatches.get().resolved_at is None


def test_the_finance_page_shows_each_agencys_figures_for_the_period(
    client: Any, leader: Any, paid_on_days: list[Invoice], refunded: Refund
) -> None:
    client.force_login(leader)

    response = in_english(client).get("/payments/reconciliation/?from=2026-11-01&to=2026-11-30")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Figures from 01/11/2026 to 30/11/2026" in page
    assert paid_on_days[0].dossier.agency.name in page
    assert "200.000" in page  # paid: four fees of 50.000
    assert "150.000" in page  # net, after the refund of 50.000


def test_the_finance_figures_match_the_statistics_online_payment_rate(
    api: Any, receiver: Any, version_a: Any, citizen: Any, send_notice: Callable[..., Any]
) -> None:
    from payments.selectors import finance_figures
    from stats.selectors import Scope, by_agency

    online = [Invoice.objects.get(dossier=submit_dossier(version_a, citizen)) for _ in range(3)]
    desk = Invoice.objects.get(dossier=submit_dossier(version_a, citizen))
    unpaid = Invoice.objects.get(dossier=submit_dossier(version_a, citizen))
    for number, invoice in enumerate(online):
        assert send_notice(good_notice(invoice, transaction_no=f"S{number}")).json()["RspCode"] == "00"
    api(receiver).post(f"/api/v1/dossiers/{desk.dossier_id}/invoice/counter-payment/", {"method": "card"})
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)

    (row,) = finance_figures(start=start, end=today + datetime.timedelta(days=1))
    stats = by_agency(Scope(start=today, end=today))[row["agency_id"]]  # this month, as the index counts
    indicator = next(i for i in stats["indicators"] if i["code"] == "4.1")

    # Three of the five fee-bearing dossiers paid online (one at the desk, one not yet).
    assert row["online_payment"] == stats["rates"]["online_payment"] == indicator["ratio"] == 0.6
    assert (row["outstanding"], row["open_invoices"]) == (unpaid.amount, 1)
    assert Payment.objects.count() == 4
