from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TwoFactor(models.Model):
    """A user's time-based one-time password (TOTP, RFC 6238) as the second step of logging in.

    The row exists from the moment the user starts the setup; only once they confirm it with a
    code from their app (``confirmed_at`` set) does the login ask for a code. ``last_step`` is the
    30-second time step of the last accepted code: a code is accepted only for a later step, so a
    code seen over someone's shoulder cannot be used a second time.
    """

    user = models.OneToOneField("core.User", on_delete=models.CASCADE, related_name="two_factor")
    # The shared secret (base32) must stay readable: the server computes the expected code from it.
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(_("enabled"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        verbose_name = _("two-factor login")
        verbose_name_plural = _("two-factor logins")

    def __str__(self) -> str:
        return f"{self.user} ({'enabled' if self.is_enabled() else 'being set up'})"

    def is_enabled(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A single-use code that replaces the app's code when the phone is lost; only its hash is kept."""

    two_factor = models.ForeignKey(TwoFactor, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    personal_data: tuple[str, ...] = ()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["two_factor", "code_hash"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"recovery code of {self.two_factor.user_id}"
