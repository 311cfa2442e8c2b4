"""Signing results: approval to a signed PDF that pyHanko validates, idempotent tasks, the signers, the sweep."""

import hashlib
import re
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from kombu.exceptions import OperationalError
from pyhanko.pdf_utils.reader import PdfFileReader

from dossiers import official, pki, results, signers, tasks, workflow
from dossiers.constants import State
from dossiers.models import Dossier, DossierEvent, Result
from procedures.models import FormField
from tests.factories import AgencyFactory, DossierFactory, ProcedureVersionFactory, UserFactory
from tests.signing.conftest import (
    BASE_URL,
    append_forged_content,
    approve,
    flip_a_signed_byte,
    result_pdf,
    validate,
)

pytestmark = pytest.mark.django_db


def signed_events(dossier: Dossier) -> int:
    return DossierEvent.objects.filter(dossier=dossier, action="signed").count()


@pytest.fixture
def approved(
    assessed: Dossier, approver: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> Dossier:
    """The dossier approved by the approver; signing ran in process after the commit."""
    return approve(assessed, approver, django_capture_on_commit_callbacks)


@pytest.fixture
def signed_pdf(approved: Dossier) -> bytes:
    return result_pdf(approved)


@pytest.fixture
def in_signing(version_a: Any, citizen: Any) -> Dossier:
    """A dossier approved ("grant") whose signing has not run yet."""
    return DossierFactory(
        version=version_a, applicant=citizen, approved=True, signing_queued_at=timezone.now()
    )


# Approval to a signed result


def test_approving_a_complete_dossier_ends_in_result_ready_with_one_signed_result(approved: Dossier) -> None:
    assert approved.state == State.RESULT_READY
    assert Result.objects.filter(dossier=approved).count() == 1
    assert signed_events(approved) == 1
    event = DossierEvent.objects.get(dossier=approved, action="signed")
    assert (event.from_state, event.to_state, event.actor) == (State.SIGNING, State.RESULT_READY, None)


def test_the_stored_result_is_the_signed_pdf_with_its_fingerprint(
    approved: Dossier, signed_pdf: bytes
) -> None:
    result = Result.objects.get(dossier=approved)
    assert signed_pdf.startswith(b"%PDF-")
    assert result.sha256 == hashlib.sha256(signed_pdf).hexdigest()
    assert result.outcome == "grant"
    assert result.signer == approved.agency.name


def test_the_signed_result_validates_against_the_province_ca(
    approved: Dossier, signed_pdf: bytes, demo_pki: Any
) -> None:
    status = validate(signed_pdf, demo_pki.ca_asn1())

    assert status.intact
    assert status.valid
    assert status.trusted
    # The signature covers its revision; only the validation data (DSS) of PAdES B-LT follows it.
    assert status.coverage.name == "ENTIRE_REVISION"
    assert status.modification_level.name == "LTA_UPDATES"
    assert status.bottom_line


def test_the_result_is_signed_with_the_competent_agencys_certificate(
    approved: Dossier, signed_pdf: bytes, demo_pki: Any
) -> None:
    status = validate(signed_pdf, demo_pki.ca_asn1())
    agency_cert = demo_pki.agency_certificate(approved.agency.code)

    assert status.signing_cert.dump() == agency_cert.public_bytes(serialization.Encoding.DER)
    assert status.signing_cert.subject.native["organizational_unit_name"] == approved.agency.code
    assert Result.objects.get(dossier=approved).certificate_serial == format(agency_cert.serial_number, "x")


def test_a_copy_with_one_signed_byte_changed_fails_validation(signed_pdf: bytes, demo_pki: Any) -> None:
    status = validate(flip_a_signed_byte(signed_pdf), demo_pki.ca_asn1())

    assert not status.intact
    assert not status.bottom_line


def test_a_copy_with_content_appended_after_signing_is_not_covered_by_the_signature(
    signed_pdf: bytes, demo_pki: Any
) -> None:
    status = validate(append_forged_content(signed_pdf), demo_pki.ca_asn1())

    assert status.modification_level.name not in ("NONE", "LTA_UPDATES")
    assert not status.bottom_line


def test_a_result_signed_for_another_agency_is_signed_with_that_agencys_certificate(
    demo_pki: Any, citizen: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    agency = AgencyFactory(code="H12.02", name="Sở Xây dựng")
    demo_pki.issue(agency)
    approver_b = UserFactory(username="approver_b", role="approver", agency=agency)
    dossier = DossierFactory(version=ProcedureVersionFactory(published=True, agency=agency), assessed=True)

    approve(dossier, approver_b, django_capture_on_commit_callbacks)

    status = validate(result_pdf(dossier), demo_pki.ca_asn1())
    assert status.bottom_line
    assert status.signing_cert.subject.native["organizational_unit_name"] == "H12.02"


# Safe to run twice

SIGNING_RUNS = {
    "the service": lambda pk: results.result_sign(dossier_id=pk),
    "the task, in process": lambda pk: tasks.sign_result.apply(args=[pk]).get(),
    "the task, called": lambda pk: tasks.sign_result(pk),
}


@pytest.mark.parametrize("run", SIGNING_RUNS.values(), ids=SIGNING_RUNS.keys())
def test_signing_twice_makes_one_result_and_one_history_row(in_signing: Dossier, run: Any) -> None:
    run(in_signing.pk)
    run(in_signing.pk)

    in_signing.refresh_from_db()
    assert in_signing.state == State.RESULT_READY
    assert Result.objects.filter(dossier=in_signing).count() == 1
    assert signed_events(in_signing) == 1


def test_signing_again_after_an_approval_was_signed_changes_nothing(approved: Dossier) -> None:
    result = Result.objects.get(dossier=approved)

    assert results.result_sign(dossier_id=approved.pk) is None
    tasks.sign_result(approved.pk)

    assert list(Result.objects.filter(dossier=approved)) == [result]
    assert signed_events(approved) == 1


@pytest.mark.parametrize(
    "traits", [{"assessed": True}, {"result_ready": True}, {"returned": True}, {"withdrawn": True}]
)
def test_signing_leaves_a_dossier_not_in_signing_alone(
    version_a: Any, citizen: Any, traits: dict[str, bool]
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, **traits)
    state = dossier.state

    assert results.result_sign(dossier_id=dossier.pk) is None
    tasks.sign_result(dossier.pk)

    dossier.refresh_from_db()
    assert dossier.state == state
    assert not Result.objects.filter(dossier=dossier).exists()
    assert signed_events(dossier) == 0


def test_signing_an_unknown_dossier_does_nothing(db: Any) -> None:
    assert results.result_sign(dossier_id=987654) is None
    assert not Result.objects.exists()


# The result document


def test_the_grant_result_names_the_decision_the_result_and_the_code(
    assessed: Dossier, approver: Any
) -> None:
    workflow.apply(
        dossier_id=assessed.pk,
        action="approve",
        actor=approver,
        input=workflow.Decision(comment="Đủ điều kiện cấp phép"),
    )
    dossier = Dossier.objects.get(pk=assessed.pk)

    document = results.result_document(dossier, verification_token="tok-en_1")

    body = " ".join(document.paragraphs)
    assert "<b>chấp thuận</b>" in body and "không chấp thuận" not in body
    assert "Giấy phép xây dựng" in body
    assert dossier.code in body
    assert "Đủ điều kiện cấp phép" not in body  # staff's note on a grant stays internal
    assert document.subject == dossier.code
    assert document.title == "Giấy phép xây dựng"
    assert document.agency == "Sở Tư pháp"
    assert ("Người nộp hồ sơ", "Nguyễn Văn An") in document.rows
    assert ("Giới tính", "Nam") in document.rows
    assert document.qr_url == f"{BASE_URL}/verify/?code={dossier.code}&key=tok-en_1"
    assert document.signer_name == approver.get_full_name()


def test_the_deny_result_gives_the_refusal_and_its_reason(
    version_a: Any, citizen: Any, approver: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, assessed=True, proposed_outcome="deny")
    workflow.apply(
        dossier_id=dossier.pk,
        action="approve",
        actor=approver,
        input=workflow.Decision(comment="Công trình nằm trong hành lang giao thông"),
    )
    dossier.refresh_from_db()

    document = results.result_document(dossier, verification_token="tok-en_1")

    body = " ".join(document.paragraphs)
    assert "<b>không chấp thuận</b>" in body
    assert "Giấy phép xây dựng" not in body
    assert "Lý do: Công trình nằm trong hành lang giao thông" in body
    assert dossier.code in body
    assert document.title == "Thông báo"
    assert document.subtitle == f"Về việc từ chối giải quyết hồ sơ {dossier.code}"
    assert document.qr_url == f"{BASE_URL}/verify/?code={dossier.code}&key=tok-en_1"


def test_the_deny_result_falls_back_to_the_assessors_reason(
    version_a: Any, citizen: Any, assessor: Any, approver: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, received=True)
    workflow.apply(
        dossier_id=dossier.pk,
        action="assess",
        actor=assessor,
        input=workflow.Assessment(outcome="deny", comment="Thiếu bản vẽ"),
    )
    workflow.apply(dossier_id=dossier.pk, action="approve", actor=approver)
    dossier.refresh_from_db()

    assert "Lý do: Thiếu bản vẽ" in results.result_document(dossier).paragraphs


def test_the_result_writes_form_answers_as_vietnamese_read_them(assessed: Dossier, approver: Any) -> None:
    FormField.objects.create(
        version=assessed.version, position=2, name="married", label="Đã kết hôn", type="checkbox"
    )
    FormField.objects.create(
        version=assessed.version, position=3, name="owner", label="Là chủ sở hữu", type="checkbox"
    )
    FormField.objects.create(
        version=assessed.version, position=4, name="built", label="Ngày khởi công", type="date"
    )
    assessed.form_data = {
        "full_name": "Nguyễn Văn An",
        "married": False,
        "owner": True,
        "built": "2026-01-05",
    }
    assessed.save(update_fields=["form_data"])
    workflow.apply(dossier_id=assessed.pk, action="approve", actor=approver)
    assessed.refresh_from_db()

    rows = dict(results.result_document(assessed).rows)

    assert rows["Đã kết hôn"] == "Không"
    assert rows["Là chủ sở hữu"] == "Có"
    assert rows["Ngày khởi công"] == "05/01/2026"
    assert rows["Họ và tên"] == "Nguyễn Văn An"


def test_markup_in_a_refusals_reason_is_printed_as_text(assessed: Dossier, approver: Any) -> None:
    workflow.apply(
        dossier_id=assessed.pk,
        action="approve",
        actor=approver,
        input=workflow.Decision(outcome="deny", comment="<b>x</b> & <font size=90>"),
    )
    assessed.refresh_from_db()

    document = results.result_document(assessed)

    assert "Lý do: &lt;b&gt;x&lt;/b&gt; &amp; &lt;font size=90&gt;" in document.paragraphs
    assert official.render(document).startswith(b"%PDF-")


# Vietnamese text


def embedded_fonts(data: bytes) -> dict[str, Any]:
    """The fonts of the PDF's pages by base name, each with its descriptor and Unicode map."""
    reader = PdfFileReader(BytesIO(data), strict=False)
    fonts: dict[str, Any] = {}
    for page in reader.root["/Pages"]["/Kids"]:
        for font in page.get_object()["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"]).lstrip("/")] = font
    return fonts


