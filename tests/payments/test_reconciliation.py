"""Reconciliation: a provider's settlement report (CSV) against the portal's payments, by ``manage.py reconcile``
and by the daily task, and the page where the province's finance staff see every mismatch."""

import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from payments.models import Invoice, Mismatch, Reconciliation
from payments.tasks import reconcile_reports
from tests.english import in_english
from tests.payments.conftest import good_notice, submit_dossier

HEADER = "reference,transaction_no,amount,status"


@pytest.fixture
def invoices(version_a: Any, citizen: Any) -> list[Invoice]:
    """Four open invoices of 50.000 đ."""
    return [Invoice.objects.get(dossier=submit_dossier(version_a, citizen)) for _ in range(4)]


@pytest.fixture
def paid(send_notice: Callable[..., Any], invoices: list[Invoice]) -> list[Invoice]:
    """The first three invoices paid in the sandbox by transactions T1, T2, T3; the fourth still open."""
    for number, invoice in enumerate(invoices[:3], start=1):
        assert send_notice(good_notice(invoice, transaction_no=f"T{number}")).json()["RspCode"] == "00"
    return invoices


def write(
    folder: Path, lines: list[str], *, name: str = "report-2026-11-23.csv", encoding: str = "utf-8"
) -> Path:
    """A settlement report; its name says the day it covers (the notices' pay date, ``conftest.notice_fields``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def reconcile(path: Path, provider: str = "sandbox") -> str:
    out = io.StringIO()
    call_command("reconcile", provider, str(path), stdout=out)
    return out.getvalue()


def mismatches() -> set[tuple[Any, ...]]:
    return set(
        Mismatch.objects.values_list(
            "kind", "reference", "transaction_no", "line", "portal_amount", "report_amount"
        )
    )


def test_a_report_that_agrees_with_the_portal_has_no_mismatch(tmp_path: Path, paid: list[Invoice]) -> None:
    path = write(tmp_path, [HEADER, *(f"{inv.reference},T{n},50000,00" for n, inv in enumerate(paid[:3], 1))])

    output = reconcile(path)

    run = Reconciliation.objects.get()
    assert (run.provider, run.source, run.rows, run.matched) == ("sandbox", str(path), 3, 3)
    assert mismatches() == set()
    assert "3 rows, 3 matched, 0 mismatches (period 2026-11-23 to 2026-11-23)." in output


def test_every_kind_of_difference_becomes_a_mismatch_row_with_its_line(
    tmp_path: Path, paid: list[Invoice]
) -> None:
    one, two, three, unpaid = paid
    path = write(
        tmp_path,
        [
            HEADER,
            f"{one.reference},T1,50000,00",  # line 2: matched
            f"{two.reference},T2,40000,00",  # line 3: the report says less
            f"{unpaid.reference},T9,50000,00",  # line 4: settled, but the portal has no such payment
            "HP00000000000000,T10,70000,00",  # line 5: no such invoice
            f"{unpaid.reference},T11,fifty,00",  # line 6: unreadable
            f"{unpaid.reference},T12,50000,24",  # line 7: a failed payment in the report: not settled
            # T3 (three) is missing from the report
        ],
    )

    output = reconcile(path)

    assert mismatches() == {
        ("amount", two.reference, "T2", 3, 50_000, 40_000),
        ("missing_in_portal", unpaid.reference, "T9", 4, 50_000, 50_000),
        ("unknown_invoice", "HP00000000000000", "T10", 5, None, 70_000),
        ("bad_row", unpaid.reference, "T11", 6, None, None),
        ("missing_in_report", three.reference, "T3", None, 50_000, None),
    }
    assert "fifty" in Mismatch.objects.get(kind="bad_row").detail
    run = Reconciliation.objects.get()
    assert (run.rows, run.matched) == (6, 1)
    assert "6 rows, 1 matched, 5 mismatches (period 2026-11-23 to 2026-11-23)." in output
    assert "line 6: " in output


def test_a_transaction_reported_for_another_invoice_is_missing_in_the_portal(
    tmp_path: Path, paid: list[Invoice]
) -> None:
    one, two, *_ = paid

    reconcile(write(tmp_path, [HEADER, f"{two.reference},T1,50000,00", f"{one.reference},T2,50000,00"]))

    kinds = {(kind, reference) for kind, reference, *_ in mismatches()}
    assert ("missing_in_portal", two.reference) in kinds
    assert ("missing_in_portal", one.reference) in kinds


def test_line_numbers_are_the_files_lines_past_blank_lines(tmp_path: Path, paid: list[Invoice]) -> None:
    path = write(tmp_path, [HEADER, "", f"{paid[0].reference},T1,50000,00", "", "", "HP1,T2,oops,00"])

    reconcile(path)

    assert Mismatch.objects.get(kind="bad_row").line == 6


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("HP1,T8,50000,00,surplus", "more field"),
        ("HP1,T8", "not a number"),
        ("HP1,T8,,00", "not a number"),
        ("HP1,T8,1e5,00", "not a number"),
        ("HP1,T8," + "9" * 30 + ",00", "out of range"),
        ("HP1,T8," + "9" * 5000 + ",00", "not a number"),
    ],
    ids=[
        "extra-field",
        "missing-fields",
        "empty-amount",
        "amount-in-e-notation",
        "amount-too-big",
        "amount-huge",
    ],
)
def test_a_row_that_cannot_be_read_is_a_bad_row_with_its_line(
    tmp_path: Path, paid: list[Invoice], row: str, why: str
) -> None:
    path = write(
        tmp_path, [HEADER, f"{paid[0].reference},T1,50000,00", row, f"{paid[1].reference},T2,50000,00"]
    )

    reconcile(path)

    bad = Mismatch.objects.get(kind="bad_row")
    assert bad.line == 3
    assert why in bad.detail
    assert len(bad.detail) <= 255
    assert Reconciliation.objects.get().matched == 2


def test_references_longer_than_a_mismatch_holds_are_cut_not_an_error(
    tmp_path: Path, paid: list[Invoice]
) -> None:
    path = write(tmp_path, [HEADER, f"{'R' * 300},{'T' * 300},50000,00"])

    reconcile(path)

    unknown = Mismatch.objects.get(kind="unknown_invoice")
    assert (unknown.reference, unknown.transaction_no, unknown.line) == ("R" * 64, "T" * 64, 2)


def test_a_report_with_a_byte_order_mark_and_loose_headers_is_read(
    tmp_path: Path, paid: list[Invoice]
) -> None:
    lines = [
        " Reference , Transaction_No ,AMOUNT",
        f"{paid[0].reference},T1,50.000",
        f'{paid[1].reference},T2,"50,000"',
        f"{paid[2].reference},T3, 50000 ",
    ]
    path = write(tmp_path, lines, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    reconcile(path)

    assert Reconciliation.objects.get().matched == 3
    assert mismatches() == set()


@pytest.mark.parametrize(
    "lines",
    [
        ["reference,amount", "HP1,50000"],
        ["ref,txn,amt", "HP1,T1,50000"],
        [""],
        ["\ufeff"],
    ],
    ids=["no-transaction-column", "other-names", "empty-file", "only-a-byte-order-mark"],
)
def test_a_report_without_the_required_columns_is_refused(
    tmp_path: Path, paid: list[Invoice], lines: list[str]
) -> None:
    with pytest.raises(CommandError, match="needs the columns"):
        reconcile(write(tmp_path, lines))

    assert not Reconciliation.objects.exists()


def test_a_missing_file_is_refused(tmp_path: Path, db: Any) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        reconcile(tmp_path / "no-such-report.csv")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, db: Any) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes("reference,transaction_no,amount\nHP1,T1,50000,Lệ phí\n".encode("utf-16"))

    with pytest.raises(CommandError, match="Cannot read"):
        reconcile(path)


def test_an_unknown_provider_is_refused(tmp_path: Path, paid: list[Invoice]) -> None:
    with pytest.raises(CommandError, match="paypal"):
        reconcile(write(tmp_path, [HEADER, f"{paid[0].reference},T1,50000,00"]), provider="paypal")

    assert not Reconciliation.objects.exists()


def test_a_report_is_compared_only_with_its_own_providers_payments(
    tmp_path: Path, api: Any, receiver: Any, invoices: list[Invoice]
) -> None:
    one = invoices[0]
    api(receiver).post(
        f"/api/v1/dossiers/{one.dossier_id}/invoice/counter-payment/",
        {"method": "card", "reference": "POS-1"},
    )

    reconcile(write(tmp_path, [HEADER, f"{one.reference},POS-1,50000,00"]), provider="counter")
    assert Reconciliation.objects.get().matched == 1

    reconcile(
        write(tmp_path, [HEADER, f"{one.reference},POS-1,50000,00"], name="sandbox-2026-11-23.csv"),
        provider="sandbox",
    )
    assert Mismatch.objects.get().kind == "missing_in_portal"


# --- The daily task -------------------------------------------------------------------------------------------


def test_the_daily_task_compares_each_dropped_report_once(
    tmp_path: Path, settings: Any, paid: list[Invoice]
) -> None:
    settings.PAYMENT_SETTLEMENT_DIR = str(tmp_path)
    first = write(tmp_path / "sandbox", [HEADER, f"{paid[0].reference},T1,50000,00"], name="2026-11-23.csv")
    write(tmp_path / "sandbox", ["not a report"], name="notes.txt")

    assert reconcile_reports() == 1
    assert reconcile_reports() == 0

    run = Reconciliation.objects.get()
    assert (run.provider, run.source, run.matched) == ("sandbox", str(first), 1)

    second = write(tmp_path / "sandbox", [HEADER, f"{paid[1].reference},T2,45000,00"], name="2026-11-24.csv")
    assert reconcile_reports() == 1
    assert Reconciliation.objects.count() == 2
    assert Mismatch.objects.filter(reconciliation__source=str(second), kind="amount").count() == 1


def test_the_daily_task_skips_a_bad_report_and_a_folder_of_no_provider_and_does_the_rest(
    tmp_path: Path, settings: Any, paid: list[Invoice], caplog: pytest.LogCaptureFixture
) -> None:
    settings.PAYMENT_SETTLEMENT_DIR = str(tmp_path)
    write(tmp_path / "aaa-unknown", [HEADER, f"{paid[0].reference},T1,50000,00"])
    write(tmp_path / "sandbox", ["reference,amount", "HP1,5"], name="a-broken.csv")
    good = write(
        tmp_path / "sandbox", [HEADER, f"{paid[0].reference},T1,50000,00"], name="b-good-20261123.csv"
    )

    with caplog.at_level(logging.ERROR, logger="payments.reconciliation"):
        assert reconcile_reports() == 1

    assert list(Reconciliation.objects.values_list("source", flat=True)) == [str(good)]
    assert "aaa-unknown" in caplog.text
    assert "a-broken.csv" in caplog.text


def test_the_daily_task_does_nothing_without_a_settlement_folder(
    tmp_path: Path, settings: Any, db: Any
) -> None:
    settings.PAYMENT_SETTLEMENT_DIR = str(tmp_path / "absent")

    assert reconcile_reports() == 0
    assert not Reconciliation.objects.exists()


# --- The page -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["province_admin", "leader"])
def test_the_provinces_finance_staff_see_every_mismatch(
    client: Any, request: pytest.FixtureRequest, tmp_path: Path, paid: list[Invoice], who: str
) -> None:
    one, two, three, unpaid = paid
    reconcile(write(tmp_path, [HEADER, f"{one.reference},T1,50000,00", f"{two.reference},T2,40000,00"]))
    client.force_login(request.getfixturevalue(who))

    response = in_english(client).get("/payments/reconciliation/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Amounts differ" in page
    assert "Paid in the portal, not in the provider&#x27;s report" in page
    assert two.reference in page and three.reference in page
    assert "40000" in page
    assert "2 rows, 1 matched" in page


@pytest.mark.parametrize("who", ["citizen", "receiver", "assessor", "approver", "receiver_b"])
def test_the_reconciliation_page_is_forbidden_to_everyone_else(
    client: Any, request: pytest.FixtureRequest, tmp_path: Path, paid: list[Invoice], who: str
) -> None:
    reconcile(write(tmp_path, [HEADER, f"{paid[1].reference},T2,40000,00"]))
    client.force_login(request.getfixturevalue(who))

    response = client.get("/payments/reconciliation/")

    assert response.status_code == 403
    assert paid[1].reference not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in_for_the_reconciliation_page(client: Any, db: Any) -> None:
    response = client.get("/payments/reconciliation/")

    assert response.status_code == 302
    assert "next=/payments/reconciliation/" in response["Location"]
