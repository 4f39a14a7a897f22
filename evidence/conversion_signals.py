"""
Signals that matter: for each thing a contact may show before sales take it, how often
those who showed it converted, against those who did not.

The signals, each counted set-based over a population table (``evidence.population``):

- ``event``: an event type, done at least once before the observation point;
- ``property``: an event type with one value of a property (``url`` = ``/pricing``), for the
  property keys of ``EVIDENCE_PROPERTY_KEYS``, the most common values of each;
- ``recency``: an event type last done in a given time before the observation point (how
  fast interest fades, which the decay's half-life is meant to follow);
- ``profile``: a profile value (job title, industry, country, ``attributes.<key>`` for the
  keys of ``EVIDENCE_ATTRIBUTE_KEYS``; the most common values), a company size from a step
  up, a phone number given;
- ``rule``: the condition of each current rule that none of the above already is, so the
  team sees the evidence for (or against) everything it scores today. A current rule whose
  condition is one of the signals above is named on that signal's row instead.

Every signal but recency is a rule's condition: it can be scored as it is, which is what
the suggested points do.
"""

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from leads.models import Contact
from reporting.periods import Period
from scoring.conditions import Operator, describe, profile_queryset, property_queryset
from scoring.models import Activity, Dimension, Rule

from . import sql
from .models import Target
from .population import Observation, population
from .stats import Comparison

PROFILE_FIELDS = ("job_title", "industry", "country")
COMPANY_SIZE_STEPS = (10, 50, 200, 1000)
# (up to this many days before the observation point, label); None: any time before.
RECENCY = (
    (7, _("in the 7 days before")),
    (30, _("8 to 30 days before")),
    (None, _("over 30 days before")),
)
EVERYONE = "1 = 1"
STEPS = 4


class Family(models.TextChoices):
    EVENT = "event", _("Event")
    PROPERTY = "property", _("Event property")
    RECENCY = "recency", _("Recency")
    PROFILE = "profile", _("Profile")
    RULE = "rule", _("Current rule")


@dataclass
class Counts:
    contacts: int = 0
    sql: int = 0
    client: int = 0

    def add(self, contacts: int, sql_: int | None, client: int | None) -> None:
        self.contacts += int(contacts)
        self.sql += int(sql_ or 0)
        self.client += int(client or 0)

    def reached(self, target: str) -> int:
        return getattr(self, target)


@dataclass
class Signal:
    key: str
    family: Family
    condition: dict[str, Any] | None  # a rule's fields: event_type, attribute, operator, value
    counts: Counts = field(default_factory=Counts)
    label: str = ""
    rules: list[Rule] = field(default_factory=list)  # current rules with this condition

    def rule(self, **fields: Any) -> Rule:
        """The signal as an unsaved one-point rule: behaviour scores engagement, a trait fit
        (a current rule with the condition gives its dimension and its cap)."""
        like = self.rules[0] if self.rules else None
        condition = self.condition or {}
        dimension = Dimension.ENGAGEMENT if condition.get("event_type") else Dimension.FIT
        defaults = {
            "name": self.label[:200],
            "dimension": like.dimension if like else dimension,
            "points": 1,
            "max_times": like.max_times if like else None,
        }
        return Rule(**(defaults | condition | fields))

    def __post_init__(self) -> None:
        if not self.label and self.condition is not None:
            self.label = describe(Rule(**self.condition))


def condition_key(condition: dict[str, Any]) -> str:
    return json.dumps(
        [condition.get(name) or "" for name in ("event_type", "attribute", "operator")]
        + [condition.get("value")],
        sort_keys=True,
    )


def event_condition(event_type: str, attribute: str = "", operator: str = "", value=None):
    return {"event_type": event_type, "attribute": attribute, "operator": operator, "value": value}


def profile_condition(attribute: str, operator: str, value: Any) -> dict[str, Any]:
    return event_condition("", attribute, operator, value)


# --- counting ------------------------------------------------------------------------------


def total(population_table: str, where: str = EVERYONE) -> Counts:
    counts = Counts()
    counts.add(
        *sql.fetch(
            f"SELECT COUNT(*), SUM(p.y_sql), SUM(p.y_client) FROM {population_table} p "
            f"WHERE {where}"
        )[0]
    )
    return counts


