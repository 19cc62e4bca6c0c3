"""Reads of two-factor login: whether a user has it, the pending setup, the recovery codes left."""

from __future__ import annotations

from dataclasses import dataclass

import pyotp

from spona.core.models import RecoveryCode, TwoFactor, User

# The name authenticator apps show above the code.
ISSUER = "Spona"


@dataclass(frozen=True)
class Setup:
    """What the setup page shows: the secret to type in, and the otpauth:// link apps read."""

    secret: str
    uri: str

    def grouped(self) -> str:
        """The secret in groups of four letters, easier to type into an app by hand."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def two_factor_enabled(user: User) -> bool:
    """Tell whether logging in as ``user`` asks for a one-time code."""
    return TwoFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def setup_of(two_factor: TwoFactor) -> Setup:
    """The secret and otpauth:// link of a two-factor row."""
    uri = pyotp.TOTP(two_factor.secret).provisioning_uri(name=two_factor.user.email, issuer_name=ISSUER)
    return Setup(secret=two_factor.secret, uri=uri)


def totp_pending_setup(user: User) -> Setup | None:
    """The setup ``user`` started and has not confirmed yet, or None."""
    two_factor = TwoFactor.objects.select_related("user").filter(user_id=user.pk, confirmed_at__isnull=True).first()
    return setup_of(two_factor) if two_factor is not None else None


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user still has."""
    return RecoveryCode.objects.filter(two_factor__user_id=user.pk, used_at__isnull=True).count()