def unicode_points(font: Any) -> set[int]:
    """The code points a font's /ToUnicode map gives its glyphs (ReportLab writes bfchar and bfrange entries)."""
    cmap = font["/ToUnicode"].get_object().data.decode("latin-1")
    points = {int(dst, 16) for _, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", cmap)}
    for low, high, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", cmap):
        points |= set(range(int(start, 16), int(start, 16) + int(high, 16) - int(low, 16) + 1))
    return points


def test_vietnamese_text_is_drawn_in_the_embedded_dejavu_font(signed_pdf: bytes) -> None:
    fonts = embedded_fonts(signed_pdf)
    dejavu = {name: font for name, font in fonts.items() if "DejaVuSerif" in name}

    assert dejavu, f"no DejaVu font in {sorted(fonts)}"
    for font in dejavu.values():
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), "the font program is not embedded"
    drawn = set().union(*(unicode_points(font) for font in dejavu.values()))
    # Letters of "Kết quả giải quyết", "Sở Tư pháp", "Nguyễn Văn An", "Đã ký số": tones and hooks included.
    assert {ord(c) for c in "ếảởưáễăĐãýố"} <= drawn


# The signers


def test_an_unknown_signer_is_refused_with_the_known_ones(settings: Any) -> None:
    settings.SIGNER = "quantum"

    with pytest.raises(signers.SignerNotConfigured) as refused:
        signers.current()

    assert "quantum" in str(refused.value)
    assert "pkcs11, pkcs12, remote" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "configured", "missing"),
    [
        ("pkcs11", {}, ["SIGNING_PKCS11_MODULE", "SIGNING_PKCS11_TOKEN", "SIGNING_PKCS11_PIN"]),
        (
            "pkcs11",
            {"SIGNING_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so"},
            ["SIGNING_PKCS11_TOKEN", "SIGNING_PKCS11_PIN"],
        ),
        ("remote", {}, ["SIGNING_REMOTE_URL", "SIGNING_REMOTE_TOKEN"]),
        ("remote", {"SIGNING_REMOTE_TOKEN": "secret"}, ["SIGNING_REMOTE_URL"]),
    ],
)
def test_an_unconfigured_signer_refuses_and_says_what_is_missing(
    settings: Any, name: str, configured: dict[str, str], missing: list[str]
) -> None:
    for setting in ("SIGNING_PKCS11_MODULE", "SIGNING_PKCS11_TOKEN", "SIGNING_PKCS11_PIN"):
        setattr(settings, setting, configured.get(setting, ""))
    for setting in ("SIGNING_REMOTE_URL", "SIGNING_REMOTE_TOKEN"):
        setattr(settings, setting, configured.get(setting, ""))
    settings.SIGNER = name
    signer = signers.current()

    with pytest.raises(signers.SignerNotConfigured) as refused:
        signer.sign(b"%PDF-1.4", agency_code="H12.01", reason="test", location="test")

    message = str(refused.value)
    assert f"The {name} signer is not configured" in message
    for setting in missing:
        assert f"{setting} is not set" in message
    for setting in configured:
        assert setting not in message
    assert refused.value.code == "signer_not_configured"


