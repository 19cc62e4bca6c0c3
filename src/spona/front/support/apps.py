from django.apps import AppConfig


class SupportConfig(AppConfig):
    """Customer support: tickets from every channel, queues, SLA, macros, knowledge base, CSAT."""

    name = "spona.front.support"
    label = "support"
    verbose_name = "Support"
