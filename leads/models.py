"""The core of the funnel: contacts, the campaigns they came from, and their stage history."""

from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from . import matching
from .dates import DAY_WINDOW, validate_day
from .fields import optional_fk
from .normalise import validate_currency
from .roles import Capability, User, can, sees_every_contact
from .stages import FUNNEL, Move, Stage


class Channel(models.TextChoices):
    EBOOK = "ebook", _("E-book")
    WEBINAR = "webinar", _("Webinar")
    DEMO_REQUEST = "demo_request", _("Demo request")
    PAID_SEARCH = "paid_search", _("Paid search")
    PAID_SOCIAL = "paid_social", _("Paid social")
    EMAIL = "email", _("E-mail")
    EVENT = "event", _("Event")
    OUTBOUND = "outbound", _("Outbound")
    REFERRAL = "referral", _("Referral")
    ORGANIC = "organic", _("Organic")


class Campaign(models.Model):
    """A marketing action with a spend: what contacts are attributed to (first touch)."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    channel = models.CharField(
        max_length=20, choices=Channel.choices, db_index=True, verbose_name=_("channel")
    )
    spend = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, verbose_name=_("spend")
    )
    currency = models.CharField(
        max_length=3, default="EUR", validators=[validate_currency], verbose_name=_("currency")
    )
    started_on = models.DateField(
        validators=[validate_day], help_text=DAY_WINDOW, verbose_name=_("started on")
    )
    ended_on = models.DateField(
        null=True,
        blank=True,
        validators=[validate_day],
        help_text=DAY_WINDOW,
        verbose_name=_("ended on"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    utm_campaigns = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "The utm_campaign values that mean this campaign: a touch that carries one "
            "is credited to it."
        ),
        verbose_name=_("utm campaigns"),
    )

    class Meta:
        ordering = ["-started_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="campaign_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(spend__gte=0), name="campaign_spend_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name


class LeadStatus(models.TextChoices):
    """Where a rep's effort stands inside the stage, since the contact was last handed off
    (entered the stage or changed owner): derived from the logged sales touches."""

    NEW = "new", _("New")
    ATTEMPTING = "attempting", _("Attempting")
    CONNECTED = "connected", _("Connected")


class ContactQuerySet(models.QuerySet["Contact"]):
    def active(self) -> "ContactQuerySet":
        """Contacts whose personal data has not been erased, and not merged into another."""
        return self.filter(erased_at__isnull=True, merged_into__isnull=True)

    def counted(self) -> "ContactQuerySet":
        """The people the reports count: erased ones too (anonymously), but a contact
        merged into another only once, as the contact it was merged into."""
        return self.filter(merged_into__isnull=True)

    def visible_to(self, user: User) -> "ContactQuerySet":
        """The one scoping rule every page and endpoint goes through.

        Marketers and managers see every live contact; a rep sees their own, plus the
        unassigned MQLs of the shared queue that any rep may claim.
        """
        if sees_every_contact(user):
            return self.active()
        if can(user, Capability.OWN_CONTACTS):
            shared_queue = models.Q(owner__isnull=True, stage=Stage.MQL)
            return self.active().filter(models.Q(owner=user) | shared_queue)
        return self.none()

    def in_stage(self, *stages: Stage) -> "ContactQuerySet":
        return self.filter(stage__in=stages)

    def sla_overdue(self, now: datetime | None = None) -> "ContactQuerySet":
        return self.filter(sla_due_at__lt=now or timezone.now())


class Company(models.Model):
    """The organisation a set of contacts belongs to (an account).

    Contacts are grouped by their e-mail's domain, or, for an address at a free-mail
    provider (``FREE_MAIL_DOMAINS``), by the company they gave; ``key`` is that domain or
    ``name:`` and the name, lower-cased. The grouping is kept by ``leads.companies`` and
    the scores by ``scoring.companies``, both set-based.
    """

    key = models.CharField(max_length=260, unique=True, verbose_name=_("key"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    domain = models.CharField(max_length=254, blank=True, verbose_name=_("domain"))
    owner = optional_fk(
        settings.AUTH_USER_MODEL,
        _("owner"),
        related_name="owned_companies",
        help_text=_("The rep who works the account."),
    )
    contact_count = models.PositiveIntegerField(default=0, verbose_name=_("contacts"))
    fit_score = models.IntegerField(default=0, verbose_name=_("fit score"))
    engagement_score = models.IntegerField(default=0, verbose_name=_("engagement score"))
    score = models.IntegerField(default=0, db_index=True, verbose_name=_("score"))
    mqa_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When it became a marketing-qualified account (empty: it is not one)."),
        verbose_name=_("mqa at"),
    )
    scored_at = models.DateTimeField(null=True, blank=True, verbose_name=_("scored at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["-score", "name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person on their way down the funnel.

    ``stage`` and the stage timestamps are written only by ``leads.services``; every change
    of them has a ``Transition`` row.
    """

    email = models.EmailField(
        max_length=254, null=True, blank=True, verbose_name=_("email")
    )  # null once erased
    first_name = models.CharField(max_length=100, blank=True, verbose_name=_("first name"))
    last_name = models.CharField(max_length=100, blank=True, verbose_name=_("last name"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    company = models.CharField(max_length=200, blank=True, verbose_name=_("company"))
    job_title = models.CharField(max_length=200, blank=True, verbose_name=_("job title"))
    company_size = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("company size")
    )
    industry = models.CharField(max_length=100, blank=True, verbose_name=_("industry"))
    country = CountryField(blank=True)
    attributes = models.JSONField(default=dict, blank=True, verbose_name=_("attributes"))

    campaign = optional_fk(
        Campaign, _("campaign"), related_name="contacts", on_delete=models.PROTECT
    )
    owner = optional_fk(settings.AUTH_USER_MODEL, _("owner"), related_name="owned_contacts")
    # Kept by leads.companies from the e-mail and the company given, never typed in.
    account = optional_fk(Company, _("account"), related_name="contacts", editable=False)

    stage = models.CharField(
        max_length=20, choices=Stage.choices, default=Stage.CONTACT, verbose_name=_("stage")
    )
    stage_changed_at = models.DateTimeField(
        default=timezone.now, verbose_name=_("stage changed at")
    )
    score = models.IntegerField(default=0, verbose_name=_("score"))
    fit_score = models.IntegerField(default=0, verbose_name=_("fit score"))
    engagement_score = models.IntegerField(default=0, verbose_name=_("engagement score"))
    sla_due_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sla due at"))
    lead_status = models.CharField(
        max_length=12,
        choices=LeadStatus.choices,
        default=LeadStatus.NEW,
        db_default="new",
        verbose_name=_("lead status"),
    )

    # When the contact first reached each funnel stage (a skipped stage gets the time of the
    # move that skipped it), so reports count "reached X" without replaying history.
    lead_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lead at"))
    mql_at = models.DateTimeField(null=True, blank=True, verbose_name=_("mql at"))
    sql_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sql at"))
    qso_at = models.DateTimeField(null=True, blank=True, verbose_name=_("qso at"))
    client_at = models.DateTimeField(null=True, blank=True, verbose_name=_("client at"))

    # The opportunity, once qualified and won.
    budget = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("budget")
    )
    currency = models.CharField(max_length=3, blank=True, verbose_name=_("currency"))
    close_by = models.DateField(null=True, blank=True, verbose_name=_("close by"))
    won_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("won amount")
    )

    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    # When the person was first seen: the earliest of the record's creation, its first move
    # and its first activity event (a sync of older activity dates it back). The cohort key
    # of the reports; kept by ``leads.services`` so that no history row precedes it.
    first_seen_at = models.DateTimeField(
        default=timezone.now, db_default=Now(), verbose_name=_("first seen at")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    erased_at = models.DateTimeField(null=True, blank=True, verbose_name=_("erased at"))
    merged_into = optional_fk(
        "self",
        _("merged into"),
        related_name="merged_contacts",
        on_delete=models.PROTECT,
        help_text=_("The contact this one was merged into (``leads.merging``): the same person."),
    )

    # What duplicate detection compares (``leads.matching``), kept by every save.
    phone_key = matching.MatchKey(derive=matching.phone_key, sources=("phone",))
    email_key = matching.MatchKey(derive=matching.email_key, sources=("email",))
    name_key = matching.MatchKey(
        derive=matching.name_key, sources=("first_name", "last_name", "company")
    )

    objects = ContactQuerySet.as_manager()

    # Who the person is, in their own words.
    IDENTITY_FIELDS = ("email", "first_name", "last_name", "phone", "company", "job_title")
    # What erasing the person empties (``contact_erase``); the match keys follow their fields.
    PERSONAL_FIELDS = (*IDENTITY_FIELDS, "attributes")
    MATCH_KEYS = ("phone_key", "email_key", "name_key")
    # What a person tells about themselves: the fields a form, an import or the API edits.
    PROFILE_FIELDS = (*IDENTITY_FIELDS, "company_size", "industry", "country", "campaign")
    # Written by the lifecycle, scoring and SLA services only: read-only in the API, the
    # admin and every form (the one list of them).
    SYSTEM_FIELDS = (
        "stage",
        "score",
        "fit_score",
        "engagement_score",
        "owner",
        "created_at",
        "first_seen_at",
        "stage_changed_at",
        "sla_due_at",
        "lead_status",
        "lead_at",
        "mql_at",
        "sql_at",
        "qso_at",
        "client_at",
        "budget",
        "currency",
        "close_by",
        "won_amount",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="contact_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["stage", "owner"], name="contact_stage_owner"),
            models.Index(fields=["owner", "stage"], name="contact_owner_stage"),
            models.Index(fields=["owner", "lead_status"], name="contact_owner_lead_status"),
            models.Index(fields=["campaign", "stage"], name="contact_campaign_stage"),
            models.Index(fields=["created_at"], name="contact_created"),
            models.Index(fields=["first_seen_at"], name="contact_first_seen"),
            models.Index(fields=["score"], name="contact_score"),
            models.Index(
                fields=["phone_key"], name="contact_phone_key", condition=~models.Q(phone_key="")
            ),
            models.Index(
                fields=["email_key"], name="contact_email_key", condition=~models.Q(email_key="")
            ),
            models.Index(
                fields=["sla_due_at"],
                name="contact_sla_open",
                condition=models.Q(sla_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return f"Erased contact #{self.pk}"
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else str(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A save of some fields also saves the match keys derived from them."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            named = set(update_fields)
            for key in self.MATCH_KEYS:
                field = cast(matching.MatchKey, self._meta.get_field(key))
                if named & set(field.sources):
                    named.add(key)
            kwargs["update_fields"] = sorted(named)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @staticmethod
    def first_reached_fields(stage: Stage | str) -> list[str]:
        """The ``<stage>_at`` fields that reaching ``stage`` sets, skipped stages included."""
        if stage not in FUNNEL:
            return []
        return [f"{s}_at" for s in FUNNEL[: FUNNEL.index(stage) + 1]]


class Transition(models.Model):
    """One move of a contact, append-only: who, when, why, and the move's data.

    Reports and notifications read these rows; nothing updates or deletes them (erasing a
    contact keeps its transitions, which hold no personal data beyond the free-text reason).
    """

    given_to: str  # not stored: whom an assign or claim gave the contact to (the timeline)
    merged_from: int | None  # not stored: the record merged into this one it was made on

    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("contact")
    )
    move = models.CharField(max_length=20, choices=Move.choices, verbose_name=_("move"))
    from_stage = models.CharField(
        max_length=20, choices=Stage.choices, verbose_name=_("from stage")
    )
    to_stage = models.CharField(max_length=20, choices=Stage.choices, verbose_name=_("to stage"))
    at = models.DateTimeField(
        help_text=_("When the move took effect (an event's time)."), verbose_name=_("at")
    )
    recorded_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded at"))
    actor = optional_fk(
        settings.AUTH_USER_MODEL, _("actor"), help_text=_("Empty for moves made by the system.")
    )
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["contact", "at"], name="transition_contact_at"),
            models.Index(fields=["to_stage", "at"], name="transition_to_stage_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.contact_id}: {self.from_stage} -> {self.to_stage} ({self.move})"


class TouchSource(models.TextChoices):
    CREATED = "created", _("Created with a campaign")
    EVENT = "event", _("Activity event")
    FORM = "form", _("Form submission")
    IMPORT = "import", _("Import row")


class Touch(models.Model):
    """One time a campaign reached a contact: what the attribution models share each
    stage's credit over (``reporting.selectors.attribution``). Append-only.

    ``campaign`` is empty when the touch carried UTM values that no campaign claims yet; the
    values stay, and mapping them to a campaign (``Campaign.utm_campaigns``) credits it.
    """

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="touches", verbose_name=_("contact")
    )
    campaign = optional_fk(
        Campaign, _("campaign"), related_name="touches", on_delete=models.PROTECT
    )
    at = models.DateTimeField(verbose_name=_("at"))
    source = models.CharField(max_length=10, choices=TouchSource.choices, verbose_name=_("source"))
    utm_source = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("utm source")
    )
    utm_medium = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("utm medium")
    )
    utm_campaign = models.CharField(
        max_length=200, blank=True, default="", verbose_name=_("utm campaign")
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["contact", "at"], name="touch_contact_at"),
            models.Index(
                fields=["utm_campaign"],
                name="touch_unmapped_utm",
                condition=models.Q(campaign__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} @ {self.at:%Y-%m-%d}: {self.campaign_id or self.utm_campaign}"


class DefinitionQuerySet(models.QuerySet["Definition"]):
    def in_force(self) -> "DefinitionQuerySet":
        """The newest revision of each term: the definitions the team works by today."""
        newest = (
            Definition.objects.filter(term=models.OuterRef("term"))
            .order_by("-written_at", "-id")
            .values("pk")[:1]
        )
        return self.filter(pk=models.Subquery(newest))


class Definition(models.Model):
    """One revision of what a funnel term means in this company, and the SLA agreed.

    Marketing and sales must judge leads by the same written words ("one dashboard, one
    definition"), so every role reads them and managers write them. Revisions are
    append-only: a change is a new dated, attributed row and the newest row of a term is
    the one in force, so nobody can quietly rewrite what "MQL" meant last quarter.
    """

    class Term(models.TextChoices):
        # The values of the stages they define, so a contact page can show its stage's text.
        LEAD = Stage.LEAD.value, "Lead"
        MQL = Stage.MQL.value, "MQL"
        SQL = Stage.SQL.value, "SQL"
        QSO = Stage.QSO.value, "QSO"
        CLIENT = Stage.CLIENT.value, "Client"
        RECYCLED = Stage.RECYCLED.value, "Recycled"
        DISQUALIFIED = Stage.DISQUALIFIED.value, "Disqualified"
        LOST = Stage.LOST.value, "Lost"
        SLA = "sla", _("SLA between marketing and sales")

    term = models.CharField(max_length=20, choices=Term.choices, verbose_name=_("term"))
    text = models.TextField(verbose_name=_("text"))
    written_at = models.DateTimeField(default=timezone.now, verbose_name=_("written at"))
    written_by = optional_fk(settings.AUTH_USER_MODEL, _("written by"))

    objects = DefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["term", "-written_at", "-id"]
        indexes = [models.Index(fields=["term", "-written_at"], name="definition_term_newest")]

    def __str__(self) -> str:
        return f"{self.get_term_display()} ({self.written_at:%Y-%m-%d})"


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self, now: datetime) -> "ApiKeyQuerySet":
        """Keys that authenticate: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """An API key of a user or a service account, stored as a hash only (knox's design: a
    database backup gives no usable key). ``prefix`` (the key's first characters, not
    secret) finds the row; the SHA-256 digest of the whole key, compared in constant time,
    proves it. The key itself is shown once, when it is made (``leads.api_keys``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("user"),
    )
    name = models.CharField(
        max_length=100, blank=True, help_text=_("What or who uses it."), verbose_name=_("name")
    )
    prefix = models.CharField(
        max_length=12, db_index=True, editable=False, verbose_name=_("prefix")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("digest"))
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Empty: never."), verbose_name=_("expires at")
    )
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("last used at")
    )
    revoked_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("revoked at")
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user}{', ' + self.name if self.name else ''})"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ContactRangeJob(models.Model):
    """Background work over every contact, polled by the caller (``leads.jobs.job_run``).

    The Celery task works through contact id ranges; ``cursor`` is the next id to do and
    advances in the same transaction as each range's work, so a redelivered or concurrent
    run of the task resumes where the last committed range ended instead of redoing it.
    """

    status = models.CharField(
        max_length=10,
        choices=JobStatus.choices,
        default=JobStatus.PENDING,
        verbose_name=_("status"),
    )
    requested_by = optional_fk(settings.AUTH_USER_MODEL)
    total = models.PositiveIntegerField(
        default=0, help_text=_("Contacts to go through."), verbose_name=_("total")
    )
    done = models.PositiveIntegerField(
        default=0, help_text=_("Contacts done so far."), verbose_name=_("done")
    )
    cursor = models.BigIntegerField(
        default=0, help_text=_("Next contact id to do."), verbose_name=_("cursor")
    )
    last_id = models.BigIntegerField(
        default=0, help_text=_("Largest contact id at the start."), verbose_name=_("last id")
    )
    error = models.TextField(blank=True, verbose_name=_("error"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    heartbeat_at = models.DateTimeField(
        default=timezone.now,
        help_text=_("Queued or last range committed: a job quiet for long lost its task."),
        verbose_name=_("heartbeat at"),
    )

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def progress(self) -> float:
        """Share of the work done, 0 to 1."""
        if self.status == JobStatus.DONE:
            return 1.0
        return min(1.0, self.done / self.total) if self.total else 0.0

    @property
    def running(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)


class DuplicatePair(models.Model):
    """Two contacts that look like one person (``leads.duplicates``): how sure, and why.

    ``first`` is the lower id, so a pair is stored once. A pair dismissed as two people
    keeps its row with ``dismissed_at``, so that no later scan suggests it again.
    """

    first = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("first")
    )
    second = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("second")
    )
    score = models.FloatField(
        help_text=_("From 0 to 1: how likely the two are one person."), verbose_name=_("score")
    )
    reasons = models.JSONField(default=list, verbose_name=_("reasons"))
    found_at = models.DateTimeField(default=timezone.now, verbose_name=_("found at"))
    checked_at = models.DateTimeField(
        default=timezone.now,
        help_text=_("Last found by a refresh or a scan."),
        verbose_name=_("checked at"),
    )
    dismissed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("dismissed at"))
    dismissed_by = optional_fk(settings.AUTH_USER_MODEL)

    class Meta:
        ordering = ["-score", "first_id", "second_id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["second"], name="duplicate_pair_second")]

    def __str__(self) -> str:
        return f"#{self.first_id} ~ #{self.second_id} ({self.score:.2f})"


class Merge(models.Model):
    """One contact (``other``) merged into another (``survivor``), and how to take it back.

    ``before`` holds both contacts' fields as they were; ``changed`` the survivor's fields
    the merge set; ``moved`` the rows each app moved from the other to the survivor, by
    table (the apps fill it through ``leads.signals.contacts_merged``). An undo reads all
    three (``leads.merging.merge_undo``).
    """

    survivor = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="merges", verbose_name=_("survivor")
    )
    other = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("other")
    )
    by = optional_fk(settings.AUTH_USER_MODEL)
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    choices = models.JSONField(default=dict, blank=True, verbose_name=_("choices"))
    before = models.JSONField(default=dict, verbose_name=_("before"))
    changed = models.JSONField(default=dict, verbose_name=_("changed"))
    moved = models.JSONField(default=dict, verbose_name=_("moved"))
    undone_at = models.DateTimeField(null=True, blank=True, verbose_name=_("undone at"))
    undone_by = optional_fk(settings.AUTH_USER_MODEL)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["other"], name="merge_other")]

    def __str__(self) -> str:
        return f"#{self.other_id} into #{self.survivor_id}"


class DuplicateScan(ContactRangeJob):
    """A search of every live contact for look-alikes (``leads.duplicates.scan_run``): the
    pairs of each id range are stored as the range is done, and the open pairs no scan or
    refresh found since the scan began are removed at its end."""

    found = models.PositiveIntegerField(
        default=0, help_text=_("Pairs found so far."), verbose_name=_("found")
    )

    class Meta(ContactRangeJob.Meta):
        pass

    def __str__(self) -> str:
        return f"Duplicate scan #{self.pk} ({self.status})"
