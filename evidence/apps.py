from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Scoring from evidence")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the receivers)
