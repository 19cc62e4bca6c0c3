from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel: companies, users, roles, parties, money, sequences, events, audit."""

    name = "spona.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from spona.core import checks, handlers, permissions, searchables  # noqa: F401  (checks registers itself)

        permissions.register_rules()
        handlers.subscribe_all()
        searchables.register_all()
