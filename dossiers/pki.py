"""The province's signing PKI: a CA that issues each agency's signing certificate, its CRL and OCSP responder, and
an RFC 3161 time-stamping authority (TSA).

The demo PKI is declared in one certomancer configuration, ``SIGNING_DIR/certomancer.yml``, beside the private
keys it names (``SIGNING_DIR/keys/``). certomancer derives every certificate from it the same way each time, so
the portal (which exports ``ca.pem`` and one PKCS#12 file per agency, ``agencies/<code>.p12``) and the service
answering CRL, OCSP and time-stamp requests (``manage.py pki_serve``, certomancer's Animator) agree on every
certificate. Agency certificates carry digitalSignature and nonRepudiation, the CRL distribution point and the
OCSP address at ``SIGNING_PKI_URL``; revoking one is a line in the configuration, which the running service reads
again.

Production puts the agencies' files (issued by the province's real CA) under ``SIGNING_DIR`` and points
``SIGNING_TSA_URL`` at the real TSA; nothing here runs then.
"""

import datetime
import os
import secrets
from pathlib import Path
from typing import Any

import yaml
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, PKIArchitecture
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

CA_CERT = "ca.pem"
CONFIG = "certomancer.yml"
ARCH = "province"  # the architecture's label: the first segment of every service URL
TSA = "tsa"  # the time-stamping service's label
CA, OCSP_RESPONDER = "ca", "ocsp"
AGENCY = "agency-"  # the prefix of an agency's labels
DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"  # id-kp-documentSigning
_STAMP = "%Y-%m-%dT%H:%M:%S+0000"


def signing_dir() -> Path:
    return Path(settings.SIGNING_DIR)


def ca_cert_path() -> Path:
    return Path(settings.SIGNING_CA_CERT) if settings.SIGNING_CA_CERT else signing_dir() / CA_CERT


def agency_p12_path(agency_code: str) -> Path:
    return signing_dir() / "agencies" / f"{agency_code}.p12"


def config_path() -> Path:
    return signing_dir() / CONFIG


def tsa_url(base: str) -> str:
    """Where the demo PKI served at ``base`` answers time-stamp requests."""
    return f"{base.rstrip('/')}/{ARCH}/tsa/{TSA}"


def _fit(value: str, limit: int = 64) -> str:
    """X.509 names hold at most 64 bytes of UTF-8 (Vietnamese letters take 2-3); cut a long name at a word."""
    if len(value.encode()) <= limit:
        return value
    while len((value + "…").encode()) > limit:
        value = value.rsplit(" ", 1)[0] if " " in value else value[:-1]
    return value + "…"


def _key_file(label: str) -> Path:
    """The PEM private key of ``label``, made on first use (readable by the portal's user only)."""
    path = signing_dir() / "keys" / f"{label}.key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
    return path


def _validity(years: int) -> dict[str, str]:
    start = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - datetime.timedelta(days=1)
    return {
        "valid-from": start.strftime(_STAMP),
        "valid-to": (start + datetime.timedelta(days=365 * years)).strftime(_STAMP),
    }


def _key_usage(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _revocation_addresses() -> list[dict[str, Any]]:
    """The CRL distribution point and the OCSP address (AIA) of a certificate the CA issues."""
    return [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [CA]}},
        },
        {
            "id": "authority_information_access",
            "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": [CA]}},
        },
    ]


def _read() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(config_path().read_text(encoding="utf-8"))
    return data


def _write(config: dict[str, Any]) -> None:
    """Replace the configuration at once: the running service never reads half a file."""
    config["external-url-prefix"] = settings.SIGNING_PKI_URL.rstrip("/")
    temporary = config_path().with_suffix(".tmp")
    temporary.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.replace(temporary, config_path())


