"""
Every write of the scoring app: events in, scores kept current, rules and thresholds.

Locking rule (the same as ``leads.services``): a transaction that changes a contact's score
locks the contact rows first, in id order, then writes the score rows. Two event batches,
a recompute and a contact edit touching the same contacts therefore queue up instead of
deadlocking, and nobody reads score parts that another transaction is changing.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.erasure import salted_hash
from leads.jobs import job_run, job_start, jobs_stalled
from leads.models import Contact, TouchSource
from leads.records import checked_save
from leads.roles import User
from leads.services import contacts_for_emails, contacts_move_bulk, contacts_seen
from leads.stages import MOVES, Move, Stage
from leads.touches import FORM_SUBMITTED, TouchIn, touches_record

from . import releases, shadow, sql
from .counters import counters_load, counters_save
from .engine import BatchScorer, NewActivity, Outcome, Parts
from .models import (
    Activity,
    ContactScore,
    RecomputeJob,
    Rule,
    RuleSet,
    RuleSetState,
    ScoreCause,
    ScoringSettings,
    Thresholds,
)
from .signals import thresholds_crossed
from .sql import Crossing, Scope, decay_factor

logger = logging.getLogger(__name__)

# Contacts per statement when a list of ids is given (SQLite allows 32,766 parameters).
IDS_PER_STATEMENT = 5_000


def _chunk_size() -> int:
    size: int = django_settings.SCORING_CHUNK_SIZE
    return size


def _batched(ids: Iterable[int], size: int) -> Iterator[tuple[int, ...]]:
    iterator = iter(ids)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


# --- events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventIn:
    """One validated event of a batch: the contact is given by id or by e-mail."""

    key: str
    type: str
    occurred_at: datetime
    contact_id: int | None = None
    email: str | None = None
    campaign_id: int | None = None
    properties: dict[str, Any] | None = None


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int


@dataclass(frozen=True)
class _Locked:
    stage: str
    stage_changed_at: datetime


@transaction.atomic
def events_ingest(*, events: Sequence[EventIn], now: datetime | None = None) -> IngestResult:
    """Store a batch of activity events once each and score the new ones.

    All or nothing: one transaction. Unknown e-mails become contacts. A key seen before
    (or sent by a concurrent batch at the same moment) is skipped by the database's unique
    constraint, never by a check-then-insert, and only the rows really inserted are scored:
    a retried batch changes nothing. Rows are inserted in time order, so ids follow time
    within a batch (what ``max_times`` counts by).
    """
    now = now or timezone.now()
    first: dict[str, EventIn] = {}
    for event in events:
        first.setdefault(event.key, event)
    contact_of = _resolve_contacts(first.values())
    locked = _lock_for_events(set(contact_of.values()))
    rows = sorted(first.values(), key=lambda e: (e.occurred_at, e.key))
    inserted = sql.insert_activities(
        [
            (e.key, contact_of[e.key], e.type, e.occurred_at, e.campaign_id, e.properties or {})
            for e in rows
        ],
        received_at=now,
    )
    new = [
        NewActivity(
            pk,
            contact_of[key],
            first[key].type,
            first[key].occurred_at,
            first[key].properties or {},
        )
        for pk, key in inserted
    ]
    if new:
        earliest = {a.contact_id: a.occurred_at for a in sorted(new, key=_latest_first)}
        contacts_seen(at_by_id=earliest)
        touches_record([_touch(first[key], contact_of[key]) for _, key in inserted])
        _score_events(new, locked, now)
    return IngestResult(accepted=len(new), duplicates=len(events) - len(new))


def _touch(event: EventIn, contact_id: int) -> TouchIn:
    """The touch an event is when it names a campaign or carries a UTM campaign (a form
    submission's are in its properties)."""
    properties = event.properties or {}

    def utm(name: str) -> str:
        value = properties.get(name)
        return value if isinstance(value, str) else ""

    return TouchIn(
        contact_id,
        event.occurred_at,
        TouchSource.FORM if event.type == FORM_SUBMITTED else TouchSource.EVENT,
        campaign_id=event.campaign_id,
        utm_source=utm("utm_source"),
        utm_medium=utm("utm_medium"),
        utm_campaign=utm("utm_campaign"),
    )


def _latest_first(activity: NewActivity) -> tuple[Any, ...]:
    return (-activity.occurred_at.timestamp(), activity.id)


def _resolve_contacts(events: Iterable[EventIn]) -> dict[str, int]:
    """The contact id of each event's key, creating the contacts of unknown e-mails, each
    with the campaign of its earliest event that names one (the form that brought it in)."""
    events = list(events)
    campaigns: dict[str, int] = {}
    for e in sorted(events, key=lambda e: e.occurred_at, reverse=True):
        if e.email and e.campaign_id:
            campaigns[e.email] = e.campaign_id
    by_email = contacts_for_emails(
        emails=[e.email for e in events if e.email], campaigns=campaigns
    )
    return {e.key: e.contact_id or by_email[(e.email or "").strip().lower()] for e in events}


def _lock_for_events(contact_ids: set[int]) -> dict[int, _Locked]:
    rows = (
        Contact.objects.select_for_update()
        .filter(pk__in=contact_ids, erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "stage", "stage_changed_at")
    )
    locked = {pk: _Locked(stage, changed) for pk, stage, changed in rows}
    if len(locked) != len(contact_ids):
        # Erased between the validation and this lock: refuse the batch as bad input.
        missing = sorted(contact_ids - locked.keys())
        unknown = _("Unknown contact(s): %(ids)s.") % {"ids": missing}
        raise ValidationError({"contact": [unknown]})
    return locked


def _score_events(new: list[NewActivity], locked: dict[int, _Locked], now: datetime) -> None:
    settings = ScoringSettings.load()
    rules = {r.pk: r for r in Rule.objects.filter(active=True).exclude(event_type="")}
    half_life = settings.half_life_seconds
    scorer = BatchScorer(rules.values(), settings, half_life, now)
    contact_ids = {a.contact_id for a in new}
    parts = _load_parts(contact_ids, settings, now)
    counters = counters_load(contact_ids, scorer.rules_for(new, rules), half_life, now)
    outcome = scorer.score(new, parts, counters)
    _save(outcome, now)
    sql.update_contact_figures(Scope.of(contact_ids), cause=ScoreCause.EVENT, now=now)
    shadow.events_score(new, {pk: c.stage for pk, c in locked.items()}, half_life, now)
    _move(outcome, locked, settings)


def _load_parts(
    contact_ids: set[int], settings: ScoringSettings, now: datetime
) -> dict[int, Parts]:
    """The contacts' score parts aged to ``now``; a contact never scored gets its profile
    points first."""
    rows = {s.contact_id: s for s in ContactScore.objects.filter(contact_id__in=contact_ids)}
    missing = contact_ids - rows.keys()
    if missing:
        _rescore(Scope.of(missing), settings, now, rebuild=_profile_rules(), profile_only=True)
        rows |= {s.contact_id: s for s in ContactScore.objects.filter(contact_id__in=missing)}
    half_life = settings.half_life_seconds
    return {
        pk: Parts.aged(s, decay_factor((now - s.as_of).total_seconds(), half_life))
        for pk, s in rows.items()
    }


def _save(outcome: Outcome, now: datetime) -> None:
    counters_save(outcome.counters, now)
    ContactScore.objects.bulk_create(
        [_parts_row(contact_id, p, now) for contact_id, p in outcome.parts.items()],
        update_conflicts=True,
        unique_fields=["contact"],
        update_fields=["event_fit", "event_engagement", "as_of", "mql", "hot"],
    )


def _parts_row(contact_id: int, parts: Parts, now: datetime) -> ContactScore:
    return ContactScore(contact_id=contact_id, as_of=now, hot=parts.hot, **parts.stored())


def _move(outcome: Outcome, locked: dict[int, _Locked], settings: ScoringSettings) -> None:
    """First engagement makes a lead; a crossing makes an MQL, dated at its event.

    A late event is never dated before the contact's last move (it does not rewrite the
    history); a contact still in the first stage has none, so an event from before its
    creation in leadfunnel (a sync of older activity) keeps its own time.
    """
    floor = {pk: c.stage_changed_at for pk, c in locked.items() if c.stage != Stage.CONTACT}
    engage = {
        pk: max(at, floor.get(pk, at))
        for pk, at in outcome.engaged_at.items()
        if locked[pk].stage in MOVES[Move.ENGAGE].sources
    }
    if engage:
        contacts_move_bulk(move=Move.ENGAGE, at_by_id=engage, reason=_("First engagement"))
    crossings = [
        Crossing(
            c.contact_id,
            c.level,
            c.score,
            max(c.at, floor.get(c.contact_id, c.at), engage.get(c.contact_id, c.at)),
        )
        for c in outcome.crossings
    ]
    _promote(crossings, settings)


def _promote(crossings: Sequence[Crossing], settings: ScoringSettings) -> int:
    """Make MQLs of the contacts that crossed the MQL level (the lifecycle service skips
    those whose stage does not allow it) and announce every crossing, in the transaction:
    what the receivers write (a webhook's outbox row) commits with the crossing or not at
    all, so no crash between the two can lose the news."""
    mql = {c.contact_id: c for c in crossings if c.level == "mql"}
    promoted = 0
    if mql:
        line = settings.mql_threshold
        crossed = _("Score %(score)s crossed the MQL threshold %(threshold)s")
        reasons = {pk: crossed % {"score": c.score, "threshold": line} for pk, c in mql.items()}
        at = {pk: c.at for pk, c in mql.items()}
        promoted = len(contacts_move_bulk(move=Move.MARK_MQL, at_by_id=at, reason=reasons))
    if crossings:
        thresholds_crossed.send(sender=ContactScore, crossings=list(crossings))
    return promoted


def mql_marks_clear(*, contact_ids: Sequence[int]) -> None:
    """Contacts sent back to marketing (recycled) no longer count as over the MQL line, so
    the next engagement that finds their score at or above it crosses again and makes them
    an MQL once more, with a new hand-off (domain: a recycled lead that re-engages comes
    back). A recompute never raises the mark of a recycled contact: only an event does."""
    ContactScore.objects.filter(contact_id__in=contact_ids, mql=True).update(mql=False)


# --- set-based rescoring -------------------------------------------------------------------


def _rescore(
    scope: Scope,
    settings: ScoringSettings,
    now: datetime,
    *,
    rebuild: Sequence[Rule],
    profile_only: bool,
    cause: ScoreCause = ScoreCause.PROFILE,
) -> int:
    """Rebuild the scope's counters of the ``rebuild`` rules from the contacts and their
    stored activities, sum up the score parts (the profile parts only, or all), update the
    figures, promote the new crossings.

    The caller has locked the scope's contacts. Returns how many became MQLs.
    """
    half_life = settings.half_life_seconds
    sql.delete_rule_scores(scope, [rule.pk for rule in rebuild])
    sql.insert_rule_scores(scope, [rule for rule in rebuild if rule.active], now, half_life)
    sql.ensure_contact_scores(scope, now)
    sql.sum_contact_scores(scope, now, half_life, profile_only=profile_only)
    sql.update_contact_figures(scope, cause=cause, now=now)
    promoted = _promote(sql.raise_levels(scope, settings, now), settings)
    if cause != ScoreCause.RELEASE:  # a release changes the published rules, not the shadow's
        shadow.rescore(scope, now, profile_only=profile_only)
    return promoted


def _id_ranges(size: int) -> Iterator[Scope]:
    """Every contact, as ranges of ``size`` ids."""
    bounds = Contact.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return
    for first in range(bounds["lo"], bounds["hi"] + 1, size):
        yield Scope.range(first, min(first + size, bounds["hi"] + 1))


def rescore_profiles(
    *, contact_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Apply the profile (fit) rules again to these contacts (None: all), set-based.

    Called when contacts are created or their profile fields change, and by the CSV import
    after each chunk. A contact whose score crosses the MQL level becomes an MQL. With
    ``None`` every range of contacts commits on its own; with ids the work joins the
    caller's transaction. Returns how many contacts were rescored.
    """
    settings = ScoringSettings.load()
    now = now or timezone.now()
    rules = _profile_rules()
    if contact_ids is None:
        scopes: Iterable[Scope] = _id_ranges(_chunk_size())
    else:
        scopes = (Scope.of(ids) for ids in _batched(sorted(set(contact_ids)), IDS_PER_STATEMENT))
    done = 0
    for scope in scopes:
        with transaction.atomic():
            locked = sql.lock_contacts(scope)
            if locked:
                _rescore(scope, settings, now, rebuild=rules, profile_only=True)
            done += len(locked)
    return done


def rescore_contacts(*, contact_ids: Iterable[int], now: datetime | None = None) -> int:
    """Score these contacts again from scratch, every rule rebuilt from their stored events
    and profile: after events changed hands (a merge, its undo). Joins the caller's
    transaction; returns how many became MQLs."""
    scope = Scope.of(contact_ids)
    if not sql.lock_contacts(scope):
        return 0
    rules = list(Rule.objects.order_by("pk"))
    settings, now = ScoringSettings.load(), now or timezone.now()
    return _rescore(
        scope, settings, now, rebuild=rules, profile_only=False, cause=ScoreCause.MERGE
    )


def _profile_rules() -> list[Rule]:
    """Every profile rule, switched off ones included (their counters must go)."""
    return list(Rule.objects.filter(event_type="").order_by("pk"))


@transaction.atomic
def recompute_start(*, by: User | None, full: bool = False, enqueue: bool = True) -> RecomputeJob:
    """Start rescoring every contact (after rules or settings changed) in the background.

    The counters of the rules whose definition changed since they were built are rebuilt
    from the stored activities (of every rule with ``full``); points and thresholds apply
    to everyone. A job already pending or running is returned (and enqueued again: a lost
    message must not leave it pending forever) instead of starting a second one.
    ``enqueue=False`` is for a caller that runs the job itself, like the data generator.
    """
    settings = ScoringSettings.objects.select_for_update().get_or_create(pk=1)[0]
    signatures = {
        str(rule.pk): rule.signature(settings.half_life_days) for rule in Rule.objects.all()
    }
    current = dict(Rule.objects.values_list("pk", "counted"))
    return job_start(
        RecomputeJob,
        task="scoring.tasks.recompute_scores",
        waiting="the stalled-job sweep (recompute_stalled) will run the recompute",
        by=by,
        enqueue=enqueue,
        full=full,
        rebuild={
            pk: signature
            for pk, signature in signatures.items()
            if full or current[int(pk)] != signature
        },
    )


def recompute_stalled(*, now: datetime | None = None) -> list[int]:
    """Recompute jobs whose task was lost (``leads.jobs.jobs_stalled``)."""
    return jobs_stalled(RecomputeJob, now=now)


def recompute_run(*, job_id: int, now: datetime | None = None) -> RecomputeJob:
    """Rescore the job's contacts, one range of ids per transaction (``leads.jobs.job_run``)."""

    def rescore_range(job: RecomputeJob, lo: int, hi: int) -> int:
        scope = Scope.range(lo, hi)
        locked = sql.lock_contacts(scope)
        if locked:
            # After a publish, the replaced version's counters go as each range is redone.
            sql.delete_unpublished_rule_scores(scope)
            rebuild = list(Rule.objects.filter(pk__in=[int(pk) for pk in job.rebuild]))
            settings = ScoringSettings.load()
            job.promoted += _rescore(
                scope,
                settings,
                now or timezone.now(),
                rebuild=rebuild,
                profile_only=False,
                cause=ScoreCause.RELEASE,
            )
        return len(locked)

    return job_run(
        RecomputeJob, job_id, size=_chunk_size(), step=rescore_range, finish=_recompute_finish
    )


def _recompute_finish(job: RecomputeJob) -> None:
    """Record that the rebuilt rules' counters match their definition, unless a rule (or
    the decay) changed while the job ran: the next recompute rebuilds that one again."""
    half_life_days = ScoringSettings.load().half_life_days
    for rule in Rule.objects.filter(pk__in=[int(pk) for pk in job.rebuild]):
        signature = job.rebuild[str(rule.pk)]
        if rule.signature(half_life_days) == signature:
            Rule.objects.filter(pk=rule.pk).update(counted=signature)


def scores_decay(*, now: datetime | None = None) -> int:
    """Age the engagement of the contacts whose rounded figures change by now.

    One set-based statement finds them; each range of them is then aged and its figures
    updated in a short transaction. Decay lowers scores and clears the MQL/hot marks of
    contacts that fell below, so a later crossing counts again; it never demotes a stage.
    Returns how many contacts changed.
    """
    settings = ScoringSettings.load()
    half_life = settings.half_life_seconds
    if half_life is None:
        return 0
    now = now or timezone.now()
    ids = sql.contacts_to_age(now, half_life)
    for chunk in _batched(ids, IDS_PER_STATEMENT):
        scope = Scope.of(chunk)
        with transaction.atomic():
            sql.lock_contacts(scope)
            sql.age_engagement(scope, now, half_life)
            sql.update_contact_figures(scope, cause=ScoreCause.DECAY, now=now)
            sql.lower_levels(scope, settings)
    return len(ids)


# --- rules and settings --------------------------------------------------------------------


@transaction.atomic
def rule_create(**fields: Any) -> Rule:
    """A new rule scores what happens from now on; a recompute applies it to the past.
    Without a ``ruleset`` (or with the published one) the rule joins the live rules by a
    release; in a draft it waits for the draft's publication."""
    target = fields.pop("ruleset", None)
    if target is None or target.state == RuleSetState.PUBLISHED:
        reason = _("Rule “%(name)s” added") % {"name": fields.get("name", "")}
        with releases.released(reason=reason) as live:
            return checked_save(Rule(ruleset=live, **fields))
    releases.editable(target)
    return checked_save(Rule(ruleset=target, **fields))


@transaction.atomic
def rule_update(*, rule: Rule, **fields: Any) -> Rule:
    """Edit a draft's rule in place, or a live rule by a release (the rule keeps its id)."""
    fields.pop("ruleset", None)  # a rule stays in its version
    # Where it is now: a release since ``rule`` was read moved the live rules to a new one.
    rule.ruleset_id = Rule.all_versions.values_list("ruleset_id", flat=True).get(pk=rule.pk)
    version = RuleSet.objects.get(pk=rule.ruleset_id)
    if version.state != RuleSetState.PUBLISHED:
        releases.editable(version)
        return checked_save(rule, **fields)
    with releases.released(reason=_("Rule “%(name)s” changed") % {"name": rule.name}) as live:
        return checked_save(rule, ruleset=live, **fields)  # the release moved it to ``live``


@transaction.atomic
def rule_delete(*, rule: Rule) -> None:
    """A rule that gave points cannot go (``ProtectedError``, HTTP 409) while the scores
    hold them: switch it off and recompute, then delete it."""
    version = RuleSet.objects.get(rules=rule)
    if version.state != RuleSetState.PUBLISHED:
        releases.editable(version)
        rule.delete()
        return
    with releases.released(reason=_("Rule “%(name)s” deleted") % {"name": rule.name}):
        rule.delete()


@transaction.atomic
def settings_update(**fields: Any) -> ScoringSettings:
    """Change thresholds or decay; a recompute applies them to the scores already given.
    New thresholds are a release: the published version gets them too."""
    settings = ScoringSettings.objects.select_for_update().get_or_create(pk=1)[0]
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()  # before the release: a refused change makes none
    thresholds = {name: getattr(settings, name) for name in Thresholds.FIELDS}
    if thresholds != {name: getattr(RuleSet.published(), name) for name in Thresholds.FIELDS}:
        with releases.released(reason=_("Thresholds changed")) as live:
            for name, value in thresholds.items():
                setattr(live, name, value)
            live.save()
    settings.save()
    return settings


@transaction.atomic
def ruleset_publish(
    *, ruleset: RuleSet, by: User | None, reason: str
) -> tuple[RuleSet, RecomputeJob]:
    """Publish a draft, or roll back to an archived version: it scores from now on, and
    one recompute (its job shows the progress) rescores everyone by it."""
    published = releases.make_live(ruleset=ruleset, reason=reason)
    return published, recompute_start(by=by)


def activities_erase(*, contact: Contact) -> int:
    """Right to erasure: empty the properties of the person's events (URLs, form fields) and
    replace each sender's key (often built from the e-mail) by its hash, which still stops
    the same event from being stored twice."""
    activities = list(Activity.objects.filter(contact=contact).only("pk", "key"))
    for activity in activities:
        activity.properties = {}
        activity.key = "erased:" + salted_hash(activity.key)
    Activity.objects.bulk_update(activities, ["properties", "key"], batch_size=1000)
    return len(activities)
