"""
The reports' rollups on PostgreSQL, kept exact in every write's own transaction:

- the funnel's (``ReachedCells``): how many contacts reached each stage, per day, campaign and
  owner, in the cohort and the period sense (funnel, trends, targets);
- the hand-off's (``HandoffCells``): the MQL passes begun per day, campaign and owner, by how
  they ended and why (the hand-off report);
- multi-touch attribution's (``CreditCells``): the credit each campaign's touches earned for
  the stages contacts reached, per model, in both senses of the funnel.

Triggers (migrations 0009 and 0010) on the rows they summarise, the contacts, their touches
and the stage stays,
append for each write that changes what a cell counts the difference it makes, +1 here and
-1 there, to the rollup's table of changes. Every write path passes through them, the
lifecycle services, merges, erasure, imports and raw SQL alike, so there is no second place
to keep in step. ``rollups_fold`` adds the changes to the day and month cells now and then
(a beat task); a report reads all three in one statement, so it is exact whether or not the
changes were folded yet.

The days are local days in the time zone the rollups were built for. After a change of
``TIME_ZONE`` the reports count the rows again (``rollups_ready`` is false) until ``manage.py
rebuild_rollups`` rebuilds the cells for the new zone.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from leads.models import Contact, Touch, Transition

from .models import (
    CreditChange,
    CreditCount,
    CreditMonth,
    HandoffChange,
    HandoffCount,
    HandoffMonth,
    ReachedCampaignCount,
    ReachedCampaignMonth,
    ReachedChange,
    ReachedCount,
    ReachedMonth,
    StageStay,
)


@dataclass(frozen=True)
class Rollup:
    """One rollup: the rows it summarises, its three tables of cells, and the SQL function
    (migrations 0009, 0010) that gives the cells one row adds (``sign`` +1) or takes away
    (-1). ``loaded`` are the other tables a bulk load pauses the triggers of and a rebuild
    locks: those whose rows the cells are counted from besides ``source``; ``every`` a
    function giving every row's cells at once, which a rebuild reads instead of
    ``cells_of`` row by row."""

    source: type[models.Model]
    count: type[models.Model]
    month: type[models.Model]
    change: type[models.Model]
    cells_of: str
    keys: tuple[str, ...]  # a cell's columns besides ``n``
    unique: tuple[str, ...]  # those its unique index holds
    triggers: tuple[tuple[type[models.Model], str], ...]
    loaded: tuple[type[models.Model], ...] = ()
    every: str = ""
    # The day and month cells summed over the owners, folded and rebuilt with the others,
    # for the reads that neither group by rep nor keep to one (``cells_summed``).
    unowned: tuple[type[models.Model], type[models.Model]] | None = None

    def sources(self) -> tuple[type[models.Model], ...]:
        return (self.source, *self.loaded)

    def tables(self) -> dict[str, str]:
        unowned = [key for key in self.keys if key != "owner_id"]
        return {
            **(
                {
                    "unowned_count": self.unowned[0]._meta.db_table,
                    "unowned_month": self.unowned[1]._meta.db_table,
                    "unowned_keys": ", ".join(unowned),
                    "unowned_unique": ", ".join(k for k in self.unique if k != "owner_id"),
                    "unowned_month_keys": _month_keys(unowned),
                }
                if self.unowned
                else {}
            ),
            "count": self.count._meta.db_table,
            "month": self.month._meta.db_table,
            "change": self.change._meta.db_table,
            "cells": f"{self.every}() AS r"
            if self.every
            else f"{self.source._meta.db_table} s CROSS JOIN LATERAL {self.cells_of}(s, 1) AS r",
            "keys": ", ".join(self.keys),
            "cell_keys": ", ".join(f"r.{key}" for key in self.keys),
            "unique": ", ".join(self.unique),
            "month_keys": _month_keys(self.keys),
        }

    def rebuild_sql(self) -> str:
        return (_REBUILD + (_REBUILD_UNOWNED if self.unowned else "")).format(**self.tables())

    def fold_sql(self) -> str:
        parts = (_FOLD, _FOLD_UNOWNED if self.unowned else "", _FOLDED)
        return "".join(parts).format(**self.tables())


def _month_keys(keys) -> str:
    return ", ".join("date_trunc('month', day)::date" if key == "day" else key for key in keys)


_PLACE = ("campaign_id", "owner_id")
REACHED = Rollup(
    source=Contact,
    count=ReachedCount,
    month=ReachedMonth,
    change=ReachedChange,
    cells_of="reporting_reached_of",
    keys=("mode", "stage", "day", *_PLACE),
    unique=("mode", "day", "stage", *_PLACE),
    triggers=((Contact, "reporting_reached_write"), (Contact, "reporting_reached_change")),
    unowned=(ReachedCampaignCount, ReachedCampaignMonth),
)
HANDOFFS = Rollup(
    source=StageStay,
    count=HandoffCount,
    month=HandoffMonth,
    change=HandoffChange,
    cells_of="reporting_handoff_of",
    keys=("day", "exit_move", "exit_stage", "reason", "reason_key", *_PLACE),
    unique=("day", "exit_move", "exit_stage", "reason_key", *_PLACE),
    triggers=(
        (StageStay, "reporting_handoff_write"),
        (StageStay, "reporting_handoff_change"),
        (Transition, "reporting_handoff_reason"),
    ),
)
CREDITS = Rollup(
    source=Contact,
    count=CreditCount,
    month=CreditMonth,
    change=CreditChange,
    cells_of="reporting_credit_of",
    keys=("model", "mode", "stage", "day", "credited_id"),
    unique=("model", "mode", "day", "stage", "credited_id"),
    triggers=(
        (Contact, "reporting_credit_write"),
        (Contact, "reporting_credit_change"),
        (Touch, "reporting_credit_touch_insert"),
        (Touch, "reporting_credit_touch_update"),
        (Touch, "reporting_credit_touch_delete"),
    ),
    loaded=(Touch,),
    every="reporting_credit_every",
)
ROLLUPS = (REACHED, HANDOFFS, CREDITS)
_TRIGGERS = [name for rollup in ROLLUPS for _, name in rollup.triggers]

# One folder or rebuilder at a time (pg_advisory_xact_lock's key: "rollups" in ASCII).
_LOCK = 0x726F6C6C757073

_READY = """
SELECT reporting_rollup_tz(),
       (SELECT COUNT(*) FROM pg_trigger WHERE tgname = ANY(%(triggers)s) AND tgenabled = 'O')
