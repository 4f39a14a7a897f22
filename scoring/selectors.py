"""Reads of the scoring app shared by the API and the pages."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, QuerySet, Sum, Window
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import Company, Contact, JobStatus
from leads.stages import MOVES, Move, Stage

from .models import (
    Activity,
    ContactRuleScore,
    ContactScore,
    Dimension,
    RecomputeJob,
    Rule,
    RuleSet,
    RuleSetState,
    ScoreChange,
    ScoringSettings,
    ShadowJob,
    ShadowScore,
)
from .sql import RuleEffect, decay_factor, rule_change_effect, version_new_mqls

EVENT_LABELS = {
    "email_opened": _("Opened an e-mail"),
    "email_clicked": _("Clicked a link in an e-mail"),
    "page_viewed": _("Viewed a page"),
    "form_submitted": _("Submitted a form"),
    "content_downloaded": _("Downloaded content"),
    "webinar_registered": _("Registered for a webinar"),
    "demo_requested": _("Requested a demo"),
    "trial_started": _("Started a trial"),
}
SHOWN_PROPERTIES = ("title", "url", "name", "form", "subject")


def timeline_events(contact: Contact, limit: int) -> list[Activity]:
    """The contact's latest marketing events, newest first, each with its type in words
    (``label``) and the properties a timeline shows (``shown``)."""
    events = list(
        Activity.objects.filter(contact=contact)
        .select_related("campaign")
        .order_by("-occurred_at", "-id")[:limit]
    )
    for event in events:
        event.label = str(EVENT_LABELS.get(event.type, event.type.replace("_", " ")))
        event.shown = [
            (key, event.properties[key])
            for key in SHOWN_PROPERTIES
            if isinstance(event.properties.get(key), str | int | float)
        ]
    return events


@dataclass(frozen=True)
class ScoreAt:
    """A contact's score as it was at ``at``, from the ledger: the figures, the version in
    force then and its verdict, and the changes that led there (newest first)."""

    contact: int
    at: datetime
    score: int
    fit: int
    engagement: int
    ruleset: RuleSet
    mql_threshold: int
    hot_threshold: int | None
    qualifies: bool
    changes: list[ScoreChange]


def version_at(at: datetime) -> RuleSet:
    """The version that was published at ``at`` (the one in use, before any release)."""
    then = (
        RuleSet.objects.filter(published_at__lte=at)
        .exclude(archived_at__lte=at)
        .order_by("-published_at", "-id")
        .first()
    )
    return then or RuleSet.published()


def score_at(contact: Contact, at: datetime, *, changes: int = 50) -> ScoreAt:
    """The score the contact had at ``at``: the ledger's rows up to then, summed."""
    rows = ScoreChange.objects.filter(contact=contact, at__lte=at)
    sums = rows.aggregate(fit=Sum("fit_delta"), engagement=Sum("engagement_delta"))
    fit, engagement = sums["fit"] or 0, sums["engagement"] or 0
    version = version_at(at)
    return ScoreAt(
        contact=contact.pk,
        at=at,
        score=fit + engagement,
        fit=fit,
        engagement=engagement,
        ruleset=version,
        mql_threshold=version.mql_threshold,
        hot_threshold=version.hot_threshold,
        qualifies=version.is_mql(score=fit + engagement, fit=fit, engagement=engagement),
        changes=list(rows.select_related("ruleset").order_by("-at", "-id")[:changes]),
    )


def score_history(contact: Contact, *, points: int = 200) -> list[tuple[datetime, int]]:
    """(time, score after it) of the contact's latest changes, oldest first: the chart."""
    running = ScoreChange.objects.filter(contact=contact).annotate(
        total=Window(Sum(F("fit_delta") + F("engagement_delta")), order_by=[F("at"), F("id")])
    )
    latest = running.order_by("-at", "-id").values_list("at", "total")[:points]
    return list(reversed(latest))


@dataclass(frozen=True)
class RulePoints:
    """What one rule gave: ``points`` as given, ``current_points`` after decay."""

    rule: int
    name: str
    source: str  # "event" or "profile"
    active: bool
    times: int
    points: int
    current_points: float


@dataclass
class DimensionScore:
    score: int
    rules: list[RulePoints] = field(default_factory=list)


@dataclass(frozen=True)
class ScoreBreakdown:
    contact: int
    score: int
    fit: DimensionScore
    engagement: DimensionScore
    as_of: datetime | None
    mql: bool
    hot: bool
    mql_threshold: int
    hot_threshold: int | None
    qualifies: bool  # the figures pass the MQL criterion (threshold and minimums)


