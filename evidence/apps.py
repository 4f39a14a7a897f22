from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Scoring from evidence"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the receivers)
