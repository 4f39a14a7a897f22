"""Reads of the evidence app shared by the API and the pages."""

from django.db.models import QuerySet

from .models import Analysis, Kind


def analysis_list() -> QuerySet[Analysis]:
    return Analysis.objects.select_related("requested_by")


def latest(kind: Kind) -> Analysis | None:
    """The newest analysis of a kind: what the page shows (running, done or failed)."""
    return analysis_list().filter(kind=kind).first()
