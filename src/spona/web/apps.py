from django.apps import AppConfig


class WebConfig(AppConfig):
    """The UI shell: base templates, navigation, shared components, static files."""

    name = "spona.web"
    label = "web"