def condition_counts(rule: Rule, population_table: str, where: str = EVERYONE) -> Counts:
    """The contacts the rule's condition holds for (an event rule: one of its matches before
    the observation point), and how many of them converted."""
    if rule.is_event_rule:
        activities = Activity.objects.filter(type=rule.event_type).order_by()
        matches, params = (
            property_queryset(rule, activities).values("contact_id", "occurred_at").query
        ).sql_with_params()
        select = (
            f"SELECT COUNT(*), SUM(p.y_sql), SUM(p.y_client) FROM {population_table} p "
            f"WHERE {where} AND EXISTS (SELECT 1 FROM ({matches}) AS m "
            "WHERE m.contact_id = p.contact_id AND m.occurred_at < p.obs)"
        )
    else:
        matching, params = (
            profile_queryset(rule, Contact.objects.order_by()).values(contact_id=F("pk")).query
        ).sql_with_params()
        select = (
            f"SELECT COUNT(*), SUM(p.y_sql), SUM(p.y_client) FROM {population_table} p "
            f"JOIN ({matching}) AS c ON c.contact_id = p.contact_id WHERE {where}"
        )
    counts = Counts()
    counts.add(*sql.fetch(select, params)[0])
    return counts


def _recency_bucket(last: str, obs: str) -> str:
    age = sql.seconds_between(last, obs)
    cases = " ".join(
        f"WHEN {age} <= {days * 86400} THEN {n}" for n, (days, _) in enumerate(RECENCY) if days
    )
    return f"CASE {cases} ELSE {len(RECENCY) - 1} END"


def event_signals(population_table: str, where: str = EVERYONE) -> list[Signal]:
    """Event types and the recency of each, in one pass over the population's events."""
    bucket = _recency_bucket("t.last_at", "t.obs")
    rows = sql.fetch(
        f"SELECT t.type, {bucket}, COUNT(*), SUM(t.y_sql), SUM(t.y_client) FROM ("
        "SELECT a.type AS type, p.obs, p.y_sql, p.y_client, MAX(a.occurred_at) AS last_at "
        f"FROM {sql.ACTIVITIES} a JOIN {population_table} p "
        f"ON p.contact_id = a.contact_id AND a.occurred_at < p.obs WHERE {where} "
        "GROUP BY a.type, p.contact_id, p.obs, p.y_sql, p.y_client) AS t "
        "GROUP BY t.type, 2"
    )
    signals: dict[str, Signal] = {}
    for event_type, bucket_number, *counts in rows:
        key = f"event:{event_type}"
        event = signals.setdefault(key, Signal(key, Family.EVENT, event_condition(event_type)))
        event.counts.add(*counts)
        n = int(bucket_number)
        recent = Signal(
            f"recency:{event_type}:{n}",
            Family.RECENCY,
            None,
            label=f"{event_type} last done {RECENCY[n][1]}",
        )
        recent.counts.add(*counts)
        signals[recent.key] = recent
    return list(signals.values())


def _top(rows: Iterable[tuple], make: Callable[[tuple], Signal]) -> list[Signal]:
    """Signals from ``(group, value, contacts, sql, client)`` rows: the most common
    ``EVIDENCE_TOP_VALUES`` values of each group."""
    by_group: dict[Any, list[tuple]] = defaultdict(list)
    for row in rows:
        by_group[row[0]].append(row)
    signals = []
    for group_rows in by_group.values():
        group_rows.sort(key=lambda row: (-row[2], str(row[1])))
        for row in group_rows[: settings.EVIDENCE_TOP_VALUES]:
            signal = make(row)
            signal.counts.add(*row[2:])
            signals.append(signal)
    return signals


def property_signals(population_table: str, where: str = EVERYONE) -> list[Signal]:
    """Event types with one value of a property (text values only)."""
    signals = []
    for key in settings.EVIDENCE_PROPERTY_KEYS:
        value, params = sql.json_text("a.properties", key)
        rows = sql.fetch(
            "SELECT t.type, t.value, COUNT(*), SUM(t.y_sql), SUM(t.y_client) FROM ("
            f"SELECT DISTINCT a.type AS type, {value} AS value, p.contact_id, p.y_sql, "
            f"p.y_client FROM {sql.ACTIVITIES} a JOIN {population_table} p "
            "ON p.contact_id = a.contact_id AND a.occurred_at < p.obs "
            f"WHERE {value} IS NOT NULL AND {where}) AS t GROUP BY t.type, t.value",
            [*params, *params],
        )
        signals += _top(
            rows,
            lambda row, key=key: Signal(  # type: ignore[misc]  # key bound per loop
                f"property:{row[0]}:{key}={row[1]}",
                Family.PROPERTY,
                event_condition(row[0], key, Operator.EQ, row[1]),
            ),
        )
    return signals


