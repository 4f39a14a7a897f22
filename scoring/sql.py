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
from typing import Any, cast

from django.db import connection
from django.db.models import F, FloatField, IntegerField, Q, Value
from django.db.models.fields import DateTimeField, Field

from leads.models import Contact
from leads.stages import MOVES, Move, Stage

from .conditions import profile_queryset, property_queryset
from .models import Activity, Dimension, Rule, RuleSet, ScoreCause, ScoreChange, ScoringSettings

RULE_SCORES = "scoring_contactrulescore"
CONTACT_SCORES = "scoring_contactscore"
CONTACTS = Contact._meta.db_table
RULES = Rule._meta.db_table
RULE_SETS = RuleSet._meta.db_table
SCORE_CHANGES = ScoreChange._meta.db_table


def whole(x: float) -> int:
    """Round half up, as ``FLOOR(x + 0.5)`` does in SQL."""
    return math.floor(x + 0.5)


# Past this many half-lives a point is worth nothing. 0.5 ** 1000 (about 1e-301) is still a
# double; some 75 halvings more and PostgreSQL's POWER fails with "value out of range:
# underflow" (an event of 0001-01-01 at a one-day half-life once broke every recompute).
MAX_HALVINGS = 1000


def decay_factor(age_seconds: float, half_life_seconds: float | None) -> float:
    """What one point is worth after ``age_seconds`` (an event from the future counts fully;
    one older than ``MAX_HALVINGS`` half-lives, nothing)."""
    if not half_life_seconds:
        return 1.0
    halvings = max(0.0, age_seconds) / half_life_seconds
    return 0.0 if halvings > MAX_HALVINGS else 0.5**halvings


def decay_sql(halvings: str) -> str:
    """``decay_factor`` in SQL, of an expression giving the age in half-lives: never an
    underflow or an overflow, whatever the stored date and the half-life."""
    return (
        f"(CASE WHEN {halvings} <= 0 THEN 1.0 WHEN {halvings} > {MAX_HALVINGS} THEN 0.0 "
        f"ELSE POWER(0.5, {halvings}) END)"
    )


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

    def sql(self, column: str) -> tuple[str, list[Any]]:
        if self.ids is None:
            return f"{column} >= %s AND {column} < %s", [self.lo, self.hi]
        if not self.ids:
            return "1 = 0", []
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", list(self.ids)

    def q(self, field: str = "pk") -> Q:
        if self.ids is None:
            return Q(**{f"{field}__gte": self.lo, f"{field}__lt": self.hi})
        return Q(**{f"{field}__in": self.ids})


