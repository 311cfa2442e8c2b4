"""Log in with the national e-ID (VNeID, through the national portal's single sign-on), by OpenID Connect.

mozilla-django-oidc runs the code flow: the login view keeps a state, a nonce and a PKCE verifier in the session,
the callback takes each once, exchanges the code, and checks the ID token's signature against the provider's
keys and its nonce. Here, beyond that: the ID token must be the provider's (``iss``) and issued to this portal
(``aud``, ``azp``), the user information must be about the same subject, and the account is chosen by
``services.eid_sign_in`` (by the e-ID's subject, never by an e-mail address). A refusal is told on the login page.
"""

import logging
from datetime import date
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import services
from accounts.landing import home_url
from accounts.models import User
from portal.errors import NotFound, ServiceError

logger = logging.getLogger(__name__)

_REFUSAL = "_eid_refusal"


def eid_login_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


class EidBackend(OIDCAuthenticationBackend):
    """The e-ID's verified identity, to an account."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the e-ID callback passes a nonce: a password login with ?code=&state= in its address is not an
        # e-ID login.
        if request is None or "nonce" not in kwargs or not eid_login_enabled():
            return None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The ID token is not the configured provider's")
        if settings.OIDC_RP_CLIENT_ID not in audiences or payload.get("azp", settings.OIDC_RP_CLIENT_ID) != (
            settings.OIDC_RP_CLIENT_ID
        ):
            raise SuspiciousOperation("The ID token was issued to another client")
        if not payload.get("sub"):
            raise SuspiciousOperation("The ID token names no subject")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or claims.get("sub") != payload["sub"]:
            # OpenID Connect Core 5.3.2: user information about another subject is not to be used.
            raise SuspiciousOperation("The user information is about another subject")
        try:
            identity = services.EidIdentity(
                subject=str(payload["sub"]),
                full_name=str(claims.get("name") or ""),
                id_number=str(claims.get(settings.OIDC_CLAIM_ID_NUMBER) or ""),
                date_of_birth=date.fromisoformat(str(claims.get("birthdate") or "")),
            )
        except ValueError:
            self.request.session[_REFUSAL] = _("The national e-ID did not give a name and a date of birth.")
            return None
        try:
            return services.eid_sign_in(identity=identity)
        except ServiceError as refusal:
            logger.warning("e-ID login refused: %s", refusal.code)
            self.request.session[_REFUSAL] = str(refusal.message)
            return None


class EidLoginView(OIDCAuthenticationRequestView):
    """Off while the portal has no e-ID client: 404 rather than a redirect to nowhere."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not eid_login_enabled():
            raise NotFound(_("The national e-ID login is not offered here."))
        response: HttpResponse = super().get(request)
        return response


class EidCallbackView(OIDCAuthenticationCallbackView):
    """The return from the provider: logged in and on the role's home, or back on the login page with a reason.
    A replayed or forged return (unknown state, a nonce that does not match, a code for another client) logs
    nothing in."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not eid_login_enabled():
            raise NotFound(_("The national e-ID login is not offered here."))
        try:
            response: HttpResponse = super().get(request)
        except (
            SuspiciousOperation,
            requests.RequestException,
            jwt.InvalidTokenError,
            KeyError,
            ValueError,
        ) as exc:
            logger.warning("e-ID login failed: %s", exc)
            return self.login_failure()
        return response

    @property
    def success_url(self) -> str:
        next_url = self.request.session.get("oidc_login_next")
        return str(next_url) if next_url else home_url(self.request.user)

    def login_failure(self) -> HttpResponse:
        reason = self.request.session.pop(_REFUSAL, None)
        messages.error(
            self.request,
            reason or _("The national e-ID login did not complete. Try again, or log in with your password."),
        )
        return HttpResponseRedirect(reverse("accounts:login"))