def _new_config(province_name: str) -> dict[str, Any]:
    keys = {label: {"path": _key_file(label).name} for label in (CA, OCSP_RESPONDER, TSA)}
    arch = {
        "keyset": ARCH,
        "entity-defaults": {"country-name": "VN", "organization-name": _fit(province_name)},
        "entities": {
            CA: {"common-name": _fit(f"CA {province_name} (demo)")},
            OCSP_RESPONDER: {"common-name": _fit(f"OCSP {province_name} (demo)")},
            TSA: {"common-name": _fit(f"TSA {province_name} (demo)")},
        },
        "certs": {
            CA: {
                "subject": CA,
                "issuer": CA,
                "serial": secrets.randbits(63),
                "validity": _validity(20),
                # A root names no CRL or OCSP address of its own (validators would look for its revocation).
                "extensions": [
                    {
                        "id": "basic_constraints",
                        "critical": True,
                        "value": {"ca": True, "path_len_constraint": 0},
                    },
                    _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                ],
            },
            OCSP_RESPONDER: {
                "issuer": CA,
                "serial": secrets.randbits(63),
                "validity": _validity(10),
                "profiles": ["ocsp-responder"],
            },
            TSA: {
                "issuer": CA,
                "serial": secrets.randbits(63),
                "validity": _validity(10),
                "extensions": [
                    _key_usage("digital_signature"),
                    {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                    *_revocation_addresses(),
                ],
            },
        },
        "services": {
            "ocsp": {CA: {"for-issuer": CA, "responder-cert": OCSP_RESPONDER, "signing-key": OCSP_RESPONDER}},
            "crl-repo": {CA: {"for-issuer": CA, "signing-key": CA, "simulated-update-schedule": "P1D"}},
            "time-stamping": {TSA: {"signing-key": TSA, "signing-cert": TSA}},
        },
    }
    return {
        "keysets": {ARCH: {"path-prefix": str(signing_dir() / "keys"), "keys": keys}},
        "pki-architectures": {ARCH: arch},
    }


def architecture() -> PKIArchitecture:
    """The demo PKI as certomancer builds it from the configuration."""
    config = CertomancerConfig.from_file(str(config_path()), key_search_dir=str(signing_dir()))
    return config.get_pki_arch(ArchLabel(ARCH))


def _export(arch: PKIArchitecture) -> None:
    """``ca.pem`` and every agency's PKCS#12 file, from the configuration (the same certificates each time)."""
    ca_der = arch.get_cert(CertLabel(CA)).dump()
    (signing_dir() / CA_CERT).write_bytes(
        x509.load_der_x509_certificate(ca_der).public_bytes(serialization.Encoding.PEM)
    )
    passphrase = settings.SIGNING_PKCS12_PASSPHRASE.encode() or None
    for label in _read()["pki-architectures"][ARCH]["certs"]:
        if label.startswith(AGENCY):
            path = agency_p12_path(label.removeprefix(AGENCY))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(arch.package_pkcs12(CertLabel(label), password=passphrase))
            path.chmod(0o600)


def ensure_demo_ca(province_name: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """The demo CA with its OCSP responder and TSA, declared once under SIGNING_DIR; the services' address
    follows ``SIGNING_PKI_URL`` (the certificates are derived again when it changed)."""
    signing_dir().mkdir(parents=True, exist_ok=True)
    config = _read() if config_path().exists() else _new_config(province_name)
    if not config_path().exists() or config.get("external-url-prefix") != settings.SIGNING_PKI_URL.rstrip(
        "/"
    ):
        _write(config)
        _export(architecture())
    cert = x509.load_pem_x509_certificate((signing_dir() / CA_CERT).read_bytes())
    key = serialization.load_pem_private_key(_key_file(CA).read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)  # noqa: S101 - we wrote it
    return cert, key


def ensure_agency_certificate(
    *, agency_code: str, agency_name: str, province_name: str, ca: tuple[x509.Certificate, rsa.RSAPrivateKey]
) -> Path:
    """A PKCS#12 file with the agency's signing key and certificate, issued by the demo CA; declared once."""
    path = agency_p12_path(agency_code)
    label = AGENCY + agency_code
    config = _read()
    arch = config["pki-architectures"][ARCH]
    if path.exists() and label in arch["certs"]:
        return path
    config["keysets"][ARCH]["keys"][label] = {"path": _key_file(label).name}
    arch["entities"][label] = {
        "organization-name": _fit(province_name),
        "organizational-unit-name": _fit(agency_code),
        "common-name": _fit(agency_name),
    }
    arch["certs"][label] = {
        "subject": label,
        "issuer": CA,
        "serial": secrets.randbits(63),
        "validity": _validity(5),
        "extensions": [
            _key_usage("digital_signature", "non_repudiation"),
            # Document signing (RFC 9336) is the purpose. E-mail protection is listed too, only because NSS-based
            # validators (poppler's pdfsig, LibreOffice, Thunderbird) check a PDF's signer as an e-mail signer
            # and reject a certificate whose purposes leave it out (even one with no purposes at all).
            {"id": "extended_key_usage", "critical": False, "value": [DOCUMENT_SIGNING, "email_protection"]},
            *_revocation_addresses(),  # where to ask whether it still holds
        ],
    }
    _write(config)
    _export(architecture())
    return path


def revoke_agency_certificate(
    agency_code: str, *, at: datetime.datetime | None = None, reason: str = "key_compromise"
) -> None:
    """Mark the agency's certificate revoked from ``at`` (now); the CRL and the OCSP responder say so from then."""
    config = _read()
    moment = (at or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    config["pki-architectures"][ARCH]["certs"][AGENCY + agency_code]["revocation"] = {
        "revoked-since": moment.isoformat(),  # to the microsecond: a result signed a moment before stays good
        "reason": reason,
    }
    _write(config)
