from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from . import receivers, tracking  # noqa: F401  (receivers connect on import)

        tracking.connect()