def db_time(now: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(now)


def _age_seconds(column: str) -> str:
    """SQL for the seconds from ``column`` to the ``%s`` parameter that follows."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM (%s - {column})) AS DOUBLE PRECISION)"
    return f"((julianday(%s) - julianday({column})) * 86400.0)"


def age_factor(column: str, now: datetime, half_life: float | None) -> tuple[str, list[Any]]:
    """SQL for ``decay_factor`` of the time in ``column``, and its parameters."""
    if not half_life:
        return "1.0", []
    return decay_sql(f"({_age_seconds(column)} / %s)"), [db_time(now), half_life] * 3


def lock_contacts(scope: Scope) -> list[int]:
    """Lock the scope's contacts in id order (as ``contacts_move_bulk`` does): two writers
    of the same contacts then wait for each other instead of deadlocking."""
    return list(
        Contact.objects.select_for_update()
        .filter(scope.q())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def delete_unpublished_rule_scores(scope: Scope) -> None:
    """Drop the counters of rules no longer in the published version (a release replaced
    them) nor in shadow: they count for nobody, and their rule could not be deleted while
    they exist."""
    where, params = scope.sql("contact_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {RULE_SCORES} WHERE {where} AND rule_id IN ("
            f"SELECT r.id FROM {RULES} r JOIN {RULE_SETS} v ON v.id = r.ruleset_id "
            "WHERE v.state NOT IN ('published', 'shadow'))",
            params,
        )


def delete_rule_scores(scope: Scope, rule_ids: Sequence[int]) -> None:
    if not rule_ids:
        return
    where, params = scope.sql("contact_id")
    rules = ", ".join(["%s"] * len(rule_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {RULE_SCORES} WHERE {where} AND rule_id IN ({rules})",
            [*params, *rule_ids],
        )


def _profile_select(rule: Rule, scope: Scope, now: datetime) -> tuple[str, list[Any]]:
    contacts = Contact.objects.filter(scope.q()).order_by()
    query = (
        profile_queryset(rule, contacts)
        .annotate(
            contact_id=F("pk"),
            counter_rule=Value(rule.pk, IntegerField()),
            times=Value(1, IntegerField()),
            value=Value(1.0, FloatField()),
            as_of=Value(now, DateTimeField()),
        )
        .values_list("contact_id", "counter_rule", "times", "value", "as_of")
    )
    sql, params = query.query.sql_with_params()
    return sql, list(params)


def _event_select(
    rule: Rule, scope: Scope, now: datetime, half_life: float | None
) -> tuple[str, list[Any]]:
    """One event rule's counters: matching events per contact, at most ``max_times`` of them
    in the order received (by id), and their count decayed by their age."""
    activities = Activity.objects.filter(scope.q("contact_id"), type=rule.event_type).order_by()
    inner, inner_params = (
        property_queryset(rule, activities)
        .values_list("id", "contact_id", "occurred_at")
        .query.sql_with_params()
    )
    factor, factor_params = age_factor("occurred_at", now, half_life if rule.decays else None)
    source, source_params = f"({inner}) AS m", list(inner_params)
    if rule.max_times is not None:
        source = (
            "(SELECT contact_id, occurred_at, "
            f"ROW_NUMBER() OVER (PARTITION BY contact_id ORDER BY id) AS n FROM {source}) AS w "
            "WHERE n <= %s"
        )
        source_params.append(rule.max_times)
    sql = (
        f"SELECT contact_id, %s AS counter_rule, COUNT(*) AS times, SUM({factor}) AS value, "
        f"%s AS as_of FROM {source} GROUP BY contact_id"
    )
    return sql, [rule.pk, *factor_params, db_time(now), *source_params]


def insert_rule_scores(
    scope: Scope, rules: Sequence[Rule], now: datetime, half_life: float | None
) -> None:
    """Build the scope's counters of ``rules`` from the contacts and their activities, in
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
            f"INSERT INTO {RULE_SCORES} (contact_id, rule_id, times, value, as_of) {sql}", params
        )


def ensure_contact_scores(scope: Scope, now: datetime) -> None:
    """A score parts row (zeros) for every contact of the scope that has none."""
    where, params = scope.sql("c.id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CONTACT_SCORES} (contact_id, profile_fit, profile_engagement, "
            "event_fit, event_engagement, as_of, mql, hot) "
            f"SELECT c.id, 0, 0, 0, 0, %s, FALSE, FALSE FROM {CONTACTS} c WHERE {where} "
            f"AND NOT EXISTS (SELECT 1 FROM {CONTACT_SCORES} s WHERE s.contact_id = c.id)",
            [db_time(now), *params],
        )


def part_sum(kind: str, dimension: Dimension, amount: str) -> str:
    test = "=" if kind == "profile" else "<>"
    return (
        f"COALESCE(SUM(CASE WHEN r.event_type {test} '' AND r.dimension = '{dimension}' "
        f"THEN {amount} ELSE 0 END), 0)"
    )


def part_sums(
    counters: str, now: datetime, half_life: float | None
) -> dict[str, tuple[str, list[Any]]]:
    """SQL for the four score parts summed over the counter rows ``counters`` of the
    rules ``r`` (points times the count; decayed engagement aged to ``now``), with their
    parameters."""
    aged, params = age_factor(f"{counters}.as_of", now, half_life)
    times, value = f"r.points * {counters}.times", f"r.points * {counters}.value * {aged}"
    return {
        "profile_fit": (part_sum("profile", Dimension.FIT, times), []),
        "profile_engagement": (part_sum("profile", Dimension.ENGAGEMENT, times), []),
        "event_fit": (part_sum("event", Dimension.FIT, times), []),
        "event_engagement": (part_sum("event", Dimension.ENGAGEMENT, value), params),
    }