"""

_ZONE = """
CREATE OR REPLACE FUNCTION reporting_rollup_tz() RETURNS text LANGUAGE sql STABLE
AS $$ SELECT '{tz}'::text $$
"""

_REBUILD = """
TRUNCATE {count}, {month}, {change};
INSERT INTO {count} ({keys}, n)
SELECT {cell_keys}, SUM(r.n) FROM {cells} GROUP BY {cell_keys};
INSERT INTO {month} ({keys}, n) SELECT {month_keys}, SUM(n) FROM {count} GROUP BY {month_keys};
"""
_REBUILD_UNOWNED = """
TRUNCATE {unowned_count}, {unowned_month};
INSERT INTO {unowned_count} ({unowned_keys}, n)
SELECT {unowned_keys}, SUM(n) FROM {count} GROUP BY {unowned_keys};
INSERT INTO {unowned_month} ({unowned_keys}, n)
SELECT {unowned_keys}, SUM(n) FROM {month} GROUP BY {unowned_keys};
"""

# The pending changes, taken once, added to the days and to the months in one statement.
_FOLD = """
WITH folded AS (DELETE FROM {change} RETURNING {keys}, n),
days AS (
    INSERT INTO {count} AS cell ({keys}, n)
    SELECT {keys}, SUM(n) FROM folded GROUP BY {keys} ORDER BY {unique}
    ON CONFLICT ({unique}) DO UPDATE SET n = cell.n + EXCLUDED.n
    RETURNING 1
),
months AS (
    INSERT INTO {month} AS cell ({keys}, n)
    SELECT {month_keys}, SUM(n) FROM folded GROUP BY {month_keys} ORDER BY {month_keys}
    ON CONFLICT ({unique}) DO UPDATE SET n = cell.n + EXCLUDED.n
)
"""
_FOLD_UNOWNED = """,
unowned_days AS (
    INSERT INTO {unowned_count} AS cell ({unowned_keys}, n)
    SELECT {unowned_keys}, SUM(n) FROM folded GROUP BY {unowned_keys} ORDER BY {unowned_unique}
    ON CONFLICT ({unowned_unique}) DO UPDATE SET n = cell.n + EXCLUDED.n
),
unowned_months AS (
    INSERT INTO {unowned_month} AS cell ({unowned_keys}, n)
    SELECT {unowned_month_keys}, SUM(n) FROM folded GROUP BY {unowned_month_keys}
    ON CONFLICT ({unowned_unique}) DO UPDATE SET n = cell.n + EXCLUDED.n
)
"""
_FOLDED = "SELECT COUNT(*) FROM days"


def _zone_name(name: str) -> str:
    """A time zone's name, checked before it is written into the function's body."""
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        raise ValueError(f"Not a time zone name: {name!r}")
    return name


def rollups_ready(tz: tzinfo, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether a report in ``tz`` may read the rollups: on PostgreSQL, built for that zone,
    and every trigger on (one left off by a failed bulk load would miss writes)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(_READY, {"triggers": _TRIGGERS})
        zone, enabled = cursor.fetchone()
        return zone == str(tz) and enabled == len(_TRIGGERS)


@contextmanager
def rollups_paused(
    rollups: tuple[Rollup, ...] = ROLLUPS, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Load rows in bulk without the triggers' cost per row, then count the cells once.

    Until the rebuild at the end, ``rollups_ready`` is false and reports count the rows, so
    a load that fails half-way leaves no wrong figure behind, only slower ones.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    _switch_triggers(connection, rollups, "DISABLE")
    try:
        yield
    finally:
        _switch_triggers(connection, rollups, "ENABLE")
    rollups_rebuild(rollups, using=using)


def _switch_triggers(connection, rollups: tuple[Rollup, ...], state: str) -> None:
    """Only the triggers on the rows the cells are counted from: a bulk load inserts, and
    the others follow updates (a rejection's reason erased).

    Inside a transaction, the foreign keys' checks still pending (they are deferred to the
    commit) are made first: PostgreSQL alters no table with trigger events pending."""
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for rollup in rollups:
            for model, trigger in rollup.triggers:
                if model in rollup.sources():
                    table = model._meta.db_table
                    cursor.execute(f"ALTER TABLE {table} {state} TRIGGER {trigger}")


def rollups_rebuild(
    rollups: tuple[Rollup, ...] = ROLLUPS,
    using: str = DEFAULT_DB_ALIAS,
    *,
    rezone: bool | None = None,
) -> int:
    """Count every cell again from the rows; returns how many day cells there are.

    Rebuilding them all (or with ``rezone``) writes the configured time zone first; one
    rollup alone is counted in the zone the others were. Writes to the summarised tables
    wait while it runs (a SHARE lock on each), so no change is lost between the count and
    the triggers. One statement per table, no Python loop.
    """
    connection = connections[using]
    cells = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        sources = ", ".join(
            dict.fromkeys(model._meta.db_table for rollup in rollups for model in rollup.sources())
        )
        cursor.execute(f"LOCK TABLE {sources} IN SHARE MODE")
        if rollups == ROLLUPS if rezone is None else rezone:
            cursor.execute(_ZONE.format(tz=_zone_name(settings.TIME_ZONE)))
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for rollup in rollups:
            cursor.execute(rollup.rebuild_sql())
            cells += rollup.count._default_manager.using(using).count()
    return cells


def rollups_fold(using: str = DEFAULT_DB_ALIAS) -> int:
    """Add the pending changes to the folded counts of the days and of the months, one
    statement per rollup; returns how many day cells it touched (0 when another fold or a
    rebuild holds the lock: the next round folds them).

    The changes a write commits while this runs stay for the next round: the DELETE only
    takes the rows its snapshot sees, and adds exactly those.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    touched = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        for rollup in ROLLUPS:
            cursor.execute(rollup.fold_sql())
            touched += cursor.fetchone()[0]
    return touched
