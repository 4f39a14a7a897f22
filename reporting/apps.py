from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal receivers)
