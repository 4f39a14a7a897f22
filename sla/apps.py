from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = "SLA and assignment"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the lifecycle receivers)
