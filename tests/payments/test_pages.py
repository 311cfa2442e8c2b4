"""The payment pages a citizen sees: the sandbox's demo pay page (pay or cancel) and the return page, which tells
the outcome and never marks anything paid itself.

The pages are asked for in English (the language cookie, as the switch sets it) so that the assertions hold once the Vietnamese
translation is filled in.
"""

import html
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client

from dossiers.models import Dossier
from payments.constants import EventKind
from payments.models import Invoice, Payment, PaymentEvent
from tests.english import in_english
from tests.payments.conftest import attempt_reference, invoice_state, reload, signed, vnp_signature

PAY_PAGE = "/payments/sandbox/pay/"
RETURN_PAGE = "/payments/return/sandbox/"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    in_english(client)


@pytest.fixture
def browser(client: Client, citizen: Any) -> Client:
    client.force_login(citizen)
    return client


@pytest.fixture
def pay_link(api: Any, citizen: Any, dossier: Dossier) -> str:
    """The sandbox address the portal sends the citizen to (path and query), from ``POST .../invoice/pay/``."""
    response = api(citizen).post(f"/api/v1/dossiers/{dossier.pk}/invoice/pay/", {"provider": "sandbox"})
    assert response.status_code == 200, response.content
    url = urlsplit(response.json()["redirect_url"])
    return f"{url.path}?{url.query}"


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the pay page's form, as a browser would post them back."""
    return {html.unescape(name): html.unescape(value) for name, value in HIDDEN.findall(page)}


def decide(browser: Client, pay_link: str, decision: str) -> Any:
    page = browser.get(pay_link)
    assert page.status_code == 200, page.content
    return browser.post(PAY_PAGE, {**form_fields(page.content.decode()), "decision": decision})


def path_and_query(location: str) -> str:
    url = urlsplit(location)
    return f"{url.path}?{url.query}"


# --- The sandbox's pay page -----------------------------------------------------------------------------------


def test_the_pay_page_shows_the_invoice_and_its_amount(
    browser: Client, pay_link: str, invoice: Invoice
) -> None:
    response = browser.get(pay_link)

    assert response.status_code == 200
    page = response.content.decode()
    assert "50.000 đ" in page
    assert invoice.reference in page
    assert "no real money" in page
    assert 'value="pay"' in page and 'value="cancel"' in page
    assert reload(invoice).status == "open"


def test_the_pay_page_asks_an_anonymous_visitor_to_log_in(client: Client, pay_link: str) -> None:
    response = client.get(pay_link)

    assert response.status_code == 302
    assert "/payments/sandbox/pay/" in response["Location"]


def _tampered(link: str, **changes: str) -> str:
    path, _, query = link.partition("?")
    return f"{path}?{urlencode({**dict(parse_qsl(query)), **changes})}"


@pytest.mark.parametrize(
    "make_link",
    [
        pytest.param(lambda link, invoice: PAY_PAGE, id="no-query"),
        pytest.param(lambda link, invoice: _tampered(link, vnp_Amount="100"), id="amount-changed"),
        pytest.param(lambda link, invoice: _tampered(link, vnp_SecureHash=""), id="hash-emptied"),
        pytest.param(lambda link, invoice: link.split("&vnp_SecureHash=")[0], id="unsigned"),
        pytest.param(
            lambda link, invoice: (
                f"{PAY_PAGE}?{urlencode(signed({'vnp_TxnRef': invoice.reference, 'vnp_Amount': '5000000'}, 'guess'))}"
            ),
            id="signed-with-another-secret",
        ),
        pytest.param(
            lambda link, invoice: (
                f"{PAY_PAGE}?{urlencode(signed({'vnp_TxnRef': 'HP26112300000000', 'vnp_Amount': '5000000'}))}"
            ),
            id="unknown-invoice",
        ),
    ],
)
def test_an_invalid_pay_link_gets_a_page_that_says_so(
    browser: Client, pay_link: str, invoice: Invoice, make_link: Any
) -> None:
    response = browser.get(make_link(pay_link, invoice))

    assert response.status_code == 400
    page = response.content.decode()
    assert "This payment request is not valid" in page
    assert 'value="pay"' not in page
    assert reload(invoice).status == "open"


