"""
Replaying a candidate rule set over the stored history, set-based, in the database.

Two questions are asked of a rule set:

- ``crossings``: when would each contact have become an MQL, under each of one or more
  candidates? Every event a rule holds for is put in contact and time order (one scan and
  one sort, shared by the candidates), the contact's fit and decayed engagement are summed
  up to each event with window functions, and the first event at which the figures pass
  the MQL test is the crossing. A contact whose profile alone passes crosses when it was
  created.
- ``observed`` and ``score_histogram``: what each rule gives each contact of a population at
  its observation point (``evidence.population``), in one scan of the activities before
  that moment, and the scores these add up to, counted per score.

Both read the rules with ``scoring.conditions`` (the code the live scoring uses) and follow
the live engine (``scoring.engine``): engagement from events halves every half-life, fit
never fades, engagement is rounded half up, and the MQL test is ``ScoringSettings.is_mql``'s.
``max_times`` counts a rule's first matches in time order; the live engine counts them in
the order received, which is the same unless older events arrive late (a sync of past
activity). Profiles are read as they are now: the history of profile edits is not kept.

Decay in a running sum: an event's engagement at a later event is
``p * 0.5 ** ((t - t_e) / h) = 0.5 ** ((t - ref) / h) * p * 2 ** ((t_e - ref) / h)``, so the
engagement at each event is a plain running sum of ``p * 2 ** ((t_e - ref) / h)`` scaled
back. ``ref`` is the first stored event when the whole history spans less than
``MAX_HALVINGS`` half-lives (82 years at 30 days; the powers of 2 stay within a double's
range), else each contact's own first event, exact while a contact's own history spans
less than that.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    Case,
    FloatField,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from leads.models import Contact
from scoring.conditions import rule_match
from scoring.criterion import MqlCriterion
from scoring.models import Activity, Dimension, Rule

from . import sql
from .candidates import Candidate, Thresholds
from .models import Target
from .population import OUTCOME


def _split(rule: Rule) -> tuple[int, int]:
    """(fit points, engagement points) of one match of the rule."""
    points = int(rule.points)
    return (points, 0) if rule.dimension == Dimension.FIT else (0, points)


def _union(branches: list[tuple[str, list]]) -> tuple[str, list]:
    return (
        " UNION ALL ".join(branch for branch, _ in branches),
        [p for _, params in branches for p in params],
    )


def mql_test(fit: str, engagement: str, thresholds: Thresholds) -> str:
    """The live MQL criterion over two SQL expressions (engagement already rounded)."""
    return MqlCriterion.of(thresholds).sql_inline(
        score=f"({fit}) + ({engagement})", fit=fit, engagement=engagement
    )


# --- one pass over the rows ---------------------------------------------------------------


def _slot_key(rule: Rule) -> str:
    """What a rule tests, and how it counts: its condition, its cap and whether it fades."""
    return json.dumps(
        [rule.event_type, rule.attribute, rule.operator, rule.value, rule.max_times, rule.decays],
        sort_keys=True,
    )


class _Slots:
    """The distinct conditions (with their caps) of the candidates' rules, numbered: rules
    of several candidates that test the same thing share one flag, one count."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules: list[Rule] = []
        self.number: dict[str, int] = {}
        for rule in rules:
            if _slot_key(rule) not in self.number:
                self.number[_slot_key(rule)] = len(self.rules)
                self.rules.append(rule)

    def of(self, rule: Rule) -> int:
        return self.number[_slot_key(rule)]

    def flags(
        self, rows: QuerySet, columns: tuple[str, ...], every: bool = False
    ) -> tuple[str, list]:
        """SQL for the ``columns`` of the ``rows`` (contacts or activities; in their order)
        that one of the slots holds for (``every``: all of them), with ``m0``, ``m1``, ...
        (1 when slot ``n`` holds): every condition tested in one scan, with scoring's own
        code."""
        looks_at: dict[str, Any] = {}
        flags: dict[str, Any] = {}
        conditions: list[Any] = []
        for n, rule in enumerate(self.rules):
            annotation, condition = rule_match(rule, f"_t{n}")
            looks_at |= annotation
            conditions.append(condition)
            flags[f"m{n}"] = Case(
                When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        matching = rows.annotate(**looks_at)
        if not every:
            matching = matching.filter(self.any_of(conditions))
        selected = matching.annotate(**flags).values_list(*columns, *flags)
        select, params = selected.query.sql_with_params()
        return select, list(params)

    def any_of(self, conditions: list[Q]) -> Q:
        """The rows one slot holds for: for events, the types that a slot takes whatever
        their properties, and the property conditions of the others (testing each
        condition again on every row cost more than the few rows it leaves out)."""
        plain = {
            rule.event_type for rule in self.rules if rule.is_event_rule and not rule.attribute
        }
        others = [
            condition
            for rule, condition in zip(self.rules, conditions, strict=True)
            if not (rule.is_event_rule and rule.event_type in plain)
        ]
        return reduce(or_, ([Q(type__in=sorted(plain))] if plain else []) + others)

    def points(self, rules: list[Rule], *, flag: str = "m") -> tuple[str, str]:
        """SQL for the fit and the engagement points a row gets from ``rules`` (some of the
        slots'), from the slots' flags ``<flag><n>``."""
        fit, engagement = [], []
        for rule in rules:
            held = f"{flag}{self.of(rule)}"
            rule_fit, rule_engagement = _split(rule)
            if rule_fit:
                fit.append(f"{rule_fit} * {held}")
            if rule_engagement:
                engagement.append(f"{rule_engagement} * {held}")
        return " + ".join(fit) or "0", " + ".join(engagement) or "0"


def _profile_points(
    candidates: list[Candidate], until: datetime, contacts: tuple[int, int]
) -> tuple[str, list]:
    """SQL for ``(contact_id, created_at, fit0, eng0, fit1, eng1, ...)``: the profile points
    each candidate gives the contacts of the id range created before ``until``, in one scan;
    the contacts no profile rule holds for are left out, unless a candidate's test passes
    with no points at all (then every contact crosses when it was created)."""
    slots = _Slots([rule for c in candidates for rule in c.profile_rules])
    rows = Contact.objects.filter(
        created_at__lt=until, pk__gte=contacts[0], pk__lt=contacts[1]
    ).order_by("pk")
    everyone = any(MqlCriterion.of(c.thresholds).passes_at_zero for c in candidates)
    columns = []
    for n, candidate in enumerate(candidates):
        fit, engagement = slots.points(candidate.profile_rules)
        columns += [f"{fit} AS fit{n}", f"{engagement} AS eng{n}"]
    if slots.rules or everyone:
        flags, params = slots.flags(rows, ("id", "created_at"), every=everyone)
    else:  # nobody gets profile points
        flags, params = f"SELECT id, created_at FROM {sql.CONTACTS} WHERE 1 = 0", []
    select = f"SELECT id AS contact_id, created_at, {', '.join(columns)} FROM ({flags}) AS f"
    return f"({select})", params


# --- crossings -----------------------------------------------------------------------------

WINDOW = "PARTITION BY contact_id ORDER BY occurred_at, id ROWS UNBOUNDED PRECEDING"


def _half_lives(candidates: list[Candidate]) -> list[float]:
    return sorted(
        {c.thresholds.half_life_seconds for c in candidates if c.thresholds.half_life_seconds}
    )


def _reference(until: datetime, half_lives: list[float]) -> datetime | None:
    """The first stored event, when the history up to ``until`` spans few enough half-lives
    (the shortest of the candidates') for one reference; None: each contact's own first
    event (and without decay)."""
    if not half_lives:
        return None
    first = Activity.objects.filter(occurred_at__lt=until).aggregate(at=Min("occurred_at"))["at"]
    if first is None or (until - first).total_seconds() / min(half_lives) > sql.MAX_HALVINGS:
        return None
    return first


def _event_crossings(
    candidates: list[Candidate],
    until: datetime,
    profile: tuple[str, list],
    contacts: tuple[int, int],
    reference: datetime | None,
) -> tuple[str, list]:
    """SQL for ``(contact_id, c0, c1, ...)``: for each candidate, the first of the contact's
    scored events before ``until`` at which its figures pass its MQL test (NULL: none), for
    the contacts of the id range ``contacts``.

    1. One scan of the activities tests every condition of the candidates' rules (they
       share them) and one sort puts them in contact and time order, computed on its own
       (``sql.fenced``).
    2. A window counts the matches of each capped condition (a match beyond ``max_times``
       gives nothing) and gives each event ``2 ** (t / half-life)``, ``t`` its seconds from
       the decay's reference.
    3. A second window over the same order sums each candidate's fit and grown engagement
       up to each event; divided by the event's growth, the engagement is decayed to it;
       the contact's ``profile`` points (``_profile_points``) are added.
    4. The first event whose figures pass the test, per contact and candidate.
    """
    rules = [rule for c in candidates for rule in c.event_rules]
    slots = _Slots(rules)
    half_lives = _half_lives(candidates)
    growth: dict[str, Any] = {f"g{i}": Value(1.0, FloatField()) for i in range(len(half_lives))}
    if reference is not None:  # computed in the scan, with its parallel workers
        seconds = sql.seconds_between("%s", f'"{sql.ACTIVITIES}"."occurred_at"')
        growth = {
            f"g{i}": RawSQL(
                f"POWER(2.0, {_halvings(seconds, h)})",
                [sql.now_param(reference)],
                output_field=FloatField(),
            )
            for i, h in enumerate(half_lives)
        }
    activities = (
        Activity.objects.filter(
            contact_id__gte=contacts[0],
            contact_id__lt=contacts[1],
            occurred_at__lt=until,
            type__in=sorted({rule.event_type for rule in rules}),
        )
        .annotate(**growth)
        .order_by("contact_id", "occurred_at", "id")
    )
    flags, params = slots.flags(activities, ("contact_id", "occurred_at", "id", *growth))
    counted = [
        f"CASE WHEN SUM(m{n}) OVER w <= {int(rule.max_times)} THEN m{n} ELSE 0 END AS k{n}"
        if rule.max_times
        else f"m{n} AS k{n}"
        for n, rule in enumerate(slots.rules)
    ]
    if reference is None:  # each contact's own first event
        t = sql.seconds_between("FIRST_VALUE(occurred_at) OVER w", "occurred_at")
        grown = [f"POWER(2.0, {_halvings(t, h)}) AS g{i}" for i, h in enumerate(half_lives)]
    else:
        grown = list(growth)
    # Events beyond every cap give nothing to anyone: they leave before the second window.
    gives = " OR ".join(f"k{n} <> 0" for n in range(len(slots.rules)))
    levels = (
        f"SELECT * FROM (SELECT contact_id, occurred_at, id, {', '.join(counted + grown)} "
        f"FROM ({sql.fenced(flags)}) AS f WINDOW w AS ({WINDOW})) AS c WHERE {gives}"
    )
    figures, tests = [], []
    for n, candidate in enumerate(candidates):
        fit, engagement = slots.points(candidate.event_rules, flag="k")
        half_life = candidate.thresholds.half_life_seconds
        if half_life:
            g = f"g{half_lives.index(half_life)}"
            engagement = f"SUM(({engagement}) * {g}) OVER w / {g}"
        else:
            engagement = f"SUM({engagement}) OVER w"
        figures += [f"SUM({fit}) OVER w AS fit{n}", f"{engagement} AS eng{n}"]
        eng = sql.rounded(f"COALESCE(p.eng{n}, 0) + r.eng{n}")
        test = mql_test(f"COALESCE(p.fit{n}, 0) + r.fit{n}", eng, candidate.thresholds)
        tests.append(f"MIN(CASE WHEN {test} THEN r.occurred_at END) AS c{n}")
    running = (
        f"SELECT contact_id, occurred_at, {', '.join(figures)} FROM ({levels}) AS g "
        f"WINDOW w AS ({WINDOW})"
    )
    # The contact's profile points join its events once they are summed up: in contact
    # order on both sides (a merge), where joining them to the scan cost more.
    return (
        f"SELECT r.contact_id, {', '.join(tests)} FROM ({running}) AS r "
        f"LEFT JOIN {profile[0]} AS p ON p.contact_id = r.contact_id GROUP BY r.contact_id",
        [*params, *profile[1]],
    )


def _halvings(seconds: str, half_life: float) -> str:
    return sql.least(f"{seconds} / {half_life!r}", str(sql.MAX_HALVINGS))


def _profile_crossings(candidates: list[Candidate], profile: tuple[str, list]):
    """SQL for ``(contact_id, c0, c1, ...)``: the contacts whose profile alone passes a
    candidate's test, crossed when they were created."""
    crossed = []
    for n, candidate in enumerate(candidates):
        test = mql_test(f"p.fit{n}", f"p.eng{n}", candidate.thresholds)
        crossed.append(f"CASE WHEN {test} THEN p.created_at END AS c{n}")
    return f"SELECT p.contact_id, {', '.join(crossed)} FROM {profile[0]} AS p", profile[1]


def _part(
    candidates: list[Candidate],
    until: datetime,
    contacts: tuple[int, int],
    reference: datetime | None,
):
    """SQL for ``(contact_id, c0, c1, ...)`` of the contacts of one id range: their first
    crossing by events or by profile, for each candidate."""
    # The profile points, computed once (a common table) for the two parts that read them.
    points, params = _profile_points(candidates, until, contacts)
    profile: tuple[str, list[Any]] = ("profile", [])
    parts = [_profile_crossings(candidates, profile)]
    if any(c.event_rules for c in candidates):
        parts.append(_event_crossings(candidates, until, profile, contacts, reference))
    union, union_params = _union(parts)
    first = ", ".join(f"MIN(c{n}) AS c{n}" for n in range(len(candidates)))
    return (
        f"WITH profile AS {points} SELECT contact_id, {first} FROM ({union}) AS u "
        "GROUP BY contact_id",
        [*params, *union_params],
    )


# A replay works through the contacts in this many id ranges, one statement each: sorts that
# fit in memory, and progress to show while a large history is replayed.
PARTS = 8


def _id_ranges(parts: int) -> list[tuple[int, int]]:
    bounds = Contact.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    size = -(-(bounds["hi"] + 1 - bounds["lo"]) // parts)
    return [(lo, lo + size) for lo in range(bounds["lo"], bounds["hi"] + 1, size)]


@contextmanager
def crossings(
    candidates: list[Candidate],
    until: datetime,
    progress: Callable[[int], None] = lambda part: None,
) -> Iterator[str]:
    """A scratch table ``(contact_id, c0, c1, ...)``: when each contact would first have
    passed each candidate's MQL test, replaying its events before ``until``. The candidates
    are replayed together (one scan and one sort of the events, whatever their number),
    ``PARTS`` ranges of contacts one after the other (``progress(part)`` before each)."""
    typed = ", ".join(f"created_at AS c{n}" for n in range(len(candidates)))
    parts: list[tuple[str, list[Any]]] = [
        (f"SELECT id AS contact_id, {typed} FROM {sql.CONTACTS} WHERE 1 = 0", [])
    ]
    reference = _reference(until, _half_lives(candidates))
    with ExitStack() as stack:
        for part, contacts in enumerate(_id_ranges(PARTS)):
            progress(part)
            found = stack.enter_context(
                sql.scratch_table(*_part(candidates, until, contacts, reference), indexed=False)
            )
            parts.append((f"SELECT * FROM {found}", []))
        yield stack.enter_context(sql.scratch_table(*_union(parts)))


def crossed(table: str, n: int) -> str:
    """The ``(contact_id, crossed_at)`` of candidate ``n`` in a ``crossings`` table."""
    return f"(SELECT contact_id, c{n} AS crossed_at FROM {table} WHERE c{n} IS NOT NULL)"


# --- scores at the observation point -------------------------------------------------------


def observed(
    rules: list[Rule], population: str, where: str, half_life: float | None
) -> tuple[str, list, _Slots]:
    """SQL for ``(contact_id, v0, v1, ...)``, one row per contact of the ``population``
    rows that meet ``where`` (SQL over ``p``): what one point of each slot of the ``rules``
    gives the contact at its observation point ``obs``. An event condition: its matches
    before then (a capped one, its first ``max_times`` in time order), each decayed to then
    if its rule decays; a profile condition: 1 or 0. One scan of the activities and one of
    the contacts, whatever the number of rules; and the slots, to read the columns by."""
    slots = _Slots(rules)
    events = [rule for rule in slots.rules if rule.is_event_rule]
    values: dict[int, str] = {}
    params, joins = [], []
    if events:
        flags, event_params = _Slots(events).flags(
            Activity.objects.filter(type__in=sorted({r.event_type for r in events})).order_by(),
            ("contact_id", "occurred_at", "id"),
        )
        decay = "1.0"
        if half_life:
            decay = sql.halvings(sql.seconds_between("occurred_at", "obs"), half_life)
        counted = [
            f"CASE WHEN SUM(m{n}) OVER w <= {int(rule.max_times)} THEN m{n} ELSE 0 END AS k{n}"
            if rule.max_times
            else f"m{n} AS k{n}"
            for n, rule in enumerate(events)
        ]
        sums = [
            f"SUM(k{n}{' * d' if rule.decays else ''}) AS v{n}" for n, rule in enumerate(events)
        ]
        joins.append(
            f"LEFT JOIN (SELECT contact_id, {', '.join(sums)} FROM (SELECT contact_id, "
            f"{decay} AS d, {', '.join(counted)} FROM (SELECT f.*, p.obs FROM ({flags}) AS f "
            f"JOIN {population} p ON p.contact_id = f.contact_id AND f.occurred_at < p.obs "
            f"WHERE {where}) AS x WINDOW w AS (PARTITION BY contact_id ORDER BY occurred_at, "
            "id ROWS UNBOUNDED PRECEDING)) AS y GROUP BY contact_id) AS e "
            "ON e.contact_id = p.contact_id"
        )
        params += event_params
        values |= {slots.of(rule): f"COALESCE(e.v{n}, 0)" for n, rule in enumerate(events)}
    profiles = [rule for rule in slots.rules if not rule.is_event_rule]
    if profiles:
        flags, profile_params = _Slots(profiles).flags(Contact.objects.order_by(), ("id",))
        joins.append(f"LEFT JOIN ({flags}) AS c ON c.id = p.contact_id")
        params += profile_params
        values |= {slots.of(rule): f"COALESCE(c.m{n}, 0)" for n, rule in enumerate(profiles)}
    columns = "".join(f", {values[n]} AS v{n}" for n in range(len(slots.rules)))
    select = f"SELECT p.contact_id{columns} FROM {population} p {' '.join(joins)}"
    return f"{select} WHERE {where}", params, slots


def score_histogram(
    candidate: Candidate, population: str, target: str, where: str = "1 = 1"
) -> list[tuple[int, bool, int, int]]:
    """``(score, passes the MQL test, contacts, of whom reached the target)`` over the
    population's contacts that meet ``where`` (SQL over ``p``), at their observation point:
    the few hundred rows that AUC and precision need."""
    rules = candidate.active_rules
    values, params, slots = observed(
        rules, population, where, candidate.thresholds.half_life_seconds
    )
    fit, engagement = slots.points(rules, flag="o.v")
    outcome = OUTCOME[Target(target)]
    figures = (
        f"SELECT {fit} AS fit, {sql.rounded(engagement)} AS eng, p.{outcome} AS y "
        f"FROM ({values}) AS o JOIN {population} p ON p.contact_id = o.contact_id"
    )
    test = mql_test("s.fit", "s.eng", candidate.thresholds)
    rows = sql.fetch(
        f"SELECT CAST(s.fit + s.eng AS INTEGER) AS score, CASE WHEN {test} THEN 1 ELSE 0 END, "
        f"COUNT(*), SUM(s.y) FROM ({figures}) AS s GROUP BY 1, 2",
        params,
    )
    return [(int(score), bool(mql), int(n), int(k or 0)) for score, mql, n, k in rows]
