"""Where each role lands after logging in: citizens on the home page, counter staff on their queues, province
admins on their catalogue pages, leaders on what other apps register for them (the service index's dashboard).

``LANDING`` lets an app that ``accounts`` may not know (the import contracts) name a role's home: each function gets
the user and returns a URL, or ``None`` to leave the choice to the next one or to the defaults here.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import LoginView
from django.urls import reverse

from accounts.constants import STAFF_ROLES, Role
from portal.hooks import Hook

LANDING: Hook[Callable[[AbstractBaseUser], str | None]] = Hook("accounts.landing.LANDING")

_DEFAULTS = {
    Role.PROVINCE_ADMIN: "publishing:list",
    Role.LEADER: "service-index",  # until an app registers a page of the leaders' own
}


def home_url(user: AbstractBaseUser | AnonymousUser) -> str:
    """The page ``user`` starts from."""
    if not user.is_authenticated:
        return reverse("home")
    for landing in LANDING:
        url = landing(user)
        if url:
            return url
    role = getattr(user, "role", Role.CITIZEN)
    if role in STAFF_ROLES:
        return reverse("console:home")
    return reverse(_DEFAULTS.get(role, "home"))


class PortalLoginView(LoginView):
    """Django's login; without a safe ``next``, the user lands on their role's home rather than one fixed page."""

    def get_default_redirect_url(self) -> str:
        return home_url(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The national e-ID's button, where the portal has an e-ID client (settings.OIDC_RP_CLIENT_ID).
        return super().get_context_data(**kwargs) | {"eid_login": bool(settings.OIDC_RP_CLIENT_ID)}
