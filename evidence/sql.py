"""
The few SQL pieces that differ between PostgreSQL and SQLite, and the scratch tables an
analysis works in.

An analysis builds a table of the contacts it looks at (and one of the moments a rule set
would have made each an MQL) once, then runs several aggregates over it: a temporary table
per connection, indexed on the contact, dropped when the analysis ends. Every statement is
set-based; Python only ever sees aggregated rows (or the bounded sample a model learns from).
"""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection

from leads.models import Contact
from scoring import sql as scoring_sql
from scoring.models import Activity

CONTACTS = Contact._meta.db_table
ACTIVITIES = Activity._meta.db_table

# 2 ** 1000 is far from a double's limit (2 ** 1024); PostgreSQL raises on an overflow where
# SQLite gives inf, so powers of 2 (a replay's decay) are kept within the live scoring's bound.
MAX_HALVINGS = scoring_sql.MAX_HALVINGS


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def now_param(moment: datetime):
    """A datetime as a query parameter of raw SQL (SQLite stores text in UTC)."""
    return connection.ops.adapt_datetimefield_value(moment)


def seconds_between(earlier: str, later: str) -> str:
    """SQL for the seconds from ``earlier`` to ``later`` (two SQL expressions). On
    PostgreSQL ``date_part`` computes in floats, where ``EXTRACT`` goes through ``numeric``
    and made a replay several times slower."""
    if is_postgres():
        return f"date_part('epoch', {later} - {earlier})"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def least(*expressions: str) -> str:
    return f"{'LEAST' if is_postgres() else 'MIN'}({', '.join(expressions)})"


def halvings(age_seconds: str, half_life_seconds: float) -> str:
    """SQL for ``scoring.sql.decay_factor``: what a point is worth after ``age_seconds`` (an
    event from the future counts fully; one older than ``MAX_HALVINGS`` half-lives, nothing)."""
    return scoring_sql.decay_sql(f"(({age_seconds}) / {float(half_life_seconds)!r})")


def fenced(select: str) -> str:
    """A sub-query PostgreSQL computes on its own, once per row, instead of merging it into
    the query around it (``OFFSET 0`` keeps the planner from pulling it up): otherwise the
    rules' conditions were tested after the sort, and each expression again wherever the
    outer query names it, which made a replay several times slower. SQLite needs no fence."""
    return f"{select} OFFSET 0" if is_postgres() else select


def rounded(expression: str) -> str:
    """Half up, as ``scoring.sql.whole`` and the live score round engagement."""
    return f"FLOOR(({expression}) + 0.5)"


def json_text(column: str, key: str) -> tuple[str, list]:
    """SQL for the text of ``column[key]`` when it is a JSON string, else NULL."""
    if is_postgres():
        return (
            f"(CASE WHEN jsonb_typeof({column} -> %s) = 'string' THEN {column} ->> %s END)",
            [key, key],
        )
    path = '$."' + key.replace('"', "") + '"'
    return (
        f"(CASE WHEN json_type({column}, %s) = 'text' THEN json_extract({column}, %s) END)",
        [path, path],
    )


def local_date(column: str) -> tuple[str, tuple]:
    """SQL for the calendar day of a timestamp in the team's time zone (``TIME_ZONE``)."""
    return connection.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def execute(sql: str, params: Sequence = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def stream(sql: str, params: Sequence = (), size: int = 50_000) -> Iterator[list[tuple]]:
    """The rows of a large result, ``size`` at a time (never all of them in memory)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while rows := cursor.fetchmany(size):
            yield rows


@contextmanager
def scratch_table(select: str, params: Sequence = (), *, indexed: bool = True) -> Iterator[str]:
    """A temporary table holding the rows of ``select``, indexed on ``contact_id``; its name.

    ``CREATE TABLE ... AS`` (not ``INSERT ... SELECT``): PostgreSQL runs its query with
    parallel workers, which it never does for an ``INSERT``."""
    name = f"evidence_{uuid.uuid4().hex[:12]}"
    execute(f"CREATE TEMPORARY TABLE {name} AS {select}", params)
    try:
        if indexed:
            execute(f"CREATE INDEX {name}_contact ON {name} (contact_id)")
            analyze(name)
        yield name
    finally:
        execute(f"DROP TABLE IF EXISTS {name}")


def analyze(table: str) -> None:
    """The planner's statistics of a scratch table (PostgreSQL does not gather them for
    temporary tables by itself)."""
    if is_postgres():
        execute(f"ANALYZE {table}")


# What an analysis's statements run with on PostgreSQL (None: ``EVIDENCE_WORK_MEM``). No
# JIT: compiling the long expressions of a replay took seconds and saved none.
SESSION = {"work_mem": None, "jit": "off"}


@contextmanager
def more_memory() -> Iterator[None]:
    """More memory for sorts and hashes on PostgreSQL (``EVIDENCE_WORK_MEM``) while the block
    runs: a replay sorts every scored event once. A session setting, not a transaction's: an
    analysis runs as several statements in autocommit, so that the progress it writes
    between them is seen by whoever polls it."""
    if not is_postgres():
        yield
        return
    for name, value in SESSION.items():
        execute("SELECT set_config(%s, %s, false)", [name, value or settings.EVIDENCE_WORK_MEM])
    try:
        yield
    finally:
        # After an error inside a transaction the reset cannot run; the settings go with
        # the rollback then (SET is transactional in PostgreSQL).
        with suppress(DatabaseError):
            for name in SESSION:
                execute(f"RESET {name}")
