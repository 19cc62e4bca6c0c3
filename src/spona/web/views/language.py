"""The language switcher: Django's own view, plus remembering the choice on the user."""

from __future__ import annotations

from contextlib import suppress

from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language as django_set_language

from spona.core import services
from spona.core.errors import ValidationFailed


def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language for this browser and, when signed in, for the user's next logins too."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        # Django's view has already ignored a language it does not offer: nothing to remember then.
        with suppress(ValidationFailed):
            services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
