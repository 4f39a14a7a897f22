from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("SLA and assignment")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the lifecycle receivers)
