"""
Lead scoring: activity events, point rules, thresholds, and the per-contact score parts.

``Contact.score``, ``fit_score`` and ``engagement_score`` are the rounded figures everyone
filters on; they are written only by this app (set-based updates in ``scoring.sql``), from
the precise parts kept in ``ContactScore`` and the per-rule counters in ``ContactRuleScore``.
"""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.fields import optional_fk
from leads.models import Campaign, Contact, ContactRangeJob

from .conditions import Operator, validate_rule
from .criterion import MqlCriterion


class Dimension(models.TextChoices):
    FIT = "fit", _("Fit")
    ENGAGEMENT = "engagement", _("Engagement")


class Thresholds(models.Model):
    """When a score makes an MQL: its total reaches ``mql_threshold`` and its fit and
    engagement reach their minimums (an engaged student is not an MQL); ``hot_threshold``
    flags it as ready for sales without moving it (SQL stays the rep's decision)."""

    mql_threshold = models.IntegerField(default=60, verbose_name=_("mql threshold"))
    min_fit = models.IntegerField(
        null=True,
        blank=True,
        default=0,
        help_text=_("Empty: no minimum on fit."),
        verbose_name=_("min fit"),
    )
    min_engagement = models.IntegerField(
        null=True,
        blank=True,
        default=20,
        help_text=_("Empty: no minimum on engagement."),
        verbose_name=_("min engagement"),
    )
    hot_threshold = models.IntegerField(
        null=True,
        blank=True,
        default=90,
        help_text=_("Empty: no hot level."),
        verbose_name=_("hot threshold"),
    )

    FIELDS = ("mql_threshold", "min_fit", "min_engagement", "hot_threshold")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hot_threshold__isnull=True)
                | models.Q(hot_threshold__gt=models.F("mql_threshold")),
                name="%(app_label)s_%(class)s_hot_above_mql",
            ),
        ]

    def clean(self) -> None:
        if self.hot_threshold is not None and self.hot_threshold <= self.mql_threshold:
            raise ValidationError(
                {"hot_threshold": [_("The hot level must be above the MQL threshold.")]}
            )

    @property
    def mql_criterion(self) -> MqlCriterion:
        return MqlCriterion.of(self)

    def is_mql(self, *, score: int, fit: int, engagement: int) -> bool:
        """The MQL test on rounded figures (``scoring.criterion``)."""
        return self.mql_criterion.passes(score=score, fit=fit, engagement=engagement)

    def is_hot(self, *, score: int) -> bool:
        return self.hot_threshold is not None and score >= self.hot_threshold


class RuleSetState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHADOW = "shadow", _("Shadow")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class RuleSet(Thresholds):
    """A version of the scoring model: its rules and its MQL thresholds.

    Exactly one version is published: its rules score and its thresholds make MQLs
    (``ScoringSettings`` holds a copy of them, written only by ``scoring.releases``). A
    draft is edited freely; publishing it archives the version it replaces, and an archived
    version can be published again (a rollback). ``reason`` says why the version took its
    current state; the audit log keeps every state change with who and when.
    """

    name = models.CharField(max_length=200, verbose_name=_("name"))
    state = models.CharField(
        max_length=20,
        choices=RuleSetState.choices,
        default=RuleSetState.DRAFT,
        verbose_name=_("state"),
    )
    based_on = optional_fk("self", _("based on"))
    reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason"))
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    archived_at = models.DateTimeField(null=True, blank=True, verbose_name=_("archived at"))
    shadow_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When its last shadow run began."),
        verbose_name=_("shadow since"),
    )
    shadow_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When its last shadow run ended (empty while it runs)."),
        verbose_name=_("shadow until"),
    )

    class Meta(Thresholds.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = _("rule set")
        constraints = [
            *Thresholds.Meta.constraints,
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state="published"),
                name="scoring_one_published_ruleset",
            ),
            # One shadow at a time: each costs a second scoring of every event.
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state="shadow"),
                name="scoring_one_shadow_ruleset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"

    @classmethod
    def published(cls) -> "RuleSet":
        """The version that scores. A database emptied by hand (or by a test's flush) gets
        one again, with the live thresholds, as migration 0008 made the first."""
        live = ScoringSettings.load()
        return cls.objects.get_or_create(
            state=RuleSetState.PUBLISHED,
            defaults={
                "name": "Rules in use",
                "published_at": timezone.now(),
                **{name: getattr(live, name) for name in Thresholds.FIELDS},
            },
        )[0]