def test_the_pkcs12_signer_refuses_an_agency_without_a_key_file_and_names_the_path(settings: Any) -> None:
    with pytest.raises(signers.SignerNotConfigured) as refused:
        signers.current().sign(b"%PDF-1.4", agency_code="H77.99", reason="test", location="test")

    assert str(pki.agency_p12_path("H77.99")) in str(refused.value)
    assert "no key file" in str(refused.value)


def test_the_pkcs12_signer_refuses_without_the_ca_certificate(
    settings: Any, tmp_path: Any, signing_agency: Any
) -> None:
    settings.SIGNING_CA_CERT = str(tmp_path / "missing-ca.pem")

    assert signers.current().check_config(signing_agency.code) == [
        f"no CA certificate {tmp_path / 'missing-ca.pem'}"
    ]


def test_an_unconfigured_signer_leaves_the_dossier_in_signing(settings: Any, in_signing: Dossier) -> None:
    settings.SIGNER = "pkcs11"
    settings.SIGNING_PKCS11_MODULE = ""

    with pytest.raises(signers.SignerNotConfigured):
        results.result_sign(dossier_id=in_signing.pk)

    in_signing.refresh_from_db()
    assert in_signing.state == State.SIGNING
    assert not Result.objects.exists()
    assert signed_events(in_signing) == 0


