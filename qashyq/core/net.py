"""The address a request came from, behind reverse proxies.

Without a proxy the client is ``REMOTE_ADDR``. Behind nginx (and perhaps a load balancer in front
of it), ``REMOTE_ADDR`` is the nearest proxy and the client is in ``X-Forwarded-For``: each proxy
appends the address it received the request from, so the right-most ``QASHYQ_TRUSTED_PROXY_COUNT``
(environment: ``TRUSTED_PROXY_COUNT``) entries were written by proxies we run and everything to
their left came from the client, who can write anything there. The client is therefore the entry at
``-count`` (the right-most address no trusted proxy is known to have sent): nginx alone (count 1) →
the last entry; a load balancer and nginx (count 2) → the one before it.

When the count is above 0 and the header has fewer entries than that (a request that reached the
application without passing the proxies, or a misconfigured proxy) the answer is ``None``, not
``REMOTE_ADDR``: the nearest hop is then a proxy's own address, which may well sit inside an
allowed IP range and would let everybody in. Callers treat ``None`` as "unknown address".
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

__all__ = ["client_ip", "trusted_proxy_count"]


def trusted_proxy_count() -> int:
    try:
        count = int(getattr(settings, "QASHYQ_TRUSTED_PROXY_COUNT", 0) or 0)
    except (TypeError, ValueError):
        return 0
    return max(count, 0)


def _clean(value: str | None) -> str | None:
    """A normalised IP address, or None: ports (``1.2.3.4:5678``, ``[::1]:80``) and brackets are
    removed; anything that is not an address (``unknown``, a host name, garbage) is None."""
    if not value:
        return None
    value = value.strip().strip('"')
    if value.startswith("["):  # [IPv6] or [IPv6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4:port (an IPv6 address has at least two colons)
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's IP address as a string, or None when it cannot be known (see the module's
    docstring). With ``QASHYQ_TRUSTED_PROXY_COUNT = 0`` (the default): ``REMOTE_ADDR``."""
    count = trusted_proxy_count()
    if count == 0:
        return _clean(request.META.get("REMOTE_ADDR"))
    header = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    hops = [hop.strip() for hop in header.split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return None
    return _clean(hops[-count])
