"""The request as the htmx middleware leaves it, for views that answer htmx with a fragment."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request seen by ``django_htmx.middleware.HtmxMiddleware``: ``request.htmx`` is true for an htmx request."""

    htmx: HtmxDetails