def sum_contact_scores(
    scope: Scope, now: datetime, half_life: float | None, *, profile_only: bool
) -> None:
    """Sum each contact's counters of active rules, times the rules' current points, into
    its score parts (only the profile parts with ``profile_only``). Rows that come out the
    same are not rewritten; engagement from events is summed as of ``now``."""
    aged_stored, stored_params = age_factor(f"{CONTACT_SCORES}.as_of", now, half_life)
    where, params = scope.sql("p.contact_id")
    join_where, join_params = scope.sql("s.contact_id")
    columns = part_sums("s", now, half_life)
    if profile_only:
        columns = {k: v for k, v in columns.items() if k.startswith("profile")}
    changed = [
        f"{CONTACT_SCORES}.{name} <> a.{name}" for name in columns if name != "event_engagement"
    ]
    changed_params: list[Any] = []
    assignments = [f"{name} = a.{name}" for name in columns]
    if not profile_only:
        changed.append(
            f"ABS({CONTACT_SCORES}.event_engagement * {aged_stored} - a.event_engagement) > 1e-6"
        )
        changed_params = stored_params
        assignments.append("as_of = %s")
    select = ", ".join(f"{expression} AS {name}" for name, (expression, _) in columns.items())
    sql = f"""
        UPDATE {CONTACT_SCORES} SET {", ".join(assignments)}
        FROM (SELECT p.contact_id AS id, {select}
              FROM {CONTACT_SCORES} p
              LEFT JOIN {RULE_SCORES} s ON s.contact_id = p.contact_id AND {join_where}
              LEFT JOIN {RULES} r ON r.id = s.rule_id AND r.active AND r.ruleset_id = (
                  SELECT id FROM {RULE_SETS} WHERE state = 'published')
              WHERE {where}
              GROUP BY p.contact_id) AS a
        WHERE {CONTACT_SCORES}.contact_id = a.id AND ({" OR ".join(changed)})
    """
    select_params = [p for _, column_params in columns.values() for p in column_params]
    set_params = [] if profile_only else [db_time(now)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*set_params, *select_params, *join_params, *params, *changed_params])


def update_contact_figures(scope: Scope, *, cause: ScoreCause, now: datetime) -> None:
    """Copy the rounded parts to ``Contact.score/fit_score/engagement_score`` where they
    differ (an unchanged row is not rewritten), and write each change in the score ledger
    (``ScoreChange``) first: the one place the figures change, so the ledger misses none."""
    where, params = scope.sql("contact_id")
    figures = f"""
        SELECT contact_id, profile_fit + event_fit AS fit,
               CAST(FLOOR(profile_engagement + event_engagement + 0.5) AS INTEGER) AS eng
        FROM {CONTACT_SCORES} WHERE {where}
    """
    ledger = f"""
        INSERT INTO {SCORE_CHANGES}
            (contact_id, at, fit_delta, engagement_delta, cause, ruleset_id)
        SELECT c.id, %s, f.fit - c.fit_score, f.eng - c.engagement_score, %s,
               (SELECT id FROM {RULE_SETS} WHERE state = 'published')
        FROM ({figures}) AS f JOIN {CONTACTS} c ON c.id = f.contact_id
        WHERE c.fit_score <> f.fit OR c.engagement_score <> f.eng
    """
    update = f"""
        UPDATE {CONTACTS} SET fit_score = f.fit, engagement_score = f.eng, score = f.fit + f.eng
        FROM ({figures}) AS f
        WHERE {CONTACTS}.id = f.contact_id
          AND ({CONTACTS}.fit_score <> f.fit OR {CONTACTS}.engagement_score <> f.eng
               OR {CONTACTS}.score <> f.fit + f.eng)
    """
    with connection.cursor() as cursor:
        cursor.execute(ledger, [db_time(now), cause.value, *params])
        cursor.execute(update, params)


@dataclass(frozen=True)
class RuleEffect:
    """What saving a rule would do: scores raised and lowered, and the contacts that the
    recompute after the save would make MQL."""

    raised: int
    lowered: int
    to_mql: int


def _counter_points(
    rule: Rule, counters: str, now: datetime, half_life: float | None
) -> tuple[Any, ...]:
    """SQL for the fit and engagement points of ``rule`` on each row of ``counters`` (its
    counter rows, as ``insert_rule_scores`` builds them) as of ``now``, and the parameters."""
    fit = rule.points if rule.active and rule.dimension == Dimension.FIT else 0
    engagement = rule.points if rule.active and rule.dimension == Dimension.ENGAGEMENT else 0
    if not rule.is_event_rule:
        return f"%s * {counters}.times", [fit], f"%s * {counters}.times", [engagement]
    factor, params = age_factor(f"{counters}.as_of", now, half_life if rule.decays else None)
    return (
        f"%s * {counters}.times",
        [fit],
        f"%s * {counters}.value * {factor}",
        [engagement, *params],
    )


EVERYONE = Scope.range(0, 2**62)