def _profile_values(population_table: str, where: str, attribute: str, column: str, params):
    rows = sql.fetch(
        "SELECT 1, v.value, COUNT(*), SUM(v.y_sql), SUM(v.y_client) FROM ("
        f"SELECT {column} AS value, p.y_sql, p.y_client FROM {population_table} p "
        f"JOIN {sql.CONTACTS} c ON c.id = p.contact_id WHERE {where}) AS v "
        "WHERE v.value IS NOT NULL AND v.value <> '' GROUP BY v.value",
        params,
    )
    return _top(
        rows,
        lambda row: Signal(
            f"profile:{attribute}={row[1]}",
            Family.PROFILE,
            profile_condition(attribute, Operator.EQ, row[1]),
        ),
    )


def profile_signals(population_table: str, where: str = EVERYONE) -> list[Signal]:
    signals = []
    for name in PROFILE_FIELDS:
        signals += _profile_values(population_table, where, name, f"c.{name}", [])
    for key in settings.EVIDENCE_ATTRIBUTE_KEYS:
        column, params = sql.json_text("c.attributes", key)
        signals += _profile_values(population_table, where, f"attributes.{key}", column, params)
    counted = [
        Signal(
            f"profile:company_size>={size}",
            Family.PROFILE,
            profile_condition("company_size", Operator.GTE, size),
        )
        for size in COMPANY_SIZE_STEPS
    ]
    counted.append(
        Signal("profile:phone", Family.PROFILE, profile_condition("phone", Operator.IS_SET, True))
    )
    for signal in counted:
        signal.counts = condition_counts(signal.rule(), population_table, where)
    return signals + counted


def all_signals(
    rules: Iterable[Rule],
    population_table: str,
    where: str = EVERYONE,
    progress: Callable[[str], None] = lambda step: None,
) -> list[Signal]:
    """Every signal, each condition once; the current ``rules`` are named on the signal of
    their condition, or counted as signals of their own."""
    progress("Events and their recency")
    found = event_signals(population_table, where)
    progress("Event properties")
    found += property_signals(population_table, where)
    progress("Profiles")
    found += profile_signals(population_table, where)
    progress("Current rules")
    by_condition = {condition_key(s.condition): s for s in found if s.condition is not None}
    for rule in rules:
        condition = event_condition(rule.event_type, rule.attribute, rule.operator, rule.value)
        signal = by_condition.get(condition_key(condition))
        if signal is None:
            signal = Signal(f"rule:{rule.pk}", Family.RULE, condition)
            signal.counts = condition_counts(rule, population_table, where)
            by_condition[condition_key(condition)] = signal
            found.append(signal)
        signal.rules.append(rule)
    return found


# --- the report ----------------------------------------------------------------------------


def is_small(signal: Signal, everyone: Counts, min_support: int) -> bool:
    """Too few contacts with the signal, or without it, to trust the difference."""
    without = everyone.contacts - signal.counts.contacts
    return signal.counts.contacts < min_support or without < min_support


def ranked(
    signals: list[Signal], everyone: Counts, *, target: Target, min_support: int
) -> list[dict[str, Any]]:
    """Each signal with its comparisons, the strongest evidence (largest ``|z|`` on the
    target) first; small samples are flagged, not dropped."""
    rows: list[dict[str, Any]] = []
    for signal in signals:
        compared = {
            outcome: Comparison.of(
                n_with=signal.counts.contacts,
                k_with=signal.counts.reached(outcome),
                n_all=everyone.contacts,
                k_all=everyone.reached(outcome),
            ).as_json()
            for outcome in Target.values
        }
        rows.append(
            {
                "key": signal.key,
                "family": signal.family.value,
                "label": signal.label,
                "condition": signal.condition,
                "rules": [{"id": r.pk, "name": r.name, "points": r.points} for r in signal.rules],
                "contacts": signal.counts.contacts,
                "small_sample": is_small(signal, everyone, min_support),
                **compared,
            }
        )
    rows.sort(key=lambda row: (-abs(row[target]["z"]), row["label"]))
    return rows


def signals_report(
    *,
    period: Period,
    window_days: int,
    min_support: int,
    target: Target,
    now: datetime,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Any]:
    """Every signal of the contacts who became leads in ``period`` (JSON-ready)."""
    rules = list(Rule.objects.filter(active=True).order_by("pk"))
    with sql.more_memory(), population(Observation(period, window_days, now)) as table:
        everyone = total(table)
        found = all_signals(rules, table, progress=progress)
    return {
        "target": target,
        "min_support": min_support,
        "population": {
            "contacts": everyone.contacts,
            "sql": everyone.sql,
            "client": everyone.client,
        },
        "signals": ranked(found, everyone, target=target, min_support=min_support),
    }
