"""System checks that keep Spona's own rules true as the code grows."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks


@checks.register("spona")
def personal_data_declared(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every Spona model declares which of its fields hold personal data (QUALITY P1).

    Data-subject exports and erasure walk these declarations, so a model without one would be
    silently left out of both.
    """
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if not model.__module__.startswith("spona.") or model._meta.abstract:
            continue
        declared = model.__dict__.get("personal_data")
        if declared is None:
            errors.append(
                checks.Error(
                    f"{model._meta.label} does not declare personal_data.",
                    hint="Add personal_data = (...field names...) to the model, or () when it holds none.",
                    obj=model,
                    id="spona.P001",
                )
            )
            continue
        names = {f.name for f in model._meta.get_fields()}
        for field in declared:
            if field not in names:
                errors.append(
                    checks.Error(f"{model._meta.label}.personal_data names unknown field {field!r}.", obj=model, id="spona.P002")
                )
    return errors