def score_breakdown(contact: Contact) -> ScoreBreakdown:
    """The contact's score explained: each rule that gave points, how many times and how
    many, per dimension. Decayed points are shown as of the stored score (``as_of``), so
    each dimension's rules add up to its score (give or take the rounding)."""
    settings = ScoringSettings.load()
    parts = ContactScore.objects.filter(contact=contact).first()
    dimensions = {
        Dimension.FIT: DimensionScore(contact.fit_score),
        Dimension.ENGAGEMENT: DimensionScore(contact.engagement_score),
    }
    rows = ContactRuleScore.objects.filter(
        contact=contact, rule__ruleset__state=RuleSetState.PUBLISHED
    ).select_related("rule")
    for row in rows:
        dimensions[Dimension(row.rule.dimension)].rules.append(_rule_points(row, parts, settings))
    for dimension in dimensions.values():
        dimension.rules.sort(key=lambda r: (-abs(r.current_points), r.name))
    return ScoreBreakdown(
        contact=contact.pk,
        score=contact.score,
        fit=dimensions[Dimension.FIT],
        engagement=dimensions[Dimension.ENGAGEMENT],
        as_of=parts.as_of if parts else None,
        mql=bool(parts and parts.mql),
        hot=bool(parts and parts.hot),
        mql_threshold=settings.mql_threshold,
        hot_threshold=settings.hot_threshold,
        qualifies=settings.is_mql(
            score=contact.score, fit=contact.fit_score, engagement=contact.engagement_score
        ),
    )


def _rule_points(
    row: ContactRuleScore, parts: ContactScore | None, settings: ScoringSettings
) -> RulePoints:
    rule, value = row.rule, row.value
    if parts is not None and rule.decays:
        age = (parts.as_of - row.as_of).total_seconds()
        value *= decay_factor(age, settings.half_life_seconds)
    return RulePoints(
        rule=rule.pk,
        name=rule.name,
        source="event" if rule.is_event_rule else "profile",
        active=rule.active,
        times=row.times,
        points=rule.points * row.times,
        current_points=round(rule.points * value, 2),
    )


def rule_effect(*, candidate: Rule, replaced: Rule | None, now: datetime) -> RuleEffect:
    """What saving ``candidate`` (an unsaved rule, or the edited copy of ``replaced``)
    would do to the scores and the MQLs, before anything is saved."""
    return rule_change_effect(candidate, replaced, ScoringSettings.load(), now)


def rule_list(*, every_version: bool = False) -> QuerySet[Rule]:
    """The rules that score, or (``every_version``) the rules of every version."""
    return Rule.all_versions.all() if every_version else Rule.objects.all()


def ruleset_list() -> QuerySet[RuleSet]:
    return (
        RuleSet.objects.select_related("based_on", "created_by")
        .annotate(rule_count=Count("rules"))
        .order_by("-created_at", "-id")
    )


def latest_recompute_job() -> RecomputeJob | None:
    return recompute_job_list().first()


def recompute_job_list() -> QuerySet[RecomputeJob]:
    return RecomputeJob.objects.select_related("requested_by")


PREVIEW_SAMPLE = 50


@dataclass(frozen=True)
class PublishPreview:
    """Before a version is published: the contacts it would make MQL (``to_mql`` of them,
    ``contacts`` the highest-scored first)."""

    to_mql: int
    contacts: list[Contact]


def _shadow_new_mqls(version: RuleSet) -> list[int]:
    """``sql.version_new_mqls`` read off a finished shadow run: its parts are kept as new
    events come (engagement aged at their last event, not to now), so no rule is replayed."""
    sources = sorted(MOVES[Move.MARK_MQL].sources - {Stage.RECYCLED})
    total = F("profile_fit") + F("event_fit") + F("profile_engagement") + F("event_engagement")
    return list(
        ShadowScore.objects.filter(ruleset=version, mql=True, contact__stage__in=sources)
        .exclude(contact__score_parts__mql=True)
        .annotate(total=total)
        .order_by("-total", "contact_id")
        .values_list("contact_id", flat=True)
    )


def _shadow_built(version: RuleSet) -> bool:
    return (
        version.state == RuleSetState.SHADOW
        and ShadowJob.objects.filter(ruleset=version, status=JobStatus.DONE).exists()
    )


def publish_preview(version: RuleSet, *, now: datetime | None = None) -> PublishPreview:
    """Who publishing ``version`` would make MQL: from its shadow parts when it runs in
    shadow (one indexed read), otherwise computed from every rule (seconds per 100,000
    contacts: docs/benchmarks.md)."""
    if _shadow_built(version):
        ids = _shadow_new_mqls(version)
    else:
        half_life = ScoringSettings.load().half_life_seconds
        ids = version_new_mqls(version, now or timezone.now(), half_life)
    shown = ids[:PREVIEW_SAMPLE]
    by_id = Contact.objects.in_bulk(shown)
    return PublishPreview(to_mql=len(ids), contacts=[by_id[pk] for pk in shown if pk in by_id])


def company_list() -> QuerySet[Company]:
    """Companies that have contacts, best score first."""
    return Company.objects.filter(contact_count__gt=0).select_related("owner")


def company_stage_mix(company_ids: list[int]) -> dict[int, dict[str, int]]:
    """Contacts per stage of each company (one query for a page of companies)."""
    rows = (
        Contact.objects.active()
        .filter(account_id__in=company_ids)
        .values_list("account_id", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    mix: dict[int, dict[str, int]] = {pk: {} for pk in company_ids}
    for company_id, stage, n in rows:
        mix[company_id][stage] = n
    return mix
