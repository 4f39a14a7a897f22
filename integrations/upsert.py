"""
Creating and updating many contacts at once, keyed on the e-mail (case-insensitively).

PostgreSQL: the rows are COPYed into a temporary table, then one ``INSERT ... SELECT ... ON
CONFLICT ((lower(email))) DO UPDATE ... RETURNING`` applies the duplicate policy and tells
which rows were created and which changed (a concurrent API call creating the same e-mail is
just one more conflict). SQLite (``make run``): one SELECT of the known e-mails, one bulk
INSERT and one bulk UPDATE; SQLite runs one writer at a time, so nothing slips in between.

Known contacts get profile fields and ``attributes`` only: their campaign is their first
touch, which a later import is not. Stage, owner, scores and deadlines belong to the
lifecycle and scoring services.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import StringIO

from django.db import connection
from django.db.models.functions import Lower

from leads import matching
from leads.models import Contact
from leads.stages import Stage

from .mapping import CleanRow, ImportField
from .models import OnDuplicate

# The columns an import writes (besides the e-mail), by kind. A kind says what "blank" means
# and how two values combine when one of them should win: see ``_prefer_sql``/``_prefer``.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("first_name", "text"),
    ("last_name", "text"),
    ("phone", "text"),
    ("company", "text"),
    ("job_title", "text"),
    ("industry", "text"),
    ("country", "text"),
    ("company_size", "int"),
    ("attributes", "json"),
)


@dataclass
class UpsertResult:
    """Ids of the contacts a batch created and of those whose fields it changed."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)


def upsert_contacts(
    rows: Sequence[CleanRow],
    *,
    policy: OnDuplicate,
    campaign_id: int | None,
    now: datetime,
) -> UpsertResult:
    """Apply ``rows`` in file order: a later row with the same e-mail meets the contact an
    earlier one created or changed, exactly as if it came in a later file."""
    result = UpsertResult()
    apply = _upsert_postgresql if connection.vendor == "postgresql" else _upsert_orm
    for batch in _rounds(rows):
        part = apply(batch, policy=policy, campaign_id=campaign_id, now=now)
        result.created += part.created
        result.updated += part.updated
    # Both paths write around Contact.save: the keys duplicate detection compares follow.
    matching.keys_rederive(Contact.objects.filter(pk__in=result.created + result.updated))
    return result


def _rounds(rows: Sequence[CleanRow]) -> list[list[CleanRow]]:
    """Split rows so that no e-mail appears twice in a round (one statement cannot touch a
    row twice); the n-th occurrence of an e-mail goes to round n."""
    seen: dict[str, int] = {}
    rounds: list[list[CleanRow]] = []
    for row in rows:
        n = seen.get(row.key, 0)
        seen[row.key] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(row)
    return rounds


def _ordered(policy: OnDuplicate, existing, new):
    """Which value wins: the contact's (fill blanks) or the file's (overwrite)."""
    return (existing, new) if policy == OnDuplicate.UPDATE_BLANKS else (new, existing)


# --- PostgreSQL ---------------------------------------------------------------------------

_STAGING = "integrations_import_rows"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SQL_TYPES = {"text": "text", "int": "integer", "json": "jsonb"}
_BLANK_SQL = {"text": "''", "json": "'{}'::jsonb"}


def _prefer_sql(kind: str, first: str, second: str) -> str:
    """SQL for "``first`` unless it is blank, else ``second``" (JSON: keys merged, first's win)."""
    if kind == "text":
        return f"COALESCE(NULLIF({first}, ''), {second})"
    if kind == "int":
        return f"COALESCE({first}, {second})"
    return f"({second} || {first})"


def _copy_cell(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_COPY_ESCAPES)