# Queueing and the sweep


def test_an_approval_stands_when_the_broker_is_unreachable(
    assessed: Dossier, approver: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.sign_result, "delay", broker_down)

    dossier = approve(assessed, approver, django_capture_on_commit_callbacks)

    assert dossier.state == State.SIGNING
    assert dossier.outcome == "grant"
    assert dossier.signing_queued_at is not None
    assert DossierEvent.objects.filter(dossier=dossier, action="approve").count() == 1
    assert not Result.objects.exists()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the dossiers sent to the signing queue (nothing is signed)."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.sign_result, "delay", sent.append)
    return sent


def left_in_signing(
    version_a: Any, citizen: Any, *, queued_ago: timedelta | None, decided_ago: timedelta
) -> Dossier:
    now = timezone.now()
    return DossierFactory(
        version=version_a,
        applicant=citizen,
        approved=True,
        decided_at=now - decided_ago,
        signing_queued_at=None if queued_ago is None else now - queued_ago,
    )


def test_the_sweep_signs_a_dossier_left_in_signing(
    settings: Any, eager: None, version_a: Any, citizen: Any
) -> None:
    settings.SIGNING_SWEEP_AFTER = 300
    dossier = left_in_signing(
        version_a, citizen, queued_ago=timedelta(minutes=10), decided_ago=timedelta(minutes=10)
    )

    assert tasks.sweep_signing() == 1

    dossier.refresh_from_db()
    assert dossier.state == State.RESULT_READY
    assert Result.objects.filter(dossier=dossier).count() == 1
    assert signed_events(dossier) == 1


