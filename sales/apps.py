from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales activities and tasks")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the lifecycle receivers)
