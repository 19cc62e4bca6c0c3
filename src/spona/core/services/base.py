"""Helpers shared by the kernel's services."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models

from spona.core.errors import ValidationFailed


def full_clean_or_raise(obj: models.Model, exclude: Iterable[str] | None = None) -> None:
    """Run the model's validation and raise ValidationFailed with per-field messages."""
    try:
        obj.full_clean(exclude=list(exclude or []), validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
