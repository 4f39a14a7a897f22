"""
The funnel's rollup on PostgreSQL: how many contacts reached each stage, per day, campaign
and owner, kept exact in every contact write's own transaction.

A trigger on ``leads_contact`` (migration 0009) appends, for each write that changes a
column the funnel counts by (the first-reached times, ``first_seen_at``, the campaign, the
owner, a merge), the difference it makes to each cell in ``ReachedChange``. Every write path
passes through it, the lifecycle services, merges, erasure, imports and raw SQL alike, so
there is no second place to keep in step. ``rollups_fold`` adds the changes to
``ReachedCount`` now and then (a beat task); reports read both tables in one statement, so a
report is exact whether or not the changes were folded yet.

The days are local days in the time zone the rollup was built for. After a change of
``TIME_ZONE`` the reports count the contacts again (``rollups_ready`` is false) until
``manage.py rebuild_rollups`` rebuilds the cells for the new zone.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from leads.models import Contact

from .models import ReachedChange, ReachedCount, ReachedMonth

# One folder or rebuilder at a time (pg_advisory_xact_lock's key: "rollups" in ASCII).
_LOCK = 0x726F6C6C757073

_TABLES = {
    "count": ReachedCount._meta.db_table,
    "month": ReachedMonth._meta.db_table,
    "change": ReachedChange._meta.db_table,
}
_TRIGGERS = ("reporting_reached_write", "reporting_reached_change")

_READY = """
SELECT reporting_rollup_tz(),
       (SELECT COUNT(*) FROM pg_trigger WHERE tgname = ANY(%(triggers)s) AND tgenabled = 'O')
"""

_REBUILD = """
INSERT INTO {count} (mode, stage, day, campaign_id, owner_id, n)
SELECT r.mode, r.stage, (r.at AT TIME ZONE %(tz)s)::date, r.campaign_id, r.owner_id, COUNT(*)
FROM {contact} c CROSS JOIN LATERAL reporting_reached_of(c, 1) AS r
GROUP BY 1, 2, 3, 4, 5
"""

_ZONE = """
CREATE OR REPLACE FUNCTION reporting_rollup_tz() RETURNS text LANGUAGE sql STABLE
AS $$ SELECT '{tz}'::text $$
"""

_MONTHS = """
INSERT INTO {month} (mode, stage, day, campaign_id, owner_id, n)
SELECT mode, stage, date_trunc('month', day)::date, campaign_id, owner_id, SUM(n) FROM {count}
GROUP BY 1, 2, 3, 4, 5
"""

# The pending changes, taken once, added to the days and to the months in one statement.
_FOLD = """
WITH folded AS (DELETE FROM {change} RETURNING mode, stage, day, campaign_id, owner_id, n),
days AS (
    INSERT INTO {count} AS cell (mode, stage, day, campaign_id, owner_id, n)
    SELECT mode, stage, day, campaign_id, owner_id, SUM(n) FROM folded
    GROUP BY mode, day, stage, campaign_id, owner_id
    ORDER BY mode, day, stage, campaign_id, owner_id
    ON CONFLICT (mode, day, stage, campaign_id, owner_id) DO UPDATE SET n = cell.n + EXCLUDED.n
    RETURNING 1
),
months AS (
    INSERT INTO {month} AS cell (mode, stage, day, campaign_id, owner_id, n)
    SELECT mode, stage, date_trunc('month', day)::date, campaign_id, owner_id, SUM(n)
    FROM folded
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 3, 2, 4, 5
    ON CONFLICT (mode, day, stage, campaign_id, owner_id) DO UPDATE SET n = cell.n + EXCLUDED.n
)
SELECT COUNT(*) FROM days
"""


def _zone_name(name: str) -> str:
    """A time zone's name, checked before it is written into the function's body."""
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        raise ValueError(f"Not a time zone name: {name!r}")
    return name


def rollups_ready(tz: tzinfo, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether a report in ``tz`` may read the rollup: on PostgreSQL, built for that zone."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(_READY, {"triggers": list(_TRIGGERS)})
        zone, enabled = cursor.fetchone()
        return zone == str(tz) and enabled == len(_TRIGGERS)


@contextmanager
def rollups_paused(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Load contacts in bulk without the trigger's cost per row, then count the cells once.

    Until the rebuild at the end, ``rollups_ready`` is false and reports count the contacts,
    so a load that fails half-way leaves no wrong figure behind, only slower ones.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    table = Contact._meta.db_table
    with connection.cursor() as cursor:
        for trigger in _TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for trigger in _TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    rollups_rebuild(using=using)


def rollups_rebuild(using: str = DEFAULT_DB_ALIAS) -> int:
    """Count every cell again from the contacts, for the configured time zone; returns how
    many cells there are.

    Contact writes wait while it runs (a SHARE lock on the table), so no change is lost
    between the count and the trigger. One statement over the contacts, no Python loop.
    """
    connection = connections[using]
    tables = {**_TABLES, "contact": Contact._meta.db_table}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        cursor.execute(f"LOCK TABLE {tables['contact']} IN SHARE MODE")
        cursor.execute(_ZONE.format(tz=_zone_name(settings.TIME_ZONE)))
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"TRUNCATE {tables['count']}, {tables['month']}, {tables['change']}")
        cursor.execute(_REBUILD.format(**tables), {"tz": settings.TIME_ZONE})
        cells = cursor.rowcount
        cursor.execute(_MONTHS.format(**tables))
        return cells


def rollups_fold(using: str = DEFAULT_DB_ALIAS) -> int:
    """Add the pending changes to the folded counts of the days and of the months, in one
    statement; returns how many day cells it touched (0 when another fold or a rebuild holds
    the lock: the next round folds them).

    The changes a write commits while this runs stay for the next round: the DELETE only
    takes the rows its snapshot sees, and adds exactly those.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(_FOLD.format(**_TABLES))
        return cursor.fetchone()[0]
