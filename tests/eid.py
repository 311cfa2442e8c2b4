"""A real OpenID provider on this machine standing in for the national e-ID (oidc-provider-mock, the same that
``./dev.sh serve`` starts for the demo), and the steps a citizen takes on it.

``oidc_provider`` (session) runs the provider in a thread on a free port; ``eid`` points the portal's OIDC
settings at it for one test. ``eid_person`` stores a person's claims on the provider; ``provider_approve`` is
the citizen choosing who they are on the provider's page, which sends the browser back with a code.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from oidc_provider_mock import run_server_in_thread

CLIENT_ID = "portal-test"
CLIENT_SECRET = "portal-test-secret"  # noqa: S105 (the local provider takes any secret)


@dataclass(frozen=True)
class Provider:
    base: str

    def settings(self) -> dict[str, str | bool]:
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_ISSUER": self.base,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base}/oauth2/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.base}/jwks",
            # Its one key has no key id.
            "OIDC_VERIFY_KID": False,
        }

    def person(self, sub: str, *, name: str, id_number: str, birthdate: str = "1989-05-14") -> str:
        """The provider vouches for this person from now on (its ``PUT /users/{sub}``)."""
        response = requests.put(
            f"{self.base}/users/{sub}",
            json={"name": name, "id_number": id_number, "birthdate": birthdate},
            timeout=10,
        )
        response.raise_for_status()
        return sub

    def approve(self, authorize_url: str, sub: str) -> str:
        """The citizen confirms who they are on the provider's page: the address it sends them back to."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])

    def code_for(self, client_id: str, sub: str, *, redirect_uri: str, nonce: str = "n-other") -> str:
        """An authorization code the provider issued to another client (``client_id``)."""
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile",
            "state": "s-other",
            "nonce": nonce,
        }
        location = self.approve(
            requests.Request("GET", f"{self.base}/oauth2/authorize", params=query).prepare().url or "", sub
        )
        return dict(part.split("=", 1) for part in urlsplit(location).query.split("&"))["code"]

    def id_token_for(self, client_id: str, sub: str, *, redirect_uri: str, nonce: str) -> str:
        """A genuine ID token, signed by the provider, issued to ``client_id``."""
        code = self.code_for(client_id, sub, redirect_uri=redirect_uri, nonce=nonce)
        response = requests.post(
            f"{self.base}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "client_secret": "other-secret",
            },
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["id_token"])


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    # The provider speaks plain HTTP on this machine; authlib refuses that unless told it is a test.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    with run_server_in_thread(port=0, require_nonce=True) as server:
        yield Provider(base=f"http://localhost:{server.server_port}")


@pytest.fixture
def eid(oidc_provider: Provider, settings: Any) -> Provider:
    """The portal's e-ID login pointed at the local provider for this test."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    return oidc_provider
