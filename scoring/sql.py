"""
The set-based statements behind scoring: each touches every contact of a ``Scope`` at once.

They run on PostgreSQL and on SQLite (3.35+: ``UPDATE ... FROM``, ``ON CONFLICT``,
``RETURNING``, window functions); only the age of a timestamp in seconds differs. The callers
(``scoring.services``) lock the contacts first, in id order, like every other writer.

Rounding is ``FLOOR(x + 0.5)`` here and ``math.floor(x + 0.5)`` in Python (``whole``): the
two must agree to the unit, and SQL's ``ROUND`` breaks ties differently per database.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import FloatField, IntegerField, Q, Value
from django.db.models.fields import DateTimeField

from leads.models import Contact

from .conditions import profile_queryset, property_queryset
from .models import Activity, Dimension, Rule, ScoringSettings

RULE_SCORES = "scoring_contactrulescore"
CONTACT_SCORES = "scoring_contactscore"
CONTACTS = Contact._meta.db_table
RULES = Rule._meta.db_table


def whole(x: float) -> int:
    """Round half up, as ``FLOOR(x + 0.5)`` does in SQL."""
    return math.floor(x + 0.5)


def decay_factor(age_seconds: float, half_life_seconds: float | None) -> float:
    """What one point is worth after ``age_seconds`` (an event from the future counts fully)."""
    if not half_life_seconds:
        return 1.0
    return 0.5 ** (max(0.0, age_seconds) / half_life_seconds)


@dataclass(frozen=True)
class Scope:
    """The contacts a statement touches: a list of ids, or the id range ``[lo, hi)``."""

    ids: tuple[int, ...] | None = None
    lo: int = 0
    hi: int = 0

    @classmethod
    def of(cls, ids: Iterable[int]) -> "Scope":
        return cls(ids=tuple(sorted(set(ids))))

    @classmethod
    def range(cls, lo: int, hi: int) -> "Scope":
        return cls(lo=lo, hi=hi)

    def sql(self, column: str) -> tuple[str, list]:
        if self.ids is None:
            return f"{column} >= %s AND {column} < %s", [self.lo, self.hi]
        if not self.ids:
            return "1 = 0", []
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", list(self.ids)

    def q(self, field: str = "pk") -> Q:
        if self.ids is None:
            return Q(**{f"{field}__gte": self.lo, f"{field}__lt": self.hi})
        return Q(**{f"{field}__in": self.ids})


def _now(now: datetime):
    return connection.ops.adapt_datetimefield_value(now)


def _age_seconds(column: str) -> str:
    """SQL for the seconds from ``column`` to the ``%s`` parameter that follows."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM (%s - {column})) AS DOUBLE PRECISION)"
    return f"((julianday(%s) - julianday({column})) * 86400.0)"


def _factor(column: str, now: datetime, half_life: float | None) -> tuple[str, list]:
    """SQL for ``decay_factor`` of the time in ``column``, and its parameters."""
    if not half_life:
        return "1.0", []
    clamp = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    return f"POWER(0.5, {clamp}({_age_seconds(column)}, 0) / %s)", [_now(now), half_life]


def lock_contacts(scope: Scope) -> list[int]:
    """Lock the scope's contacts in id order (as ``contacts_move_bulk`` does): two writers
    of the same contacts then wait for each other instead of deadlocking."""
    return list(
        Contact.objects.select_for_update()
        .filter(scope.q())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def delete_rule_scores(scope: Scope, *, profile_only: bool) -> None:
    where, params = scope.sql("contact_id")
    if profile_only:
        where += f" AND rule_id IN (SELECT id FROM {RULES} WHERE event_type = '')"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RULE_SCORES} WHERE {where}", params)


def _profile_select(rule: Rule, scope: Scope, now: datetime) -> tuple[str, list]:
    contacts = Contact.objects.filter(scope.q()).order_by()
    query = profile_queryset(rule, contacts).values_list(
        "pk",
        Value(rule.pk, IntegerField()),
        Value(1, IntegerField()),
        Value(rule.points, IntegerField()),
        Value(float(rule.points), FloatField()),
        Value(now, DateTimeField()),
    )
    return query.query.sql_with_params()


