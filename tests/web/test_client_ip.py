"""The client address seen through trusted reverse proxies only (login throttling, form spam limits)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from spona.web.client import client_ip


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_forwarding_headers_are_ignored(settings):
    settings.SPONA_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # the proxy appends the address it saw; anything to its left was sent by the client
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # two trusted hops (load balancer and proxy) are skipped
        ("10.0.0.5", "198.51.100.7, 172.16.3.4", "198.51.100.7"),
        # a request that does not come from a trusted proxy cannot choose its address
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
        # garbage or nothing forwarded: the proxy's own address
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "172.16.3.4", "10.0.0.5"),
    ],
)
def test_behind_trusted_proxies_the_rightmost_untrusted_address_is_the_client(settings, remote, forwarded, expected):
    settings.SPONA_TRUSTED_PROXIES = ["10.0.0.5", "172.16.0.0/12"]
    assert client_ip(request(remote, forwarded)) == expected
