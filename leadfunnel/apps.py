from django.apps import AppConfig


class LeadfunnelConfig(AppConfig):
    """The project package as an app, for its system checks."""

    name = "leadfunnel"

    def ready(self) -> None:
        from . import checks, languages  # noqa: F401  (registers the checks and receivers)
