"""Turn ``SPONA_EMAIL_URL`` into Django's e-mail settings.

Accepted: ``console://``, ``smtp://user:pass@host:port``, ``smtp+tls://…`` (STARTTLS),
``smtp+ssl://…`` (implicit TLS), ``file:///path`` and ``memory://`` (tests).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+ssl": "django.core.mail.backends.smtp.EmailBackend",
}


def email_settings(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _BACKENDS:
        raise ValueError(f"SPONA_EMAIL_URL: unknown scheme {scheme!r}; use one of {', '.join(_BACKENDS)}")
    result: dict[str, Any] = {"EMAIL_BACKEND": _BACKENDS[scheme]}
    if scheme == "file":
        result["EMAIL_FILE_PATH"] = unquote(parts.path)
    if scheme.startswith("smtp"):
        result.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if scheme == "smtp+ssl" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=scheme == "smtp+tls",
            EMAIL_USE_SSL=scheme == "smtp+ssl",
            EMAIL_TIMEOUT=30,
        )
    return result
