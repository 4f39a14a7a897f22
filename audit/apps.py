from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from . import receivers, tracking  # noqa: F401  (receivers connect on import)

        tracking.connect()