def _points_of(
    rules: Sequence[Rule], now: datetime, half_life: float | None
) -> tuple[str, list[Any]]:
    """SQL for ``(id, fit, eng)`` rows: the points each rule gives each contact, its
    counters built as a recompute builds them, as of ``now``; and the parameters."""
    parts: list[str] = []
    params: list[Any] = []
    for rule in rules:
        if rule.is_event_rule:
            select, select_params = _event_select(rule, EVERYONE, now, half_life)
        else:
            select, select_params = _profile_select(rule, EVERYONE, now)
        fit, fit_params, eng, eng_params = _counter_points(rule, "n", now, half_life)
        parts.append(f"SELECT n.contact_id AS id, {fit} AS fit, {eng} AS eng FROM ({select}) n")
        params += [*fit_params, *eng_params, *select_params]
    return " UNION ALL ".join(parts), params


def version_new_mqls(version: RuleSet, now: datetime, half_life: float | None) -> list[int]:
    """The contacts that publishing ``version`` would make MQL, highest score first: its
    score passes the version's test and the contact is not over the live line yet, in a
    stage the recompute promotes from (the test of ``raise_levels``)."""
    rules = list(version.rules.filter(active=True).order_by("pk"))
    points, params = (
        _points_of(rules, now, half_life)
        if rules
        else ("SELECT 0 AS id, 0 AS fit, 0.0 AS eng", [])
    )
    mql, mql_params = version.mql_criterion.sql(
        score="c.score", fit="c.fit_score", engagement="c.engagement_score"
    )
    sources = sorted(MOVES[Move.MARK_MQL].sources - {Stage.RECYCLED})
    statement = f"""
        SELECT c.id FROM (
            SELECT f.*, f.fit_score + f.engagement_score AS score
            FROM (SELECT b.id, b.stage, CAST(COALESCE(d.fit, 0) AS INTEGER) AS fit_score,
                         CAST(FLOOR(COALESCE(d.eng, 0) + 0.5) AS INTEGER) AS engagement_score
                  FROM {CONTACTS} b
                  LEFT JOIN (SELECT id, SUM(fit) AS fit, SUM(eng) AS eng
                             FROM ({points}) AS p GROUP BY id) AS d ON d.id = b.id
                  WHERE b.erased_at IS NULL) AS f) AS c
        LEFT JOIN {CONTACT_SCORES} s ON s.contact_id = c.id
        WHERE {mql} AND c.stage IN ({", ".join(["%s"] * len(sources))})
          AND NOT COALESCE(s.mql, FALSE)
        ORDER BY c.score DESC, c.id
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *mql_params, *sources])
        return [row[0] for row in cursor.fetchall()]


def rule_change_effect(
    candidate: Rule, replaced: Rule | None, settings: ScoringSettings, now: datetime
) -> RuleEffect:
    """Count what saving ``candidate`` in place of ``replaced`` (``None``: a new rule) would
    do, in one statement from the stored scores: per contact, the candidate's counters built
    as a recompute builds them, less the replaced rule's stored counters, both in points as
    of ``now``; then, with those figures, the contacts the recompute would promote (the
    test of ``raise_levels``: not yet marked, in a stage the move to MQL starts from)."""
    half_life = settings.half_life_seconds
    new_sql, new_params = _points_of([candidate], now, half_life)
    parts = [new_sql]
    params = new_params
    if replaced is not None:
        old_fit, old_fit_p, old_eng, old_eng_p = _counter_points(replaced, "o", now, half_life)
        parts.append(
            f"SELECT o.contact_id, -({old_fit}), -({old_eng}) FROM {RULE_SCORES} o "
            "WHERE o.rule_id = %s"
        )
        params += [*old_fit_p, *old_eng_p, replaced.pk]
    mql, mql_params, _, _ = _levels(settings)
    sources = sorted(MOVES[Move.MARK_MQL].sources - {Stage.RECYCLED})
    sql = f"""
        SELECT COALESCE(SUM(CASE WHEN c.score > c.before THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN c.score < c.before THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN {mql} AND c.stage IN ({", ".join(["%s"] * len(sources))})
                                      AND NOT COALESCE(s.mql, FALSE) THEN 1 ELSE 0 END), 0)
        FROM (SELECT f.*, f.fit_score + f.engagement_score AS score
              FROM (SELECT b.id, b.stage, b.score AS before,
                           b.fit_score + CAST(COALESCE(d.fit, 0) AS INTEGER) AS fit_score,
                           CAST(FLOOR(b.engagement_score + COALESCE(d.eng, 0) + 0.5) AS INTEGER)
                             AS engagement_score
                    FROM {CONTACTS} b
                    LEFT JOIN (SELECT id, SUM(fit) AS fit, SUM(eng) AS eng
                               FROM ({" UNION ALL ".join(parts)}) AS p GROUP BY id) AS d
                           ON d.id = b.id
                    WHERE b.erased_at IS NULL) AS f) AS c
        LEFT JOIN {CONTACT_SCORES} s ON s.contact_id = c.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*mql_params, *sources, *params])
        raised, lowered, to_mql = cursor.fetchone()
    return RuleEffect(raised=raised, lowered=lowered, to_mql=to_mql)


