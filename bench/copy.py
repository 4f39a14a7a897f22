"""Bulk loading rows the fastest way the database offers: COPY on PostgreSQL, batched
INSERTs on SQLite. Values are Python objects; None is NULL."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import StringIO
from itertools import islice

from django.db import connection

CHUNK = 50_000


def _pg_text(value) -> str:
    """One value in COPY's text format. Generated data holds no tabs, newlines or backslashes."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Load ``rows`` into ``table``; returns how many were loaded."""
    rows = iter(rows)
    total = 0
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, CHUNK)):
            total += len(chunk)
            if connection.vendor == "postgresql":
                buffer = StringIO()
                buffer.writelines("\t".join(map(_pg_text, row)) + "\n" for row in chunk)
                buffer.seek(0)
                cursor.cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buffer
                )
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [tuple(map(_sqlite_value, row)) for row in chunk],
                )
    return total


def reset_sequence(table: str) -> None:
    """After loading explicit ids, make the next generated id follow the largest one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
