"""The security tests sign real results: they share the signing tests' demo PKI and approved dossiers."""

from tests.signing.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    assessed,
    demo_pki,
    eager,
    session_pki,
    signing_agency,
    version_a,
)
