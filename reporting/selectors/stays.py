"""Reads of the stage stays shared by the hand-off and velocity reports."""

from django.db.models import DateField, F, QuerySet
from django.db.models.functions import TruncMonth

from leads.stages import RECORD_KEEPING

from ..models import StageStay
from ..periods import Period
from .scope import GroupBy, Scope


def stays_entered(period: Period, scope: Scope) -> QuerySet[StageStay]:
    """Stays that began inside the range (the hand-offs made in it, the stages entered).

    A stay that a merge (or its undo) began is left out: the person entered that stage on
    the other record, whose stay counts, and was handed to nobody at the merge."""
    entered = StageStay.objects.filter(period.covers("entered_at"))
    return scope.apply(entered.exclude(entry_move__in=RECORD_KEEPING))


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
