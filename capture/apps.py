from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "capture"
    verbose_name = _("Lead capture: web forms")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the lifecycle receivers)
