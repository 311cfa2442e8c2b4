"""The one place that says which address a request comes from: login lockouts (axes) and rate limits use it alike.

Behind ``TRUSTED_PROXIES`` proxies, each of which appends the address it was reached from to ``X-Forwarded-For``,
the client is the right-most hop that none of them added; with 0 (the default) the header is ignored, since anyone
can send it.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the hop of ``X-Forwarded-For`` our own proxies vouch for."""
    remote_addr = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        candidate = hops[-min(proxies, len(hops))]
        # A proxy of ours writes a valid address; anything else is not one to count by (nor to store).
        if _valid(candidate):
            return candidate
    return remote_addr
