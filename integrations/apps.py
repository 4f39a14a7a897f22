from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations: imports, exports, webhooks"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
