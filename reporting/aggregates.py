"""
Aggregates the reports need beyond Django's: grouping by zero or more keys, and the median and
90th percentile of durations, computed by the database.

PostgreSQL has ``percentile_cont``; SQLite (development) has no percentile function, so there
the ordered durations are fetched and the same interpolation is done in Python: both give the
same numbers.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import reduce
from itertools import groupby
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import Aggregate, F, FloatField, Func, Q, QuerySet

FRACTIONS = (0.5, 0.9)  # median and 90th percentile
NONE = (None,) * len(FRACTIONS)


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont`` at several fractions in one sort: an array of floats."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fractions)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: Sequence[float] = FRACTIONS, **extra):
        literal = "ARRAY[{}]::float8[]".format(", ".join(str(float(f)) for f in fractions))
        super().__init__(
            expression, fractions=literal, output_field=ArrayField(FloatField()), **extra
        )


class EpochSeconds(Func):
    """A PostgreSQL interval in seconds, as a float (``date_part`` computes in floats, where
    ``EXTRACT`` goes through ``numeric`` and sorts a third slower)."""

    template = "date_part('epoch', %(expressions)s)"
    output_field = FloatField()


@contextmanager
def sorts_in_memory() -> Iterator[None]:
    """Give a report's sorts (percentiles, groupings) the memory to run without spilling to
    disk on PostgreSQL: ``work_mem`` for this transaction only. Elsewhere nothing changes (a
    transaction on SQLite would take the write lock)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.REPORTS_WORK_MEM])
        yield


def grouped(
    queryset: QuerySet,
    keys: Sequence[str],
    *,
    spreads: Mapping[str, Q] | None = None,
    duration: str = "duration",
    **aggregates: Any,
) -> list[dict[str, Any]]:
    """One row of ``aggregates`` per value of ``keys`` (a single row without keys), with the
    ``spreads`` of each key (see ``duration_spreads``) added to it."""
    rows = _rows(queryset, keys, aggregates)
    if spreads:
        found = duration_spreads(queryset, keys, spreads, duration)
        for row in rows:
            key = tuple(row[k] for k in keys)
            row |= {name: found[name].get(key, NONE) for name in spreads}
    return rows


def duration_spreads(
    queryset: QuerySet, keys: Sequence[str], spreads: Mapping[str, Q], duration: str = "duration"
) -> dict[str, dict[tuple, tuple[float | None, ...]]]:
    """For each condition of ``spreads``, per value of ``keys``, the (median, 90th percentile)
    in seconds of ``duration`` over the rows matching it.

    A query of its own, not a column of the counting one: PostgreSQL counts in parallel
    workers, but cannot split a percentile between them.
    """
    if connection.vendor == "postgresql":
        return spreads_in_sql(queryset, keys, spreads, duration)  # type: ignore[return-value]
    return {
        name: spreads_in_python(queryset.filter(where), keys, duration)
        for name, where in spreads.items()
    }


def _rows(queryset: QuerySet, keys: Sequence[str], aggregates: dict) -> list[dict]:
    if not keys:  # values() without fields would group by every column
        return [queryset.aggregate(**aggregates)]
    return list(queryset.values(*keys).annotate(**aggregates).order_by())


def spreads_in_sql(
    queryset: QuerySet, keys: Sequence[str], spreads: Mapping[str, Q], duration: str
) -> dict[str, dict[tuple, tuple[float, ...]]]:
    """``percentile_cont`` per value of ``keys`` for each condition of ``spreads``, reading
    only the rows that match one of them."""
    seconds = EpochSeconds(F(duration))
    rows = _rows(
        queryset.filter(reduce(or_, spreads.values())),
        keys,
        {name: PercentileCont(seconds, filter=where) for name, where in spreads.items()},
    )
    return {
        name: {tuple(row[k] for k in keys): tuple(row[name]) for row in rows if row[name]}
        for name in spreads
    }


def epoch_seconds(duration: timedelta) -> float:
    """``date_part('epoch', interval)`` as PostgreSQL computes it: whole days, then the rest."""
    return 86400.0 * duration.days + (duration.seconds * 1_000_000 + duration.microseconds) / 1e6


def percentile_cont(ordered: Sequence[float], fraction: float) -> float | None:
    """``percentile_cont`` on an ascending list: interpolate between the two nearest ranks,
    with the very arithmetic PostgreSQL uses (``lo + (hi - lo) * (position - floor)``)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    low = ordered[lower]
    if lower == upper:
        return low
    return low + (ordered[upper] - low) * (position - lower)


def spreads_in_python(
    queryset: QuerySet, keys: Sequence[str], duration: str
) -> dict[tuple, tuple[float | None, ...]]:
    """The percentiles per value of ``keys`` from the durations fetched in order."""
    ordered = queryset.values_list(*keys, duration).order_by(*keys, duration)
    spreads = {}
    for key, group in groupby(ordered, key=lambda row: row[:-1]):
        seconds = [epoch_seconds(row[-1]) for row in group]
        spreads[key] = tuple(percentile_cont(seconds, fraction) for fraction in FRACTIONS)
    return spreads
