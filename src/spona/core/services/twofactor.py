"""Two-factor login with time-based one-time passwords (TOTP, RFC 6238), for staff and portal users alike.

The user's authenticator app and Spona share a secret; both derive a 6-digit code from it and the
current 30-second time step. A code is accepted for the step before, the current one and the
next (clocks drift), and only for a step later than the last accepted one, so a code cannot be
replayed. Ten single-use recovery codes, stored as hashes, stand in for a lost phone. Wrong codes
are counted per user (``throttle.check_code``) and lock the second step like wrong passwords lock
the first.

The failure counter lives in the cache, which embedded mode keeps in the database: it is written
outside the service's transaction, so refusing a code (which rolls the transaction back) still
counts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

import pyotp
from django.db import transaction
from django.utils import timezone

from spona.core import audit, throttle
from spona.core.errors import StateError, ValidationFailed
from spona.core.models import RecoveryCode, TwoFactor, User
from spona.core.selectors.twofactor import Setup, setup_of

T = TypeVar("T")

# Accept the codes of one step either side of now: a phone's clock a few seconds off still works.
WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 10 characters of base32 are 50 random bits: beyond guessing within the throttle's limits.
RECOVERY_CODE_LENGTH = 10
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


class CodeInvalid(ValidationFailed):
    """The one-time or recovery code is wrong, expired or already used."""

    code = "code_invalid"


def _wrong_code() -> CodeInvalid:
    message = "The code is wrong or has expired. Type the current code from your app."
    return CodeInvalid(message, field_errors={"code": [message]})


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    # People copy codes with spaces and dashes ("123 456", "abcde-fghij"); neither is part of the code.
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _matching_step(two_factor: TwoFactor, code: str) -> int | None:
    """The time step whose code equals ``code`` and that comes after the last accepted one."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(two_factor.secret)
    now = totp.timecode(timezone.now())
    for step in range(now - WINDOW, now + WINDOW + 1):
        if step > two_factor.last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_codes(two_factor: TwoFactor) -> list[str]:
    two_factor.recovery_codes.all().delete()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH)) for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(two_factor=two_factor, code_hash=_hash(code)) for code in codes)
    half = RECOVERY_CODE_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


def _check_password(user: User, password: str) -> None:
    if not user.check_password(password or ""):
        message = "The password is wrong."
        raise ValidationFailed(message, field_errors={"password": [message]})


@transaction.atomic
def totp_setup_start(*, actor: User) -> Setup:
    """Start setting up two-factor login: draw a new secret for the actor's authenticator app.

    Nothing changes at login until the actor confirms with a code (``totp_enable``); starting
    again draws a new secret. Raises StateError when two-factor login is already enabled.
    """
    two_factor = TwoFactor.objects.select_for_update().filter(user_id=actor.pk).first()
    if two_factor is not None and two_factor.is_enabled():
        raise StateError("Two-factor login is already on. Turn it off first to set up another app.")
    if two_factor is None:
        two_factor = TwoFactor(user=actor)
    two_factor.secret = pyotp.random_base32()
    two_factor.last_step = 0
    two_factor.save()
    return setup_of(two_factor)


def _throttled(user: User, code: str, check: Callable[[User, str], T]) -> T:
    """Run one code check under the per-user throttle: a wrong code counts, a right one clears the count.

    The count is written outside ``check``'s transaction, so a refused code still counts."""
    throttle.check_code(user_id=user.pk)
    try:
        result = check(user, _normalise(code))
    except CodeInvalid:
        throttle.record_code_failure(user_id=user.pk)
        raise
    throttle.reset_codes(user_id=user.pk)
    return result


def totp_enable(*, actor: User, code: str) -> list[str]:
    """Turn two-factor login on once the actor proves their app shows the right code; return recovery codes.

    The ten recovery codes are shown once: only their hashes are kept. Raises StateError without a
    pending setup, CodeInvalid for a wrong code and LoginThrottled after too many wrong codes.
    """
    return _throttled(actor, code, _enable)


@transaction.atomic
def _enable(actor: User, code: str) -> list[str]:
    two_factor = TwoFactor.objects.select_for_update().filter(user_id=actor.pk, confirmed_at__isnull=True).first()
    if two_factor is None:
        raise StateError("Start the setup first.")
    step = _matching_step(two_factor, code)
    if step is None:
        raise _wrong_code()
    two_factor.last_step = step
    two_factor.confirmed_at = timezone.now()
    two_factor.save(update_fields=["last_step", "confirmed_at"])
    audit.record(actor=actor, target=actor, action="two_factor_enabled", company_id=actor.default_company_id)
    return _new_recovery_codes(two_factor)


@transaction.atomic
def totp_disable(*, actor: User, password: str) -> None:
    """Turn two-factor login off (the actor's password confirms it is them); recovery codes go too.

    Raises ValidationFailed for a wrong password and StateError when it is not on.
    """
    _check_password(actor, password)
    deleted, _ = TwoFactor.objects.filter(user_id=actor.pk, confirmed_at__isnull=False).delete()
    if not deleted:
        raise StateError("Two-factor login is not on.")
    audit.record(actor=actor, target=actor, action="two_factor_disabled", company_id=actor.default_company_id)


@transaction.atomic
def recovery_codes_renew(*, actor: User, password: str) -> list[str]:
    """Replace the actor's recovery codes with ten new ones (the old ones stop working); return them.

    Raises ValidationFailed for a wrong password and StateError when two-factor login is not on.
    """
    _check_password(actor, password)
    two_factor = TwoFactor.objects.select_for_update().filter(user_id=actor.pk, confirmed_at__isnull=False).first()
    if two_factor is None:
        raise StateError("Two-factor login is not on.")
    audit.record(actor=actor, target=actor, action="recovery_codes_renewed", company_id=actor.default_company_id)
    return _new_recovery_codes(two_factor)


def login_code_verify(*, user: User, code: str) -> str:
    """Check the second step of a login: a code from the app, or an unused recovery code.

    Returns ``"totp"`` or ``"recovery"`` (a used recovery code is spent). Raises LoginThrottled
    after too many wrong codes, CodeInvalid for a wrong, expired or replayed code, and StateError
    when the user has no two-factor login.
    """
    return _throttled(user, code, _verify)


@transaction.atomic
def _verify(user: User, code: str) -> str:
    # Lock the row: two logins racing with the same code must not both pass the replay guard.
    two_factor = TwoFactor.objects.select_for_update().filter(user_id=user.pk, confirmed_at__isnull=False).first()
    if two_factor is None:
        raise StateError("Two-factor login is not on for this user.")
    step = _matching_step(two_factor, code)
    if step is not None:
        two_factor.last_step = step
        two_factor.save(update_fields=["last_step"])
        return "totp"
    spent = RecoveryCode.objects.filter(two_factor=two_factor, code_hash=_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not spent:
        raise _wrong_code()
    audit.record(actor=user, target=user, action="recovery_code_used", company_id=user.default_company_id)
    return "recovery"
