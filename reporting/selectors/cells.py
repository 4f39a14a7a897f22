"""Reads of the funnel's rollup (``reporting.rollups``): the cells of a range, summed."""

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum

from ..models import ReachedChange, ReachedCount, ReachedMonth
from ..periods import Period, next_month
from .scope import Scope


def cells_summed(
    *, mode: str, period: Period, keys: dict, scope: Scope, stages: Iterable[str] | None = None
) -> list[dict]:
    """The cells of ``mode`` whose day is in ``period``, summed by ``keys`` (plus ``stage``)
    into ``total``.

    Whole months are read from the month cells, the days of a month begun or ended inside
    the range from the day cells, and the changes not folded yet beside them, all in one
    statement (so a fold committing meanwhile can neither hide a change nor count it twice),
    then added up here. A few thousand rows, whether the base holds ten thousand contacts or
    ten million.
    """
    parts = list(period.months())
    whole = [part.start for part in parts if _is_whole_month(part)]
    partial = Q()
    for part in parts:
        if not _is_whole_month(part):
            partial |= Q(day__gte=part.start, day__lte=part.end)
    sources: list[QuerySet[Any]] = [
        ReachedChange.objects.filter(day__gte=period.start, day__lte=period.end)
    ]
    if whole:
        sources.append(ReachedMonth.objects.filter(day__in=whole))
    if partial:
        sources.append(ReachedCount.objects.filter(partial))
    summed = []
    for cells in sources:
        cells = cells.filter(mode=mode)
        if stages is not None:
            cells = cells.filter(stage__in=list(stages))
        summed.append(scope.apply(cells).values("stage", **keys).annotate(total=Sum("n")))
    totals: Counter = Counter()
    for row in summed[0].order_by().union(*(s.order_by() for s in summed[1:]), all=True):
        totals[tuple(row[name] for name in ("stage", *keys))] += row["total"]
    return [  # a cell emptied by later changes is no row, as no contact counts there
        {"stage": cell[0], **dict(zip(keys, cell[1:], strict=True)), "total": total}
        for cell, total in totals.items()
        if total
    ]


def _is_whole_month(part: Period) -> bool:
    return part.start.day == 1 and part.end == next_month(part.start) - timedelta(days=1)
