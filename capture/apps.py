from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "capture"
    verbose_name = "Lead capture: web forms"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the lifecycle receivers)
