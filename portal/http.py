"""Requests as the middleware and decorators leave them, for views to declare what they rely on."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request seen by ``django_htmx.middleware.HtmxMiddleware``: ``request.htmx`` is true for an htmx request."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request to a page behind a login (``accounts.decorators.permission_required``,
    ``dossiers.views.doors.citizen_page``): its user is a portal account."""

    user: User
