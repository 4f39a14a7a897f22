from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries() -> QuerySet[AuditEntry]:
    """The log, newest first, with what every page and endpoint shows of each entry."""
    return AuditEntry.objects.select_related("content_type", "actor").order_by("-at", "-id")