def _levels(settings: ScoringSettings) -> tuple[str, list[Any], str, list[Any]]:
    """The MQL criterion and ``is_hot`` in SQL over ``c`` (the contact)."""
    mql, params = settings.mql_criterion.sql(
        score="c.score", fit="c.fit_score", engagement="c.engagement_score"
    )
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


def _marks(
    settings: ScoringSettings, flags: str, *, may_raise: bool
) -> tuple[str, list[Any], str, list[Any]]:
    """SQL for the new ``mql`` and ``hot`` marks of contact ``c``, whose current marks are
    in the table (or alias) ``flags``: the figures' verdict, or with ``may_raise=False``
    only ever lowered."""
    mql, mql_params, hot, hot_params = _levels(settings)
    if not may_raise:
        return f"({flags}.mql AND {mql})", mql_params, f"({flags}.hot AND {hot})", hot_params
    # A recycled contact goes back to sales after a new engagement (an event), never after a
    # recompute or a profile edit: its mark is only lowered here, so that event crosses.
    mql = f"({mql} AND ({flags}.mql OR c.stage <> %s))"
    return mql, [*mql_params, Stage.RECYCLED], hot, hot_params


def raise_levels(scope: Scope, settings: ScoringSettings, now: datetime) -> list[Crossing]:
    """Set the ``mql``/``hot`` marks to what the figures say; return the new crossings."""
    mql, mql_params, hot, hot_params = _marks(settings, "s", may_raise=True)
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
    _set_marks(scope, settings, may_raise=True)
    crossings = []
    for contact_id, score, to_mql, to_hot in rows:
        for level, reached in (("mql", to_mql), ("hot", to_hot)):
            if reached:
                crossings.append(Crossing(contact_id, level, score, now))
    return crossings


def lower_levels(scope: Scope, settings: ScoringSettings) -> None:
    """Clear the marks of contacts no longer above a level (decay never raises them)."""
    _set_marks(scope, settings, may_raise=False)


def _set_marks(scope: Scope, settings: ScoringSettings, *, may_raise: bool) -> None:
    mql, mql_params, hot, hot_params = _marks(settings, CONTACT_SCORES, may_raise=may_raise)
    where, params = scope.sql(f"{CONTACT_SCORES}.contact_id")
    sql = f"""
        UPDATE {CONTACT_SCORES} SET mql = {mql}, hot = {hot}
        FROM {CONTACTS} c
        WHERE c.id = {CONTACT_SCORES}.contact_id AND {where}
          AND ({CONTACT_SCORES}.mql <> {mql} OR {CONTACT_SCORES}.hot <> {hot})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*mql_params, *hot_params, *params, *mql_params, *hot_params])


def _aged(now: datetime, half_life: float) -> tuple[str, list[Any]]:
    factor, params = age_factor("as_of", now, half_life)
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
        cursor.execute(sql, [*params, NEGLIGIBLE, *params, db_time(now), *scope_params])


def insert_activities(
    rows: Sequence[tuple[Any, ...]], received_at: datetime
) -> list[tuple[int, str]]:
    """Insert ``(key, contact_id, type, occurred_at, campaign_id, properties)`` rows; a key
    that exists (or is being inserted by a concurrent batch) is skipped by the unique
    constraint. Returns ``(id, key)`` of the rows really inserted."""
    if not rows:
        return []
    names = ("key", "contact", "type", "occurred_at", "campaign", "properties", "received_at")
    fields = [cast(Field[Any, Any], Activity._meta.get_field(name)) for name in names]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(cast(str, field.column)) for field in fields)
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
        return [(row[0], row[1]) for row in cursor.fetchall()]