def _upsert_sql(policy: OnDuplicate) -> str:
    names = ", ".join(name for name, _ in COLUMNS)
    inserted = ", ".join(
        f"r.{name}" if kind == "int" else f"COALESCE(r.{name}, {_BLANK_SQL[kind]})"
        for name, kind in COLUMNS
    )
    head = f"""
        INSERT INTO leads_contact AS c (
            email, {names}, campaign_id, stage, stage_changed_at,
            score, fit_score, engagement_score, currency, created_at, first_seen_at, updated_at
        )
        SELECT
            r.email, {inserted}, CAST(%(campaign)s AS bigint), %(stage)s, %(now)s,
            0, 0, 0, '', %(now)s, %(now)s, %(now)s
        FROM {_STAGING} r
        ON CONFLICT ((lower(email)))"""
    if policy == OnDuplicate.SKIP:
        return f"{head} DO NOTHING RETURNING c.id, true"
    merged = [
        (name, _prefer_sql(kind, *_ordered(policy, f"c.{name}", f"EXCLUDED.{name}")))
        for name, kind in COLUMNS
    ]
    assignments = ", ".join(f"{name} = {expr}" for name, expr in merged)
    return f"""{head} DO UPDATE SET {assignments}, updated_at = EXCLUDED.updated_at
        WHERE ({", ".join(f"c.{name}" for name, _ in merged)})
            IS DISTINCT FROM ({", ".join(expr for _, expr in merged)})
        RETURNING c.id, (c.xmax = 0)"""


def _upsert_postgresql(
    rows: list[CleanRow], *, policy: OnDuplicate, campaign_id: int | None, now: datetime
) -> UpsertResult:
    columns = ["email", *(name for name, _ in COLUMNS)]
    buffer = StringIO()
    # In e-mail order: two imports touching the same e-mails lock them in the same order,
    # so they wait for each other instead of deadlocking.
    for row in sorted(rows, key=lambda row: row.key):
        values = [row.values.get(name) for name in columns[:-1]]
        values.append(row.attributes or None)
        buffer.write("\t".join(map(_copy_cell, values)) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        definition = ", ".join(f"{name} {_SQL_TYPES[kind]}" for name, kind in COLUMNS)
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGING} (email text, {definition}) "
            "ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {_STAGING}")
        cursor.cursor.copy_expert(
            f"COPY {_STAGING} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buffer
        )
        cursor.execute(
            _upsert_sql(policy), {"campaign": campaign_id, "stage": Stage.CONTACT, "now": now}
        )
        result = UpsertResult()
        for contact_id, created in cursor.fetchall():
            (result.created if created else result.updated).append(contact_id)
    return result


# --- SQLite and any other database --------------------------------------------------------


def _prefer(kind: str, first, second):
    """Python twin of ``_prefer_sql``."""
    if kind == "json":
        return {**(second or {}), **(first or {})}
    if kind == "text":
        return first or second or ""
    return first if first is not None else second


def _row_value(row: CleanRow, name: str):
    return row.attributes if name == "attributes" else row.values.get(name)


def _merge(contact: Contact, row: CleanRow, policy: OnDuplicate) -> bool:
    """Apply the policy to a known contact in memory; whether anything changed."""
    changed = False
    for name, kind in COLUMNS:
        current = getattr(contact, name)
        if name == "country":
            current = current.code or ""
        value = _prefer(kind, *_ordered(policy, current, _row_value(row, name)))
        if value != current:
            setattr(contact, name, value)
            changed = True
    return changed


def _upsert_orm(
    rows: list[CleanRow], *, policy: OnDuplicate, campaign_id: int | None, now: datetime
) -> UpsertResult:
    known: dict[str, Contact] = {
        contact.key: contact  # type: ignore[attr-defined]  # the annotation
        for contact in Contact.objects.annotate(key=Lower("email")).filter(
            key__in=[row.key for row in rows]
        )
    }
    new = [
        Contact(
            email=str(row.values[ImportField.EMAIL]),
            **{name: _prefer(kind, _row_value(row, name), None) for name, kind in COLUMNS},
            campaign_id=campaign_id,
            stage_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        for row in rows
        if row.key not in known
    ]
    Contact.objects.bulk_create(new)
    result = UpsertResult(created=[contact.pk for contact in new])
    if policy == OnDuplicate.SKIP:
        return result
    changed = [
        known[row.key] for row in rows if row.key in known and _merge(known[row.key], row, policy)
    ]
    for contact in changed:
        contact.updated_at = now
    fields = [name for name, _ in COLUMNS] + ["updated_at"]
    Contact.objects.bulk_update(changed, fields, batch_size=500)
    result.updated = [contact.pk for contact in changed]
    return result
