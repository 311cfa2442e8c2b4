"""The request as the portal's middleware leaves it, for the type checker (as django-htmx's documentation does).

A view behind a login (``accounts.decorators.permission_required``, ``dossiers.views.doors.citizen_page``) takes a
``UserRequest``: its ``user`` is an ``accounts.User``; every request has ``htmx`` (``django_htmx``'s middleware).
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


class UserRequest(HtmxRequest):
    user: User
