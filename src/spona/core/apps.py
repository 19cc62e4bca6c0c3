from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel: companies, users, roles, parties, money, sequences, events, audit."""

    name = "spona.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from spona.core import checks, permissions, searchables, timeline  # noqa: F401  (checks registers itself)

        permissions.register_rules()
        timeline.register()
        searchables.register_all()
