"""The province's signing PKI: a CA that issues each agency's signing certificate.

``./dev.sh serve`` (through ``manage.py demo``) makes a demo CA and one PKCS#12 file per agency under
``SIGNING_DIR``; production puts the agencies' files (issued by the province's real CA) in the same place, or uses
another signer (``SIGNER``, see ``dossiers.signers``).
"""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"


def signing_dir() -> Path:
    return Path(settings.SIGNING_DIR)


def ca_cert_path() -> Path:
    return Path(settings.SIGNING_CA_CERT) if settings.SIGNING_CA_CERT else signing_dir() / CA_CERT


def agency_p12_path(agency_code: str) -> Path:
    return signing_dir() / "agencies" / f"{agency_code}.p12"


def _fit(value: str, limit: int = 64) -> str:
    """X.509 names hold at most 64 bytes of UTF-8 (Vietnamese letters take 2-3); cut a long name at a word."""
    if len(value.encode()) <= limit:
        return value
    while len((value + "…").encode()) > limit:
        value = value.rsplit(" ", 1)[0] if " " in value else value[:-1]
    return value + "…"


def _name(common_name: str, organisation: str, unit: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation)),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _fit(unit)))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)))
    return x509.Name(attributes)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ensure_demo_ca(province_name: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """The demo CA, made once and kept under SIGNING_DIR."""
    cert_path, key_path = signing_dir() / CA_CERT, signing_dir() / CA_KEY
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)  # noqa: S101 - we wrote it
        return cert, key
    signing_dir().mkdir(parents=True, exist_ok=True)
    key = _key()
    name = _name(f"CA {province_name} (demo)", province_name)
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def ensure_agency_certificate(
    *, agency_code: str, agency_name: str, province_name: str, ca: tuple[x509.Certificate, rsa.RSAPrivateKey]
) -> Path:
    """A PKCS#12 file with the agency's signing key and certificate, issued by ``ca``; made once."""
    path = agency_p12_path(agency_code)
    if path.exists():
        return path
    ca_cert, ca_key = ca
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(agency_name, province_name, unit=agency_code))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    passphrase = settings.SIGNING_PKCS12_PASSPHRASE.encode() or None
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(agency_code.encode(), key, cert, [ca_cert], encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)
    return path
