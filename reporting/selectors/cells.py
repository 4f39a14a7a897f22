"""Reads of the reports' rollups (``reporting.rollups``): the cells of a range, summed."""

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db.models import DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from ..periods import Period, next_month
from ..rollups import Rollup
from .scope import GroupBy, Scope

# The group of a cell, for each grouping of the reports.
CELL_GROUPS = {
    GroupBy.OWNER: F("owner_id"),
    GroupBy.CAMPAIGN: F("campaign_id"),
    GroupBy.CHANNEL: F("campaign__channel"),
    GroupBy.MONTH: TruncMonth("day", output_field=DateField()),
}


def cells_summed(
    rollup: Rollup,
    *,
    period: Period,
    scope: Scope,
    fields: tuple[str, ...],
    keys: dict[str, Any] | None = None,
    where: Q | None = None,
) -> list[dict]:
    """The rollup's cells whose day is in ``period`` (and that match ``where``), summed by
    ``fields`` and the expressions of ``keys`` into ``total``.

    Whole months are read from the month cells (summed over the owners where the rollup
    keeps such and the read is not about a rep), the days of a month begun or ended inside
    the range from the day cells, and the changes not folded yet beside them, all in one
    statement (so a fold committing meanwhile can neither hide a change nor count it twice),
    then added up here. A few thousand rows, whether the base holds ten thousand contacts or
    ten million.
    """
    keys = keys or {}
    days, months = _tables(rollup, scope, fields, keys)
    parts = list(period.months())
    whole = [part.start for part in parts if _is_whole_month(part)]
    # Named one by one rather than as ranges: PostgreSQL then reads them from the cells'
    # index alone, where the OR of two ranges went through a bitmap and the table's pages.
    partial = [day for part in parts if not _is_whole_month(part) for day in _days(part)]
    changes = rollup.change._default_manager.filter(day__gte=period.start, day__lte=period.end)
    sources: list[QuerySet[Any]] = [changes]
    if whole:
        sources.append(months._default_manager.filter(day__in=whole))
    if partial:
        sources.append(days._default_manager.filter(day__in=partial))
    summed = [
        scope.apply(cells.filter(where or Q())).values(*fields, **keys).annotate(total=Sum("n"))
        for cells in sources
    ]
    names = (*fields, *keys)
    totals: Counter = Counter()
    for row in summed[0].order_by().union(*(s.order_by() for s in summed[1:]), all=True):
        totals[tuple(row[name] for name in names)] += row["total"]
    return [  # a cell emptied by later changes is no row, as nothing counts there
        {**dict(zip(names, cell, strict=True)), "total": total}
        for cell, total in totals.items()
        if total
    ]


def _tables(rollup: Rollup, scope: Scope, fields: tuple[str, ...], keys: dict[str, Any]):
    """The day and month cells to read: those summed over the owners when the rollup has
    them and nothing read is about a rep (no rep's scope, no owner's group or field)."""
    about_a_rep = (
        scope.owner is not None
        or "owner_id" in fields
        or CELL_GROUPS[GroupBy.OWNER] in keys.values()
    )
    if rollup.unowned and not about_a_rep:
        return rollup.unowned
    return rollup.count, rollup.month


def _is_whole_month(part: Period) -> bool:
    return part.start.day == 1 and part.end == next_month(part.start) - timedelta(days=1)


def _days(part: Period) -> list[date]:
    return [part.start + timedelta(days=n) for n in range((part.end - part.start).days + 1)]