def test_paying_sends_the_citizen_to_the_return_page_and_the_invoice_is_paid(
    browser: Client, pay_link: str, invoice: Invoice
) -> None:
    response = decide(browser, pay_link, "pay")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == RETURN_PAGE
    invoice = reload(invoice)
    assert (invoice.status, invoice.provider, invoice.online) == ("paid", "sandbox", True)
    assert Payment.objects.get(invoice=invoice).provider == "sandbox"
    assert PaymentEvent.objects.filter(invoice=invoice, kind=EventKind.PAID).count() == 1

    landing = browser.get(path_and_query(response["Location"]))

    assert landing.status_code == 200
    page = landing.content.decode()
    assert "The fee is paid" in page
    assert f"/api/v1/dossiers/{invoice.dossier_id}/invoice/receipt/" in page


def test_the_return_address_carries_a_genuinely_signed_notice(
    browser: Client, pay_link: str, invoice: Invoice
) -> None:
    response = decide(browser, pay_link, "pay")

    query = dict(parse_qsl(urlsplit(response["Location"]).query))
    assert query["vnp_SecureHash"] == vnp_signature(query)
    assert (query["vnp_TxnRef"], query["vnp_Amount"], query["vnp_ResponseCode"]) == (
        attempt_reference(invoice),
        "5000000",
        "00",
    )


def test_cancelling_leaves_the_invoice_open_and_the_return_page_says_it_failed(
    browser: Client, pay_link: str, invoice: Invoice
) -> None:
    before = invoice_state(invoice)

    response = decide(browser, pay_link, "cancel")

    assert response.status_code == 302
    assert invoice_state(invoice) == before
    (failed,) = PaymentEvent.objects.filter(invoice=invoice, kind=EventKind.REJECTED)
    assert failed.reason.startswith("failed_payment: ")

    landing = browser.get(path_and_query(response["Location"]))

    assert landing.status_code == 200
    page = landing.content.decode()
    assert "The payment did not go through" in page
    assert "The fee is paid" not in page


def test_a_pay_form_posted_back_with_a_changed_amount_is_refused(
    browser: Client, pay_link: str, invoice: Invoice
) -> None:
    page = browser.get(pay_link).content.decode()
    fields = {**form_fields(page), "vnp_Amount": "100", "decision": "pay"}

    response = browser.post(PAY_PAGE, fields)

    assert response.status_code == 400
    assert reload(invoice).status == "open"


def test_the_pay_page_never_sends_the_citizen_to_another_site(browser: Client, invoice: Invoice) -> None:
    fields = signed(
        {
            "vnp_TxnRef": attempt_reference(invoice),
            "vnp_Amount": "5000000",
            "vnp_TmnCode": "SANDBOX1",
            "vnp_ReturnUrl": "https://evil.example/steal",
        }
    )

    response = browser.post(PAY_PAGE, {**fields, "decision": "cancel"})

    assert response.status_code == 302
    assert "evil.example" not in urlsplit(response["Location"]).netloc
    assert urlsplit(response["Location"]).netloc in ("", "testserver")


# --- The return page ------------------------------------------------------------------------------------------


