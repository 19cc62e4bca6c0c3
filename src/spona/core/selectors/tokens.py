"""Reads of personal access tokens: a person's own list, and the lookup of a presented token."""

from __future__ import annotations

from django.db.models import QuerySet

from spona.core.models import Company, PersonalAccessToken, User
from spona.core.services.tokens import TOKEN_MARKER, hash_token


def token_list(*, user: User, company: Company | None = None) -> QuerySet[PersonalAccessToken]:
    """List the user's own tokens, newest first, revoked and expired ones included.

    With ``company`` only the tokens for that company. Nobody lists another person's tokens,
    administrators included: a token is as personal as a password.
    """
    tokens = PersonalAccessToken.objects.filter(user=user)
    if company is not None:
        tokens = tokens.filter(company=company)
    return tokens.select_related("company").order_by("-created_at", "-pk")


def token_by_plaintext(*, plaintext: str) -> PersonalAccessToken | None:
    """Find the token a client presented, by the hash of its plaintext, with its user and company.

    Returns revoked and expired tokens too, so that the caller can say why one is refused;
    returns None for anything that is not a Spona token.
    """
    if not plaintext.startswith(TOKEN_MARKER):
        return None
    return PersonalAccessToken.objects.select_related("user", "company").filter(token_hash=hash_token(plaintext)).first()