def _event_select(
    rule: Rule, scope: Scope, now: datetime, half_life: float | None
) -> tuple[str, list]:
    """One event rule's counters: matching events per contact, at most ``max_times`` of them
    in the order received (by id), with their points decayed by their age."""
    activities = Activity.objects.filter(scope.q("contact_id"), type=rule.event_type).order_by()
    inner, inner_params = (
        property_queryset(rule, activities)
        .values_list("id", "contact_id", "occurred_at")
        .query.sql_with_params()
    )
    factor, factor_params = _factor("occurred_at", now, half_life if rule.decays else None)
    source, source_params = f"({inner}) AS m", list(inner_params)
    if rule.max_times is not None:
        source = (
            "(SELECT contact_id, occurred_at, "
            f"ROW_NUMBER() OVER (PARTITION BY contact_id ORDER BY id) AS n FROM {source}) AS w "
            "WHERE n <= %s"
        )
        source_params.append(rule.max_times)
    sql = (
        f"SELECT contact_id, %s, COUNT(*), COUNT(*) * %s, SUM(%s * {factor}), %s "
        f"FROM {source} GROUP BY contact_id"
    )
    params = [rule.pk, rule.points, float(rule.points), *factor_params, _now(now)]
    return sql, params + source_params


def insert_rule_scores(
    scope: Scope, rules: Sequence[Rule], now: datetime, half_life: float | None
) -> None:
    """Rebuild the scope's counters for ``rules`` from the contacts and their activities, in
    one ``INSERT ... SELECT`` (one ``UNION ALL`` branch per rule)."""
    parts = [
        _event_select(rule, scope, now, half_life)
        if rule.is_event_rule
        else _profile_select(rule, scope, now)
        for rule in rules
    ]
    if not parts:
        return
    sql = " UNION ALL ".join(part for part, _ in parts)
    params = [p for _, part_params in parts for p in part_params]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RULE_SCORES} (contact_id, rule_id, times, points, value, as_of) {sql}",
            params,
        )


def _sum(kind: str, dimension: Dimension, column: str) -> str:
    test = "=" if kind == "profile" else "<>"
    return (
        f"COALESCE(SUM(CASE WHEN r.event_type {test} '' AND r.dimension = '{dimension}' "
        f"THEN s.{column} ELSE 0 END), 0)"
    )


def upsert_contact_scores(scope: Scope, now: datetime, *, profile_only: bool) -> int:
    """Sum the counters into each contact's score parts (a row for every contact in scope).

    ``profile_only`` replaces the profile parts and leaves the event parts as they are.
    """
    where, params = scope.sql("c.id")
    updated = ["profile_fit", "profile_engagement"]
    if not profile_only:
        updated += ["event_fit", "event_engagement", "as_of"]
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in updated)
    sql = f"""
        INSERT INTO {CONTACT_SCORES} (contact_id, profile_fit, profile_engagement, event_fit,
                                      event_engagement, as_of, mql, hot)
        SELECT c.id, {_sum("profile", Dimension.FIT, "points")},
               {_sum("profile", Dimension.ENGAGEMENT, "points")},
               {_sum("event", Dimension.FIT, "points")},
               {_sum("event", Dimension.ENGAGEMENT, "value")}, %s, FALSE, FALSE
        FROM {CONTACTS} c
        LEFT JOIN {RULE_SCORES} s ON s.contact_id = c.id
        LEFT JOIN {RULES} r ON r.id = s.rule_id
        WHERE {where}
        GROUP BY c.id
        ON CONFLICT (contact_id) DO UPDATE SET {assignments}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_now(now), *params])
        return cursor.rowcount


def update_contact_figures(scope: Scope) -> None:
    """Copy the rounded parts to ``Contact.score/fit_score/engagement_score`` where they
    differ (an unchanged row is not rewritten)."""
    where, params = scope.sql("contact_id")
    sql = f"""
        UPDATE {CONTACTS} SET fit_score = f.fit, engagement_score = f.eng, score = f.fit + f.eng
        FROM (SELECT contact_id, profile_fit + event_fit AS fit,
                     CAST(FLOOR(profile_engagement + event_engagement + 0.5) AS INTEGER) AS eng
              FROM {CONTACT_SCORES} WHERE {where}) AS f
        WHERE {CONTACTS}.id = f.contact_id
          AND ({CONTACTS}.fit_score <> f.fit OR {CONTACTS}.engagement_score <> f.eng
               OR {CONTACTS}.score <> f.fit + f.eng)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _levels(settings: ScoringSettings) -> tuple[str, list, str, list]:
    """``ScoringSettings.is_mql`` and ``is_hot`` in SQL over ``c`` (the contact)."""
    tests, params = ["c.score >= %s"], [settings.mql_threshold]
    for column, minimum in (
        ("fit_score", settings.min_fit),
        ("engagement_score", settings.min_engagement),
    ):
        if minimum is not None:
            tests.append(f"c.{column} >= %s")
            params.append(minimum)
    mql = "(" + " AND ".join(tests) + ")"
    if settings.hot_threshold is None:
        return mql, params, "(1 = 0)", []
    return mql, params, "(c.score >= %s)", [settings.hot_threshold]


