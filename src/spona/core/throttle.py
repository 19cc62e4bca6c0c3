"""Login throttling: too many failed logins per e-mail or per client address lock logins for a while.

Counters live in Django's cache (the database cache in embedded mode, Redis when scaled), so
every web process sees the same counts. A window starts at the first failure and lasts
``settings.LOGIN_THROTTLE_WINDOW_SECONDS``; after ``settings.LOGIN_THROTTLE_ATTEMPTS`` failures
in it, logins for that e-mail (or from that address) are refused until the window ends.
A successful login clears both counters (SEC10). One-time codes of the second login step are
counted the same way, per user.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from spona.core.errors import ApplicationError


class LoginThrottled(ApplicationError):
    """Too many failed logins; ``retry_after`` says how many seconds until the next try."""

    status = 429
    code = "login_throttled"

    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        message = ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


def _keys(email: str, client_ip: str) -> list[str]:
    # Hash the e-mail: cache keys must be short and safe, and the cache should not hold addresses.
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return [f"spona:login:email:{digest}", f"spona:login:ip:{client_ip or 'unknown'}"]


def _code_keys(user_id: int) -> list[str]:
    return [f"spona:login:code:{user_id}"]


def _check(keys: list[str]) -> None:
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    now = time.time()
    waits = []
    for key in keys:
        count = cache.get(f"{key}:count", 0)
        if count >= limit:
            started = cache.get(f"{key}:started", now)
            waits.append(int(started + settings.LOGIN_THROTTLE_WINDOW_SECONDS - now))
    if waits:
        raise LoginThrottled(retry_after=max(1, max(waits)))


def _record(keys: list[str]) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key in keys:
        # add() only sets a missing key, so the window keeps the time of the first failure.
        cache.add(f"{key}:started", time.time(), window)
        if cache.add(f"{key}:count", 1, window):
            continue
        try:
            cache.incr(f"{key}:count")
        except ValueError:
            # The window expired between add() and incr(): this failure opens a new one.
            cache.set(f"{key}:count", 1, window)


def _clear(keys: list[str]) -> None:
    cache.delete_many([f"{key}:{part}" for key in keys for part in ("count", "started")])


def check(*, email: str, client_ip: str) -> None:
    """Refuse a login attempt that comes while its e-mail or address is locked.

    Raises LoginThrottled with the seconds left in the window.
    """
    _check(_keys(email, client_ip))


def record_failure(*, email: str, client_ip: str) -> None:
    """Count one failed login for the e-mail and for the client address."""
    _record(_keys(email, client_ip))


def reset(*, email: str, client_ip: str) -> None:
    """Clear the counters after a successful login."""
    _clear(_keys(email, client_ip))


# The second step of a login (a one-time code) has its own counter per user: six digits are
# guessed in a million tries, so the same limit as passwords keeps a guesser far from that.


def check_code(*, user_id: int) -> None:
    """Refuse a one-time code for a user who gave too many wrong ones; raises LoginThrottled."""
    _check(_code_keys(user_id))


def record_code_failure(*, user_id: int) -> None:
    """Count one wrong one-time code for the user."""
    _record(_code_keys(user_id))


def reset_codes(*, user_id: int) -> None:
    """Clear the user's wrong-code counter after a right code."""
    _clear(_code_keys(user_id))