class VersionKey(models.ForeignKey["RuleSet", "RuleSet"]):
    """``Rule.ruleset``: a rule written without a version joins the published one, by
    ``save()`` and ``bulk_create()`` alike. Looked up when the row is written, not when a
    ``Rule`` is built: the evidence tools build unsaved ones by the hundred."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if add and getattr(model_instance, self.attname) is None:
            setattr(model_instance, self.attname, RuleSet.published().pk)
        return super().pre_save(model_instance, add)


class ScoringRuleManager(models.Manager["Rule"]):
    """``Rule.objects``: the rules that score, those of the published version."""

    def get_queryset(self) -> models.QuerySet["Rule"]:
        return super().get_queryset().filter(ruleset__state=RuleSetState.PUBLISHED)


class Rule(models.Model):
    """Points for a behaviour (an event rule) or for a trait of the person (a profile rule).

    An event rule has an ``event_type`` and optionally a condition on one of the event's
    properties (``attribute`` is then the property name, e.g. ``url`` contains ``/pricing``)
    and a ``max_times`` cap per contact. A profile rule has no ``event_type``; its condition
    is on a contact field or ``attributes.<key>`` (``company_size`` >= 50). Rules are data
    so marketing can write down and change what "qualified" means without a deployment;
    ``scoring.conditions`` says which conditions are valid and what they mean.
    """

    condition: str  # not stored: the condition in words, for the rules page

    ruleset = VersionKey(
        RuleSet,
        on_delete=models.CASCADE,
        blank=True,  # empty: the published version, when the row is written
        related_name="rules",
        verbose_name=_("rule set"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    dimension = models.CharField(
        max_length=20, choices=Dimension.choices, verbose_name=_("dimension")
    )
    points = models.IntegerField(
        help_text=_("Negative points are allowed (a student, a competitor)."),
        verbose_name=_("points"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    event_type = models.CharField(
        max_length=50,
        blank=True,
        help_text=_("Empty for a profile rule."),
        verbose_name=_("event type"),
    )
    attribute = models.CharField(
        max_length=100,
        blank=True,
        help_text=_(
            "Event rule: a property name (optional). Profile rule: a contact field, "
            "`email_domain` or `attributes.<key>`."
        ),
        verbose_name=_("attribute"),
    )
    operator = models.CharField(
        max_length=20, choices=Operator.choices, blank=True, verbose_name=_("operator")
    )
    value = models.JSONField(null=True, blank=True, verbose_name=_("value"))
    max_times = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Event rules: count at most this many events per contact."),
        verbose_name=_("max times"),
    )
    # The definition the stored counters were built with (``signature``): a recompute
    # rebuilds the counters of the rules whose definition changed since, and only those.
    counted = models.CharField(
        max_length=1000, blank=True, editable=False, verbose_name=_("counted")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    # Every version's rules (the default manager: the admin, relations and dumps see all);
    # ``objects`` are the scoring ones, which is what the engine and the pages mean.
    all_versions = models.Manager()
    objects = ScoringRuleManager()

    # What a rule says (the rest is bookkeeping): copied by the backtest's candidates,
    # listed by the admin and the API.
    DEFINITION_FIELDS = (
        "name",
        "dimension",
        "points",
        "active",
        "event_type",
        "attribute",
        "operator",
        "value",
        "max_times",
    )

    class Meta:
        ordering = ["dimension", "-points", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(event_type="") | ~models.Q(attribute=""),
                name="scoring_rule_has_condition",
            ),
            models.CheckConstraint(
                condition=models.Q(attribute="", operator="")
                | (~models.Q(attribute="") & ~models.Q(operator="")),
                name="scoring_rule_operator_with_attribute",
            ),
            models.CheckConstraint(
                condition=models.Q(max_times__isnull=True)
                | (~models.Q(event_type="") & models.Q(max_times__gte=1)),
                name="scoring_rule_max_times_on_events",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d} {self.dimension})"

    @property
    def is_event_rule(self) -> bool:
        return bool(self.event_type)

    @property
    def decays(self) -> bool:
        """Interest fades, traits do not: only behaviour points to engagement lose weight."""
        return self.is_event_rule and self.dimension == Dimension.ENGAGEMENT

    def clean(self) -> None:
        validate_rule(self)

    def signature(self, half_life_days: int | None) -> str:
        """What the counters of this rule depend on: what it matches, how many times it
        counts, and the decay of its events. Not its points: counters hold counts (and
        decayed counts), the points are applied when the score is summed up."""
        decay = half_life_days if self.decays else None
        return json.dumps(
            [
                self.active,
                self.event_type,
                self.attribute,
                self.operator,
                self.value,
                self.max_times,
                decay,
            ],
            sort_keys=True,
        )


class CompanyAggregate(models.TextChoices):
    SUM = "sum", _("Sum of its contacts")
    MAX = "max", _("Its best contact")
    TOP = "top", _("Average of its best contacts")


class ScoringSettings(Thresholds):
    """The live thresholds and the decay, one row for the whole team (``load()``).

    The thresholds are the published rule set's (``RuleSet``), copied here by
    ``scoring.releases`` when a version is published, so that every path that scores reads
    one row; the decay belongs to no version.
    """

    half_life_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Engagement points lose half their weight every this many days. Empty: no decay."
        ),
        verbose_name=_("half life days"),
    )
    company_aggregate = models.CharField(
        max_length=10,
        choices=CompanyAggregate.choices,
        default=CompanyAggregate.TOP,
        help_text=_("How a company's fit and engagement come from its contacts'."),
        verbose_name=_("company aggregate"),
    )
    company_top_n = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("For the average of the best: how many contacts count."),
        verbose_name=_("company top n"),
    )
    mqa_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "A company whose score reaches this is a marketing-qualified account, handed to "
            "its owner. Empty: no such level."
        ),
        verbose_name=_("mqa threshold"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta(Thresholds.Meta):
        verbose_name = verbose_name_plural = _("scoring settings")
        constraints = [
            *Thresholds.Meta.constraints,
            models.CheckConstraint(condition=models.Q(id=1), name="scoring_settings_singleton"),
            models.CheckConstraint(
                condition=models.Q(half_life_days__isnull=True) | models.Q(half_life_days__gte=1),
                name="scoring_half_life_gte_1",
            ),
            models.CheckConstraint(
                condition=models.Q(company_top_n__gte=1), name="scoring_company_top_n_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Scoring settings"))

    @classmethod
    def load(cls) -> "ScoringSettings":
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def half_life_seconds(self) -> float | None:
        return self.half_life_days * 86400.0 if self.half_life_days else None


class Activity(models.Model):
    """One thing a person did (opened an e-mail, viewed the pricing page), append-only.

    ``key`` is the sender's own id for the event: the unique constraint makes a retried or
    concurrently repeated delivery a no-op (``INSERT ... ON CONFLICT DO NOTHING``). Erasing
    the contact empties ``properties`` (they may hold personal data) and keeps the rest,
    which carries none.
    """

    label: str  # not stored: the type in words, for the timeline
    shown: list[tuple[str, Any]]  # not stored: the properties the timeline shows

    key = models.CharField(max_length=200, unique=True, verbose_name=_("key"))
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        related_name="activities",
        db_index=False,
        verbose_name=_("contact"),
    )
    type = models.CharField(max_length=50, verbose_name=_("type"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    # No index of its own: each index slows ingestion, and only deleting a campaign (which
    # PROTECT refuses anyway) looks activities up by campaign.
    campaign = optional_fk(
        Campaign,
        _("campaign"),
        related_name="activities",
        on_delete=models.PROTECT,
        db_index=False,
    )
    properties = models.JSONField(default=dict, blank=True, verbose_name=_("properties"))
    received_at = models.DateTimeField(default=timezone.now, verbose_name=_("received at"))

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # A contact's timeline, and the contact range scans of a recompute.
            models.Index(fields=["contact", "occurred_at"], name="activity_contact_time"),
            # A recompute reads, per event rule, one type within a range of contacts.
            models.Index(fields=["type", "contact"], name="activity_type_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.type} by #{self.contact_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class ScoreParts(models.Model):
    """A contact's score parts by one version: profile points (replaced whenever profile
    rules are re-applied), event points (they only grow as events arrive) and ``mql``, the
    contact is over that version's MQL line. Event engagement is a float valid at
    ``as_of``: every event decays with the same half-life, so the sum is aged in one
    multiplication (``x * 0.5 ** (elapsed / half_life)``) instead of replaying the history.
    """

    profile_fit = models.IntegerField(default=0, verbose_name=_("profile fit"))
    profile_engagement = models.IntegerField(default=0, verbose_name=_("profile engagement"))
    event_fit = models.IntegerField(default=0, verbose_name=_("event fit"))
    event_engagement = models.FloatField(default=0.0, verbose_name=_("event engagement"))
    as_of = models.DateTimeField(default=timezone.now, verbose_name=_("as of"))
    mql = models.BooleanField(default=False, verbose_name=_("mql"))

    class Meta:
        abstract = True


class ContactScore(ScoreParts):
    """A contact's score parts by the published version, precise, behind the rounded
    figures on ``Contact``. ``mql`` and ``hot`` remember that the contact is above those
    levels, so a crossing (and the promotion it causes) happens once, not at every event
    above the line.
    """

    # No database foreign key, for the same reason as ``ContactRuleScore``.
    contact = models.OneToOneField(
        Contact,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="score_parts",
        db_constraint=False,
        verbose_name=_("contact"),
    )
    hot = models.BooleanField(default=False, verbose_name=_("hot"))

    def __str__(self) -> str:
        return f"Score parts of #{self.contact_id}"


class ScoreCause(models.TextChoices):
    OPENING = "opening", _("Score when the ledger began")
    EVENT = "event", _("Activity events")
    PROFILE = "profile", _("Profile change")
    DECAY = "decay", _("Engagement faded")
    RELEASE = "release", _("Rules or thresholds changed")
    MERGE = "merge", _("Records merged")


class ScoreChange(models.Model):
    """The score ledger: one append-only row per change of a contact's rounded figures,
    with its deltas per dimension, what caused it and the version in force. Written in the
    statement that changes the figures (``sql.update_contact_figures``), so no path can
    change a score without a row; the score at any moment is the sum of the rows up to it.
    """

    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="score_changes",
        db_index=False,  # the (contact, at) index serves it
        verbose_name=_("contact"),
    )
    at = models.DateTimeField(verbose_name=_("at"))
    fit_delta = models.IntegerField(verbose_name=_("fit delta"))
    engagement_delta = models.IntegerField(verbose_name=_("engagement delta"))
    cause = models.CharField(max_length=10, choices=ScoreCause.choices, verbose_name=_("cause"))
    ruleset = optional_fk(RuleSet, _("rule set"), blank=False)

    class Meta:
        verbose_name = _("score change")
        indexes = [models.Index(fields=["contact", "at"], name="scoring_change_contact_at")]

    def __str__(self) -> str:
        deltas = f"{self.fit_delta:+d} fit, {self.engagement_delta:+d} engagement"
        return f"#{self.contact_id} {self.at:%Y-%m-%d %H:%M}: {deltas}"

    @property
    def delta(self) -> int:
        return self.fit_delta + self.engagement_delta


class ContactRuleScore(models.Model):
    """How often one rule matched one contact: the breakdown, and the ``max_times`` counter.

    ``value`` is the count decayed (each event worth ``0.5 ** (age / half_life)``), valid at
    ``as_of``, for rules that decay; the plain count for the others. Points are applied
    when summing up (``points * value``), so changing a rule's points needs no rebuild.

    This table holds a row per contact and matching rule (millions), rebuilt in bulk by a
    recompute: a composite key keeps it to one index, and it has no database foreign keys
    (their per-row checks doubled the time of a rebuild on PostgreSQL). Rows are written
    only by ``scoring.services`` under the contact's lock; contacts are never deleted (an
    erasure keeps the row) and a rule that has rows is protected by the ORM.
    """

    pk = models.CompositePrimaryKey("contact", "rule")
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("contact"),
    )
    rule = models.ForeignKey(
        Rule,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("rule"),
    )
    times = models.PositiveIntegerField(default=0, verbose_name=_("times"))
    value = models.FloatField(default=0.0, verbose_name=_("value"))
    as_of = models.DateTimeField(default=timezone.now, verbose_name=_("as of"))

    def __str__(self) -> str:
        return f"#{self.contact_id}: rule {self.rule_id} x{self.times}"


class ShadowScore(ScoreParts):
    """A contact's score parts by the version in shadow, kept beside its real ones
    (``ContactScore``) while the shadow runs and kept afterwards for the comparison. The
    counters of the version's rules live in ``ContactRuleScore`` like any rule's.

    ``mql`` says the contact is over the version's MQL line; ``crossed_at`` is when the
    version would first have made it an MQL since the shadow began (empty: it would not
    have, or it was already over the line when the shadow began).
    """

    pk = models.CompositePrimaryKey("ruleset", "contact")
    ruleset = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="+", verbose_name=_("rule set")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,  # as ``ContactRuleScore``: rebuilt in bulk
        verbose_name=_("contact"),
    )
    crossed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("crossed at"))

    class Meta:
        verbose_name = _("shadow score")
        indexes = [
            models.Index(
                fields=["ruleset", "crossed_at"],
                condition=models.Q(crossed_at__isnull=False),
                name="scoring_shadow_crossed",
            )
        ]

    def __str__(self) -> str:
        return f"Shadow score of #{self.contact_id} by version {self.ruleset_id}"


class ShadowJob(ContactRangeJob):
    """The start of a shadow run: every contact scored by the version, from its stored
    activities and profile, before new events are scored by it as they come."""

    ruleset = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="+", verbose_name=_("rule set")
    )

    class Meta(ContactRangeJob.Meta):
        pass

    def __str__(self) -> str:
        return f"Shadow build #{self.pk} ({self.status})"


class RecomputeJob(ContactRangeJob):
    """A rescoring of every contact after rules or settings changed.

    Only the counters of the rules in ``rebuild`` (those whose definition changed since
    their counters were built, or every rule when ``full``) are rebuilt from the stored
    activities; every contact's score is then summed up again from its counters with the
    current points, and checked against the current thresholds.
    """

    promoted = models.PositiveIntegerField(
        default=0, help_text=_("Contacts that became MQLs."), verbose_name=_("promoted")
    )
    full = models.BooleanField(
        default=False, help_text=_("Rebuild the counters of every rule."), verbose_name=_("full")
    )
    rebuild = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Rules whose counters are rebuilt: id -> signature."),
        verbose_name=_("rebuild"),
    )

    class Meta(ContactRangeJob.Meta):
        pass

    def __str__(self) -> str:
        return f"Recompute #{self.pk} ({self.status})"
