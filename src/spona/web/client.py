"""Who is calling: the client's address, through the reverse proxies the operator trusts.

Behind a proxy every request comes from the proxy's address, so throttles keyed on
``REMOTE_ADDR`` would lock everyone out together. ``SPONA_TRUSTED_PROXIES`` (addresses or
networks, comma-separated) names the proxies whose ``X-Forwarded-For`` is believed: the client
is the right-most forwarded address that is not itself a trusted proxy. Without the setting,
or when the request does not come from a trusted proxy, forwarding headers are ignored, since
any client can send them.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, seen through trusted proxies only."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.SPONA_TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote
