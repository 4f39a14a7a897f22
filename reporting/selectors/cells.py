"""Reads of the funnel's rollup (``reporting.rollups``): the cells of a range, summed."""

from collections import Counter
from collections.abc import Iterable

from django.db.models import Sum

from ..models import ReachedChange, ReachedCount
from ..periods import Period
from .scope import Scope


def cells_summed(
    *, mode: str, period: Period, keys: dict, scope: Scope, stages: Iterable[str] | None = None
) -> list[dict]:
    """The cells of ``mode`` whose day is in ``period``, summed by ``keys`` (plus ``stage``)
    into ``n``.

    The folded counts and the changes not folded yet are read in one statement (so a fold
    committing meanwhile can neither hide a change nor count it twice) and added up here. A
    few thousand rows at most, whether the base holds ten thousand contacts or ten million.
    """
    summed = []
    for model in (ReachedCount, ReachedChange):
        cells = model.objects.filter(mode=mode, day__gte=period.start, day__lte=period.end)
        if stages is not None:
            cells = cells.filter(stage__in=list(stages))
        cells = scope.apply(cells).values("stage", **keys).annotate(total=Sum("n")).order_by()
        summed.append(cells)
    totals: Counter = Counter()
    for row in summed[0].union(summed[1], all=True):
        totals[tuple(row[name] for name in ("stage", *keys))] += row["total"]
    return [  # a cell emptied by later changes is no row, as no contact counts there
        {"stage": cell[0], **dict(zip(keys, cell[1:], strict=True)), "total": total}
        for cell, total in totals.items()
        if total
    ]
