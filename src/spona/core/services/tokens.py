"""Services for personal access tokens: issue one (its secret is shown once), revoke one, stamp its use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from spona.core import audit
from spona.core.errors import NotFound, ValidationFailed
from spona.core.models import Company, PersonalAccessToken, User
from spona.core.permissions import require
from spona.core.services.base import full_clean_or_raise

# Every token starts with this marker, so secret scanners and people recognise a leaked one.
TOKEN_MARKER = "spona_pat_"  # noqa: S105 (a public prefix, not a secret)
# Writing last_used_at on every call would turn each read into a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(plaintext: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: User, company: Company, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """Issue a personal access token for the actor in a company; return it with its plaintext.

    The plaintext is returned once and never stored: only its SHA-256 hash is kept, so a copy
    of the database holds no usable token. The token acts as the actor, with the actor's roles,
    in that one company; ``read`` tokens cannot change anything.
    Raises PermissionDenied without a staff role in the company (portal users get no API) and
    ValidationFailed for an empty name, an unknown scope or an expiry that is not in the future.
    """
    require(actor, "core.use_api", company)
    errors: dict[str, list[str]] = {}
    clean_name = (name or "").strip()
    if not clean_name:
        errors["name"] = ["Give the token a name, e.g. the program that uses it."]
    if scope not in PersonalAccessToken.Scope.values:
        errors["scope"] = [f"Choose one of: {', '.join(PersonalAccessToken.Scope.values)}."]
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            errors["expires_at"] = ["Give the expiry with its time zone, e.g. 2030-01-31T00:00:00Z."]
        elif expires_at <= timezone.now():
            errors["expires_at"] = ["Choose a moment in the future."]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", field_errors=errors)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{TOKEN_MARKER}{secret}"
    token = PersonalAccessToken(
        user=actor,
        company=company,
        name=clean_name,
        prefix=secret[:8],
        token_hash=hash_token(plaintext),
        scope=scope,
        expires_at=expires_at,
    )
    full_clean_or_raise(token)
    token.save()
    audit.record(
        actor=actor,
        target=token,
        action="created",
        changes={"scope": [None, scope], "expires_at": [None, expires_at.isoformat() if expires_at else None]},
        company_id=company.pk,
    )
    return token, plaintext


@transaction.atomic
def token_revoke(*, actor: User, token_id: int, company: Company | None = None) -> PersonalAccessToken:
    """Revoke one of the actor's own tokens, for good; revoking a revoked token changes nothing.

    With ``company`` the token must also belong to that company. Nobody revokes another
    person's token through this service: administrators deactivate the user instead.
    Raises NotFound for a token that is not the actor's (or not in the company).
    """
    tokens = PersonalAccessToken.objects.select_for_update().filter(pk=token_id, user=actor)
    if company is not None:
        tokens = tokens.filter(company=company)
    token = tokens.first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, target=token, action="revoked", company_id=token.company_id)
    return token


@transaction.atomic
def token_record_use(*, token: PersonalAccessToken) -> None:
    """Stamp ``last_used_at`` on a token that was just used, at most once a minute.

    Not audited: it is bookkeeping that shows which tokens are still in use. The update is
    conditional, so concurrent calls within the minute write once.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    PersonalAccessToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    token.last_used_at = now
