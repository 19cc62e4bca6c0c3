from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "spona.front.support"
    label = "support"
    verbose_name = "Support"

    def ready(self) -> None:
        from spona.front.support import events, permissions  # noqa: F401
