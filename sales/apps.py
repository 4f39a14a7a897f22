from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales activities and tasks"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the lifecycle receivers)
