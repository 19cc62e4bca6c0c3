from django.apps import AppConfig


class ApiConfig(AppConfig):
    """Assembles every app's API router under /api/v1/."""

    name = "spona.api"
    label = "api"
