"""Reads of the stage stays shared by the hand-off and velocity reports."""

from django.db.models import DateField, F, QuerySet
from django.db.models.functions import TruncMonth

from ..models import StageStay
from ..periods import Period
from .scope import GroupBy, Scope


def stays_entered(period: Period, scope: Scope) -> QuerySet[StageStay]:
    """Stays that began inside the range (the hand-offs made in it, the stages entered)."""
    return scope.apply(StageStay.objects.filter(period.covers("entered_at")))


def with_group(stays: QuerySet, group_by: GroupBy | None, period: Period) -> tuple[QuerySet, list]:
    """The stays annotated with their group value, and the keys to group by."""
    if group_by is None:
        return stays, []
    expression = {
        GroupBy.OWNER: F("owner_id"),
        GroupBy.CAMPAIGN: F("campaign_id"),
        GroupBy.CHANNEL: F("campaign__channel"),
        GroupBy.MONTH: TruncMonth("entered_at", tzinfo=period.tz, output_field=DateField()),
    }[group_by]
    return stays.annotate(group=expression), ["group"]
