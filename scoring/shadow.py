"""
A version in shadow scores every contact beside the published one, and promotes no one.

Its counters live in ``ContactRuleScore`` (its rules have their own ids) and its score
parts in ``ShadowScore``. A shadow run starts with a build (``ShadowJob``: every contact
scored by the version from the stored activities and profile, one range of ids per
transaction); from then on each event batch, profile change and merge is scored by it too,
under the same contact locks. A crossing of the version's MQL line by a contact still on
marketing's side (sales has not taken it, nobody disqualified it) is the version "making
an MQL": ``crossed_at`` records the first, which the comparison counts.

Crossings are counted from the start of the run, as a backtest of the same version counts
the crossings of a period: a contact already over the line when the run began is not one.
While the build runs, a contact of a range not yet built is left to the build, which finds
its new events among the stored ones (and counts no crossing for them).
"""

from collections.abc import Mapping, Sequence
from datetime import datetime

from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from leads.jobs import job_run
from leads.models import JobStatus
from leads.stages import Stage

from . import sql
from .counters import counters_load, counters_save
from .engine import BatchScorer, NewActivity, Parts
from .models import RuleSet, RuleSetState, ScoringSettings, ShadowJob, ShadowScore
from .sql import Scope, db_time, decay_factor

SHADOW_SCORES = ShadowScore._meta.db_table

# The stages in which a crossing hands a contact to sales: marketing's side of the funnel.
MARKETING_SIDE = (Stage.CONTACT, Stage.LEAD, Stage.MQL, Stage.RECYCLED)


def running() -> RuleSet | None:
    """The version in shadow, if any (at most one: a database constraint)."""
    return RuleSet.objects.filter(state=RuleSetState.SHADOW).first()


def events_score(
    new: Sequence[NewActivity], stages: Mapping[int, str], half_life: float | None, now: datetime
) -> None:
    """Score a batch's new events by the version in shadow (the caller holds the contacts'
    locks and passes their stages before the batch moved them). Only contacts it has
    scored already: the build does the others."""
    version = running()
    if version is None:
        return
    rules = {r.pk: r for r in version.rules.filter(active=True).exclude(event_type="")}
    rows = list(ShadowScore.objects.filter(ruleset=version, contact_id__in=stages.keys()))
    parts = {
        row.contact_id: Parts.aged(row, decay_factor((now - row.as_of).total_seconds(), half_life))
        for row in rows
    }
    crossed_before = {row.contact_id: row.crossed_at for row in rows}
    batch = [a for a in new if a.contact_id in parts]
    if not batch:
        return
    scorer = BatchScorer(rules.values(), version, half_life, now)
    counters = counters_load(parts.keys(), scorer.rules_for(batch, rules), half_life, now)
    outcome = scorer.score(batch, parts, counters)
    counters_save(outcome.counters, now)
    crossed = {
        c.contact_id: c.at
        for c in outcome.crossings
        if c.level == "mql" and stages[c.contact_id] in MARKETING_SIDE
    }
    ShadowScore.objects.bulk_create(
        [
            ShadowScore(
                ruleset=version,
                contact_id=pk,
                as_of=now,
                crossed_at=crossed_before[pk] or crossed.get(pk),
                **p.stored(),
            )
            for pk, p in outcome.parts.items()
        ],
        update_conflicts=True,
        unique_fields=["ruleset", "contact"],
        update_fields=["event_fit", "event_engagement", "as_of", "mql", "crossed_at"],
    )


def rescore(scope: Scope, now: datetime, *, profile_only: bool) -> None:
    """Score the scope's contacts by the version in shadow again after their profile
    changed (``profile_only``: its profile rules are rebuilt) or their events changed hands
    (a merge: every rule is). The caller holds the locks; a crossing counts, dated now."""
    version = running()
    if version is not None:
        _rebuild(scope, version, now, profile_only=profile_only, counting=True)


def _rebuild(
    scope: Scope, version: RuleSet, now: datetime, *, profile_only: bool, counting: bool
) -> None:
    rules = version.rules.order_by("pk")
    if profile_only:
        rules = rules.filter(event_type="")
    rebuilt = list(rules)
    half_life = ScoringSettings.load().half_life_seconds
    sql.delete_rule_scores(scope, [rule.pk for rule in rebuilt])
    sql.insert_rule_scores(scope, [rule for rule in rebuilt if rule.active], now, half_life)
    _sum(scope, version, now, half_life, counting=counting)