@dataclass(frozen=True)
class Crossing:
    """A contact whose score went over a level (``mql`` or ``hot``)."""

    contact_id: int
    level: str
    score: int
    at: datetime


def raise_levels(scope: Scope, settings: ScoringSettings, now: datetime) -> list[Crossing]:
    """Set the ``mql``/``hot`` marks to what the figures say; return the new crossings."""
    mql, mql_params, hot, hot_params = _levels(settings)
    where, params = scope.sql("s.contact_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM (SELECT c.id, c.score, (NOT s.mql AND {mql}) AS to_mql, "
            f"(NOT s.hot AND {hot}) AS to_hot FROM {CONTACT_SCORES} s "
            f"JOIN {CONTACTS} c ON c.id = s.contact_id WHERE {where}) AS t "
            "WHERE to_mql OR to_hot",
            [*mql_params, *hot_params, *params],
        )
        rows = cursor.fetchall()
    _set_levels(scope, mql, mql_params, hot, hot_params, keep_only=False)
    crossings = []
    for contact_id, score, is_mql, is_hot in rows:
        for level, reached in (("mql", is_mql), ("hot", is_hot)):
            if reached:
                crossings.append(Crossing(contact_id, level, score, now))
    return crossings


def lower_levels(scope: Scope, settings: ScoringSettings) -> None:
    """Clear the marks of contacts no longer above a level (decay never raises them)."""
    mql, mql_params, hot, hot_params = _levels(settings)
    _set_levels(scope, mql, mql_params, hot, hot_params, keep_only=True)


def _set_levels(scope, mql, mql_params, hot, hot_params, *, keep_only: bool) -> None:
    where, params = scope.sql(f"{CONTACT_SCORES}.contact_id")
    new_mql = f"(mql AND {mql})" if keep_only else mql
    new_hot = f"(hot AND {hot})" if keep_only else hot
    sql = f"""
        UPDATE {CONTACT_SCORES} SET mql = {new_mql}, hot = {new_hot}
        FROM {CONTACTS} c
        WHERE c.id = {CONTACT_SCORES}.contact_id AND {where}
          AND (mql <> {new_mql} OR hot <> {new_hot})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*mql_params, *hot_params, *params, *mql_params, *hot_params])


def _aged(now: datetime, half_life: float) -> tuple[str, list]:
    factor, params = _factor("as_of", now, half_life)
    return f"(event_engagement * {factor})", params


# Below this, aged engagement is stored as 0: the row then leaves the decay's work list.
NEGLIGIBLE = 0.005


def contacts_to_age(now: datetime, half_life: float) -> list[int]:
    """Contacts whose rounded engagement changes when aged to ``now`` (or fades to nothing).

    Aging is path-independent (``x * f(a) * f(b) == x * f(a + b)``), so a row whose rounded
    figure would not move is left alone: no write, no lock, at no loss of precision.
    """
    aged, params = _aged(now, half_life)
    sql = f"""
        SELECT contact_id FROM {CONTACT_SCORES}
        WHERE event_engagement <> 0
          AND (FLOOR(profile_engagement + {aged} + 0.5)
                   <> FLOOR(profile_engagement + event_engagement + 0.5)
               OR ABS({aged}) < %s)
        ORDER BY contact_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *params, NEGLIGIBLE])
        return [row[0] for row in cursor.fetchall()]


def age_engagement(scope: Scope, now: datetime, half_life: float) -> None:
    aged, params = _aged(now, half_life)
    where, scope_params = scope.sql("contact_id")
    sql = f"""
        UPDATE {CONTACT_SCORES}
        SET event_engagement = CASE WHEN ABS({aged}) < %s THEN 0 ELSE {aged} END, as_of = %s
        WHERE {where}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, NEGLIGIBLE, *params, _now(now), *scope_params])


def insert_activities(rows: Sequence[tuple], received_at: datetime) -> list[tuple[int, str]]:
    """Insert ``(key, contact_id, type, occurred_at, campaign_id, properties)`` rows; a key
    that exists (or is being inserted by a concurrent batch) is skipped by the unique
    constraint. Returns ``(id, key)`` of the rows really inserted."""
    if not rows:
        return []
    names = ("key", "contact", "type", "occurred_at", "campaign", "properties", "received_at")
    fields = [Activity._meta.get_field(name) for name in names]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(field.column) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(value, connection)
        for row in rows
        for field, value in zip(fields, (*row, received_at), strict=True)
    ]
    sql = (
        f"INSERT INTO {Activity._meta.db_table} ({columns}) VALUES "
        f"{', '.join([row_sql] * len(rows))} "
        f"ON CONFLICT ({qn('key')}) DO NOTHING RETURNING {qn('id')}, {qn('key')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