def test_a_tampered_return_query_cannot_be_read_and_marks_nothing_paid(
    browser: Client, pay_link: str, invoice: Invoice
) -> None:
    cancelled = decide(browser, pay_link, "cancel")
    query = dict(parse_qsl(urlsplit(cancelled["Location"]).query))
    before = invoice_state(invoice)

    response = browser.get(RETURN_PAGE, {**query, "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not read this payment" in page
    assert "The fee is paid" not in page
    assert invoice_state(invoice) == before


@pytest.mark.parametrize(
    "query",
    [{}, {"vnp_TxnRef": "HP1"}, {"vnp_ResponseCode": "00", "vnp_SecureHash": "0" * 128}],
    ids=["empty", "unsigned", "bad-hash"],
)
def test_a_return_page_without_a_genuine_query_cannot_be_read(
    client: Client, db: Any, query: dict[str, str]
) -> None:
    response = client.get(RETURN_PAGE, query)

    assert response.status_code == 400
    assert "We could not read this payment" in response.content.decode()


def test_a_genuine_success_on_the_return_page_alone_marks_nothing_paid(
    client: Client, invoice: Invoice
) -> None:
    """Only the server notice pays; the return page just reads the invoice (the notice may still be on its way)."""
    query = signed(
        {
            "vnp_TxnRef": attempt_reference(invoice),
            "vnp_Amount": "5000000",
            "vnp_ResponseCode": "00",
            "vnp_TransactionStatus": "00",
            "vnp_TransactionNo": "14000999",
        }
    )
    before = invoice_state(invoice)

    response = client.get(RETURN_PAGE, query)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Waiting for the bank" in page
    assert "The fee is paid" not in page
    assert invoice_state(invoice) == before
    assert not PaymentEvent.objects.filter(kind__in=[EventKind.PAID, EventKind.REJECTED]).exists()


def test_the_return_page_of_an_unknown_provider_is_not_found(client: Client, db: Any) -> None:
    assert client.get("/payments/return/paypal/").status_code == 404


def test_the_counter_has_no_return_page_to_read(client: Client, invoice: Invoice) -> None:
    response = client.get("/payments/return/counter/", signed({"vnp_TxnRef": invoice.reference}))

    assert response.status_code == 400
    assert reload(invoice).status == "open"


# --- The fee panel on the dossier pages: pay online, take the fee at the desk, waive it -------------------------


def test_a_citizen_files_pays_in_the_sandbox_and_sees_the_receipt(
    browser: Client, dossier: Dossier, invoice: Invoice
) -> None:
    detail = browser.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Not paid yet" in detail
    assert 'name="provider" value="sandbox"' in detail

    started = browser.post(f"/payments/dossiers/{dossier.pk}/pay/", {"provider": "sandbox"})
    assert started.status_code == 302
    assert urlsplit(started["Location"]).path == PAY_PAGE
    returned = decide(browser, path_and_query(started["Location"]), "pay")
    assert "The fee is paid" in browser.get(path_and_query(returned["Location"])).content.decode()

    detail = browser.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Not paid yet" not in detail
    assert 'name="provider"' not in detail
    receipt_url = f"/api/v1/dossiers/{dossier.pk}/invoice/receipt/"
    assert receipt_url in detail
    receipt = browser.get(receipt_url)
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")
    assert reload(invoice).online is True


@pytest.mark.parametrize("provider", ["", "sand/box", "paypal", "counter"])
def test_the_pay_button_with_a_provider_that_cannot_take_it_goes_back_to_the_dossier(
    browser: Client, dossier: Dossier, invoice: Invoice, provider: str
) -> None:
    response = browser.post(f"/payments/dossiers/{dossier.pk}/pay/", {"provider": provider})

    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.pk}/"
    assert reload(invoice).status == "open"
    assert not PaymentEvent.objects.filter(kind=EventKind.STARTED).exists()


def test_another_citizen_cannot_start_paying_from_the_page(
    client: Client, citizen2: Any, dossier: Dossier, invoice: Invoice
) -> None:
    client.force_login(citizen2)

    response = client.post(f"/payments/dossiers/{dossier.pk}/pay/", {"provider": "sandbox"})

    assert urlsplit(response.get("Location", "")).path != PAY_PAGE
    assert not PaymentEvent.objects.filter(kind=EventKind.STARTED).exists()


def test_a_receiver_takes_the_fee_at_the_desk_from_the_console(
    client: Client, receiver: Any, dossier: Dossier, invoice: Invoice
) -> None:
    client.force_login(receiver)
    console_page = f"/console/dossiers/{dossier.pk}/"
    assert "Record the payment" in client.get(console_page).content.decode()

    response = client.post(
        f"/payments/dossiers/{dossier.pk}/counter-payment/",
        {"method": "bank_qr", "reference": " QR-2611-0001 ", "next": console_page},
    )

    assert response.status_code == 302
    assert response["Location"] == console_page
    invoice = reload(invoice)
    assert (invoice.status, invoice.provider, invoice.online) == ("paid", "counter", False)
    assert Payment.objects.get().transaction_no == "QR-2611-0001"
    page = client.get(console_page).content.decode()
    assert "The payment at the desk is recorded." in page
    assert "Record the payment" not in page


def test_a_receiver_waives_the_fee_with_its_reason_from_the_console(
    client: Client, receiver: Any, dossier: Dossier, invoice: Invoice
) -> None:
    client.force_login(receiver)

    response = client.post(
        f"/payments/dossiers/{dossier.pk}/waive/",
        {"reason": "Hộ nghèo", "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/console/dossiers/{dossier.pk}/"
    assert (reload(invoice).status, reload(invoice).waived_reason) == ("waived", "Hộ nghèo")


@pytest.mark.parametrize(
    ("path", "data"),
    [("counter-payment", {"method": "card"}), ("waive", {"reason": "Hộ nghèo"})],
    ids=["counter-payment", "waive"],
)
def test_a_citizen_cannot_take_or_waive_their_own_fee_from_the_pages(
    browser: Client, dossier: Dossier, invoice: Invoice, path: str, data: dict[str, str]
) -> None:
    response = browser.post(f"/payments/dossiers/{dossier.pk}/{path}/", data)

    assert response.status_code == 302
    assert reload(invoice).status == "open"
