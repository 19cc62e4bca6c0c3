"""Send one signed webhook POST, safely (QUALITY SEC7).

The target's host name is resolved once and every address checked: loopback, private,
link-local, multicast, reserved and unspecified addresses are refused (loopback only when
``SPONA_WEBHOOK_ALLOW_LOOPBACK`` is set, for tests and local development). The connection then
goes to the checked address itself, so a second DNS answer cannot swap in an internal one.
Redirects are not followed, connect and read have timeouts, and at most ``MAX_RESPONSE`` bytes
of the answer are read.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 5.0
MAX_RESPONSE = 64 * 1024
USER_AGENT = "Spona-Webhooks/1"


class UnsafeTarget(Exception):
    """The address is not one Spona may call."""


@dataclass(frozen=True)
class Result:
    """What one attempt got: a status code (None when no answer came) and a short note."""

    status_code: int | None
    note: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the ``Spona-Signature`` header: ``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "SPONA_WEBHOOK_ALLOW_LOOPBACK", False))


def check_address(ip: str) -> None:
    """Raise UnsafeTarget unless ``ip`` is a public unicast address (or an allowed loopback one)."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        if _loopback_allowed():
            return
        raise UnsafeTarget(f"{ip} is a loopback address.")
    if address.is_multicast or address.is_link_local or address.is_private or address.is_reserved or address.is_unspecified:
        raise UnsafeTarget(f"{ip} is not a public address.")
    if not address.is_global:
        raise UnsafeTarget(f"{ip} is not a public address.")


def check_url(url: str) -> tuple[str, str, int, str]:
    """Parse a webhook address; return (scheme, host, port, path). Raises UnsafeTarget.

    Only http and https, no user name or password in the address, and a literal IP address
    must itself be allowed. Host names are checked when they are resolved, at sending time.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("Only http and https addresses are allowed.")
    if not parts.hostname:
        raise UnsafeTarget("The address has no host.")
    if parts.username or parts.password:
        raise UnsafeTarget("Put no user name or password in the address; the signature authenticates Spona.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeTarget("The port is not valid.") from exc
    host = parts.hostname
    try:
        check_address(host)
    except ValueError:
        if (host == "localhost" or host.endswith((".localhost", ".local", ".internal"))) and not _loopback_allowed():
            raise UnsafeTarget(f"{host} is a local name.") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path


def resolve(host: str, port: int) -> str:
    """Resolve ``host`` and return the first address, after checking every address it has."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"{host} could not be resolved.") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise UnsafeTarget(f"{host} has no address.")
    for address in addresses:
        check_address(address)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connect to the checked address while the request still names the host."""

    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(*, url: str, body: bytes, secret: str, headers: dict[str, str]) -> Result:
    """POST ``body`` signed with ``secret``; return the outcome. Raises UnsafeTarget before any connection."""
    scheme, host, port, path = check_url(url)
    address = resolve(host, port)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address)
    timestamp = int(time.time())
    all_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Spona-Signature": sign(secret, timestamp, body),
        **headers,
    }
    try:
        connection.request("POST", path, body=body, headers=all_headers)
        response = connection.getresponse()
        excerpt = response.read(MAX_RESPONSE)[:500].decode("utf-8", errors="replace")
        if 300 <= response.status < 400:
            return Result(response.status, "Redirects are not followed.")
        return Result(response.status, excerpt)
    except (OSError, http.client.HTTPException) as exc:
        return Result(None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