def test_the_sweep_queues_a_stuck_dossier_once_when_run_twice(
    settings: Any, queued: list[int], version_a: Any, citizen: Any
) -> None:
    settings.SIGNING_SWEEP_AFTER = 300
    dossier = left_in_signing(
        version_a, citizen, queued_ago=timedelta(minutes=10), decided_ago=timedelta(minutes=10)
    )

    assert tasks.sweep_signing() == 1
    assert tasks.sweep_signing() == 0

    assert queued == [dossier.pk]


@pytest.mark.parametrize(
    ("queued_ago", "decided_ago", "swept"),
    [
        (timedelta(minutes=10), timedelta(minutes=10), True),
        (timedelta(seconds=30), timedelta(minutes=10), False),  # queued again a moment ago
        (None, timedelta(minutes=10), True),  # the approval committed but nothing was ever queued
        (None, timedelta(seconds=30), False),  # just approved; its queueing may still be under way
    ],
    ids=["stuck", "fresh", "never-queued", "just-approved"],
)
def test_the_sweep_takes_only_dossiers_left_in_signing_too_long(
    settings: Any,
    queued: list[int],
    version_a: Any,
    citizen: Any,
    queued_ago: timedelta | None,
    decided_ago: timedelta,
    swept: bool,
) -> None:
    settings.SIGNING_SWEEP_AFTER = 300
    dossier = left_in_signing(version_a, citizen, queued_ago=queued_ago, decided_ago=decided_ago)

    tasks.sweep_signing()

    assert queued == ([dossier.pk] if swept else [])


@pytest.mark.parametrize("traits", [{"assessed": True}, {"result_ready": True}, {"returned": True}])
def test_the_sweep_ignores_dossiers_not_in_signing(
    settings: Any, queued: list[int], version_a: Any, citizen: Any, traits: dict[str, bool]
) -> None:
    settings.SIGNING_SWEEP_AFTER = 300
    long_ago = timezone.now() - timedelta(hours=1)
    DossierFactory(
        version=version_a, applicant=citizen, signing_queued_at=long_ago, decided_at=long_ago, **traits
    )

    assert tasks.sweep_signing() == 0
    assert queued == []


def test_a_sweep_that_cannot_reach_the_broker_leaves_the_dossier_for_the_next_sweep(
    settings: Any, monkeypatch: pytest.MonkeyPatch, version_a: Any, citizen: Any
) -> None:
    settings.SIGNING_SWEEP_AFTER = 0
    dossier = left_in_signing(
        version_a, citizen, queued_ago=timedelta(minutes=10), decided_ago=timedelta(minutes=10)
    )

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(tasks.sign_result, "delay", broker_down)
    assert tasks.sweep_signing() == 0
    monkeypatch.undo()
    sent: list[int] = []
    monkeypatch.setattr(tasks.sign_result, "delay", sent.append)

    assert tasks.sweep_signing() == 1
    assert sent == [dossier.pk]