def _sum(
    scope: Scope, version: RuleSet, now: datetime, half_life: float | None, *, counting: bool
) -> None:
    """Sum the scope's counters of the version's active rules into its shadow parts (one
    upsert), mark who is over its MQL line and, when ``counting``, date the first crossing
    of those on marketing's side."""
    contacts, contact_params = scope.sql("c.id")
    counters, counter_params = scope.sql("s.contact_id")
    parts = sql.part_sums("r", now, half_life)
    select = ", ".join(f"{expression} AS {name}" for name, (expression, _) in parts.items())
    mql, mql_params = version.mql_criterion.sql(
        score="p.profile_fit + p.event_fit + p.eng",
        fit="p.profile_fit + p.event_fit",
        engagement="p.eng",
    )
    sides = ", ".join(["%s"] * len(MARKETING_SIDE))
    crossing = (
        f"CASE WHEN p.crossed_at IS NULL AND {'1 = 1' if counting else '1 = 0'} AND {mql} "
        f"AND NOT COALESCE(p.was_mql, FALSE) AND p.stage IN ({sides}) THEN %s "
        "ELSE p.crossed_at END"
    )
    statement = f"""
        INSERT INTO {SHADOW_SCORES} (ruleset_id, contact_id, profile_fit, profile_engagement,
            event_fit, event_engagement, as_of, mql, crossed_at)
        SELECT %s, p.id, p.profile_fit, p.profile_engagement, p.event_fit, p.event_engagement,
               %s, {mql}, {crossing}
        FROM (SELECT a.*, CAST(FLOOR(a.profile_engagement + a.event_engagement + 0.5)
                               AS INTEGER) AS eng
              FROM (SELECT c.id, c.stage, o.mql AS was_mql, o.crossed_at, {select}
                    FROM {sql.CONTACTS} c
                    LEFT JOIN (SELECT s.contact_id, s.times, s.value, s.as_of, u.points,
                                      u.dimension, u.event_type
                               FROM {sql.RULE_SCORES} s JOIN {sql.RULES} u ON u.id = s.rule_id
                               WHERE u.ruleset_id = %s AND u.active AND {counters}) r
                           ON r.contact_id = c.id
                    LEFT JOIN {SHADOW_SCORES} o ON o.contact_id = c.id AND o.ruleset_id = %s
                    WHERE {contacts} AND c.erased_at IS NULL
                    GROUP BY c.id, c.stage, o.mql, o.crossed_at) AS a) AS p
        WHERE 1 = 1
        ON CONFLICT (ruleset_id, contact_id) DO UPDATE SET
            profile_fit = excluded.profile_fit, profile_engagement = excluded.profile_engagement,
            event_fit = excluded.event_fit, event_engagement = excluded.event_engagement,
            as_of = excluded.as_of, mql = excluded.mql, crossed_at = excluded.crossed_at
    """
    params = [
        version.pk,
        db_time(now),
        *mql_params,
        *mql_params,
        *MARKETING_SIDE,
        db_time(now),
        *[p for _, part_params in parts.values() for p in part_params],
        version.pk,
        *counter_params,
        version.pk,
        *contact_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def build_run(*, job_id: int, now: datetime | None = None) -> ShadowJob:
    """Score every contact by the job's version, one range of ids per transaction
    (``leads.jobs.job_run``): the start of its shadow run."""

    def build_range(job: ShadowJob, lo: int, hi: int) -> int:
        scope = Scope.range(lo, hi)
        locked = sql.lock_contacts(scope)
        version = RuleSet.objects.get(pk=job.ruleset_id)
        if locked and version.state == RuleSetState.SHADOW:
            _rebuild(scope, version, now or timezone.now(), profile_only=False, counting=False)
        return len(locked)

    return job_run(ShadowJob, job_id, size=django_settings.SCORING_CHUNK_SIZE, step=build_range)


def builds_end(version: RuleSet) -> None:
    """A run that ends before its build did ends the build too (a running one stops at its
    next range): the next shadow run, of any version, gets a build of its own."""
    ShadowJob.objects.filter(
        ruleset=version, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    ).update(
        status=JobStatus.FAILED, error="The shadow run ended first.", finished_at=timezone.now()
    )


def counters_drop(version: RuleSet) -> None:
    """The end of a run: the version's counters go (its rules could not be deleted while
    they exist); its shadow parts stay, for the comparison."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {sql.RULE_SCORES} WHERE rule_id IN "
            f"(SELECT id FROM {sql.RULES} WHERE ruleset_id = %s)",
            [version.pk],
        )


def parts_drop(version: RuleSet) -> None:
    """A new run starts from nothing."""
    ShadowScore.objects.filter(ruleset=version).delete()
