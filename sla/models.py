"""
Service levels between marketing and sales: the policies, the clocks they run on contacts,
the breaches the checker records, who gets new MQLs, and who is told.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from leads.dates import validate_planned_moment
from leads.fields import optional_fk
from leads.models import Channel, Contact
from leads.roles import has_role
from leads.stages import Move, Role, Stage

from .calendar import BusinessCalendar, add_business_hours


class ClockKind(models.TextChoices):
    MQL_RESPONSE = "mql_response", _("MQL awaiting accept or reject")
    FIRST_TOUCH = "first_touch", _("First sales touch")
    SQL_DECISION = "sql_decision", _("SQL awaiting a QSO decision")


# The stage each clock watches: it starts when a contact enters the stage, stops when it
# leaves. Two clocks may run on one MQL (the first touch within the hour, the answer within
# two days); the contact's deadline is the earliest of them.
CLOCK_STAGES: dict[ClockKind, Stage] = {
    ClockKind.MQL_RESPONSE: Stage.MQL,
    ClockKind.FIRST_TOUCH: Stage.MQL,
    ClockKind.SQL_DECISION: Stage.SQL,
}
# Moves that stop a clock while the stage stays: a rep taking an MQL from the shared queue
# is the first sales touch the system can see (accepting or rejecting leave the stage).
CLOCK_STOPPING_MOVES: dict[ClockKind, frozenset[Move]] = {
    ClockKind.FIRST_TOUCH: frozenset({Move.CLAIM}),
}
# The sales actions each clock waits for: a clock stopped by one of them (made by a person,
# not the system) was answered at that moment, and is judged in time or late by it. A clock
# stopped any other way (a reassignment, the policy switched off) was never answered.
CLOCK_ANSWERS: dict[ClockKind, frozenset[Move]] = {
    ClockKind.MQL_RESPONSE: frozenset({Move.ACCEPT, Move.REJECT}),
    ClockKind.FIRST_TOUCH: frozenset({Move.CLAIM, Move.ACCEPT, Move.REJECT}),
    ClockKind.SQL_DECISION: frozenset({Move.QUALIFY, Move.LOSE}),
}


class StopsOn(models.TextChoices):
    """What answers a clock: a sales action on the contact (accept, reject, or the claim of
    a first-touch clock), or the first outbound call, e-mail or meeting the rep logs, or an
    accept or reject, whichever comes first."""

    FIRST_ACTION = "first_action", _("The first sales action (claim, accept or reject)")
    FIRST_TOUCH = "first_touch", _("The first outbound call, e-mail or meeting (or an answer)")


# Clocks a touch may answer: those of the MQL hand-off (an SQL decision is not a touch).
TOUCH_CLOCKS = frozenset({ClockKind.MQL_RESPONSE, ClockKind.FIRST_TOUCH})


def says_unreachable(reason: str) -> bool:
    """A rejection giving "Unreachable" as its reason (the queue's reason of that name) in
    any of the app's languages: reasons are stored as the rep wrote them, and a French rep's
    « Injoignable » is the same verdict."""
    words = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.append(gettext("Unreachable").lower())
    return reason.strip().lower().startswith(tuple(words))


class BreachAction(models.TextChoices):
    NOTIFY = "notify", _("Notify the rep and the managers")
    REASSIGN = "reassign", _("Reassign to the next rep with a fresh clock")
    ESCALATE = "escalate", _("Hand over to the escalation manager")


def time_zones() -> list[str]:
    """The IANA time zone names a policy may count its working hours in."""
    return sorted(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("Unknown time zone %(zone)r (use an IANA name: Europe/Paris).") % {"zone": value}
        )


def _weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class SlaPolicy(models.Model):
    """How long a clock may run before it is a breach, counted in plain or working hours, and
    what a breach does. At most one active policy per clock, so a contact's deadline is never
    ambiguous; a policy's changes apply to clocks started after them (a promised deadline
    stays as it was promised)."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    clock = models.CharField(max_length=20, choices=ClockKind.choices, verbose_name=_("clock"))
    hours = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        verbose_name=_("hours"),
    )
    business_hours = models.BooleanField(
        default=False,
        help_text=_("Count only the working hours below, not night and weekend."),
        verbose_name=_("business hours"),
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], verbose_name=_("time zone")
    )
    work_days = models.JSONField(
        default=_weekdays, help_text=_("Working days, 0 = Monday."), verbose_name=_("work days")
    )
    start_hour = models.PositiveSmallIntegerField(default=9, verbose_name=_("start hour"))
    end_hour = models.PositiveSmallIntegerField(default=18, verbose_name=_("end hour"))
    action = models.CharField(
        max_length=20,
        choices=BreachAction.choices,
        default=BreachAction.NOTIFY,
        verbose_name=_("action"),
    )
    escalate_to = optional_fk(
        settings.AUTH_USER_MODEL,
        _("escalate to"),
        on_delete=models.PROTECT,
        help_text=_("The manager a breached contact is handed to (action 'escalate')."),
    )
    stops_on = models.CharField(
        max_length=20,
        choices=StopsOn.choices,
        default=StopsOn.FIRST_ACTION,
        db_default=StopsOn.FIRST_ACTION.value,
        help_text=_("What answers the clock."),
        verbose_name=_("stops on"),
    )
    unreachable_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Outbound attempts a rep must log before rejecting an MQL as unreachable."),
        verbose_name=_("unreachable attempts"),
    )
    unreachable_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Days the attempts must span, from the first one to the rejection."),
        verbose_name=_("unreachable days"),
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["clock", "-active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"],
                condition=models.Q(active=True),
                name="sla_one_active_policy_per_clock",
                violation_error_message=_("Another active policy runs this clock already."),
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="sla_policy_hours_gt_0"),
            models.CheckConstraint(
                condition=models.Q(start_hour__lt=models.F("end_hour"), end_hour__lte=24),
                name="sla_policy_working_hours",
                violation_error_message=_("Working hours need start_hour < end_hour <= 24."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage(self) -> Stage:
        return CLOCK_STAGES[ClockKind(self.clock)]

    def clean(self) -> None:
        days = self.work_days
        if not isinstance(days, list) or not days or not set(days) <= set(range(7)):
            raise ValidationError({"work_days": [_("A non-empty list of days, 0 (Mon) to 6.")]})
        if self.action == BreachAction.ESCALATE:
            self._clean_escalation()
        errors = {}
        if self.clock not in TOUCH_CLOCKS:
            if self.stops_on == StopsOn.FIRST_TOUCH:
                errors["stops_on"] = [
                    _("Touches answer the MQL clocks only, not an SQL decision.")
                ]
            if self.unreachable_attempts:
                errors["unreachable_attempts"] = [_("Only the MQL clocks count attempts.")]
        if self.unreachable_days and not self.unreachable_attempts:
            errors["unreachable_attempts"] = [_("Say how many attempts the days must hold.")]
        if errors:
            raise ValidationError(errors)

    def _clean_escalation(self) -> None:
        manager = self.escalate_to
        if manager is None:
            raise ValidationError({"escalate_to": [_("Name the manager breaches escalate to.")]})
        # Owning a contact takes the sales role (leads.services.contact_assign): the
        # escalation manager is a sales manager, in both groups.
        if not (
            manager.is_active
            and has_role(manager, Role.MANAGERS)
            and has_role(manager, Role.SALES)
        ):
            raise ValidationError(
                {
                    "escalate_to": [
                        _("Must be an active user in both the managers and sales groups.")
                    ]
                }
            )

    def calendar(self) -> BusinessCalendar | None:
        if not self.business_hours:
            return None
        return BusinessCalendar(
            time_zone=ZoneInfo(self.time_zone),
            work_days=frozenset(self.work_days),
            start_hour=self.start_hour,
            end_hour=self.end_hour,
        )

    def deadline(self, start: datetime) -> datetime:
        """When a clock started at ``start`` under this policy is due."""
        calendar = self.calendar()
        if calendar is None:
            return start + timedelta(hours=float(self.hours))
        return add_business_hours(start, float(self.hours), calendar)


class ClockQuerySet(models.QuerySet):
    def running(self) -> "ClockQuerySet":
        """Clocks whose contact is still in the watched stage (breached or not)."""
        return self.filter(stopped_at__isnull=True)

    def due(self, now: datetime) -> "ClockQuerySet":
        """Running clocks past their deadline and not yet breached: the sweep's work, read
        through the partial index ``sla_clock_due`` (its cost follows the number due)."""
        return self.filter(stopped_at__isnull=True, breached_at__isnull=True, due_at__lte=now)


class Clock(models.Model):
    """One hand-off: a deadline running on one contact for one owner, from entering a stage
    (or from a reassignment) to the answer, the next reassignment or leaving the stage.

    Started and stopped in the same transaction as the move that caused it, so a committed
    stage change always has its clock. ``due_at`` is fixed when the hand-off is made, from
    the policy of that moment: every verdict (``sla.verdicts``) reads it, so a later policy
    edit changes no past verdict. ``acted_at`` is when the owner answered (``CLOCK_ANSWERS``).
    ``breached_at`` is the sweep's claim: set once, by a conditional update on a locked row,
    so a clock breaches at most once.
    """

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="sla_clocks", verbose_name=_("contact")
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.PROTECT, related_name="clocks", verbose_name=_("policy")
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices, verbose_name=_("kind"))
    owner = optional_fk(
        settings.AUTH_USER_MODEL,
        _("owner"),
        help_text=_("The rep judged on this deadline (empty: the shared queue, until claimed)."),
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    due_at = models.DateTimeField(verbose_name=_("due at"))
    stopped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("stopped at"))
    acted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the owner answered (the move that stopped it)."),
        verbose_name=_("acted at"),
    )
    breached_at = models.DateTimeField(null=True, blank=True, verbose_name=_("breached at"))

    objects = ClockQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "kind"],
                condition=models.Q(stopped_at__isnull=True),
                name="sla_one_running_clock_per_kind",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="sla_clock_due",
                condition=models.Q(stopped_at__isnull=True, breached_at__isnull=True),
            ),
            models.Index(
                fields=["contact"],
                name="sla_clock_running",
                condition=models.Q(stopped_at__isnull=True),
            ),
            # The reports find a pass's first hand-off by its contact and start.
            models.Index(fields=["contact", "kind", "started_at"], name="sla_clock_handoff"),
            models.Index(fields=["kind", "started_at"], name="sla_clock_started"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.contact_id}, due {self.due_at:%Y-%m-%d %H:%M}"


class Breach(models.Model):
    """A missed deadline, written once by the sweep: who held the contact, when it was due,
    what was done about it, and when the contact finally left the stage (``resolved_at``)."""

    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="sla_breaches", verbose_name=_("contact")
    )
    clock = models.OneToOneField(
        Clock, on_delete=models.PROTECT, related_name="breach", verbose_name=_("clock")
    )
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.PROTECT, related_name="breaches", verbose_name=_("policy")
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices, verbose_name=_("kind"))
    owner = optional_fk(
        settings.AUTH_USER_MODEL,
        _("owner"),
        related_name="sla_breaches",
        help_text=_("The rep who held the contact at the deadline (empty: the shared queue)."),
    )
    due_at = models.DateTimeField(verbose_name=_("due at"))
    breached_at = models.DateTimeField(verbose_name=_("breached at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    action = models.CharField(
        max_length=20, choices=BreachAction.choices, verbose_name=_("action")
    )
    handed_to = optional_fk(
        settings.AUTH_USER_MODEL,
        _("handed to"),
        help_text=_("Who got the contact when the breach reassigned or escalated it."),
    )

    class Meta:
        verbose_name_plural = "breaches"
        ordering = ["-breached_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "breached_at"], name="sla_breach_owner"),
            models.Index(fields=["breached_at"], name="sla_breach_at"),
            models.Index(
                fields=["contact"],
                name="sla_breach_unresolved",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} missed on #{self.contact_id}"


class NotificationKind(models.TextChoices):
    BREACH = "breach", _("A deadline was missed")
    HANDED_OVER = "handed_over", _("A breached contact was handed to you")


class Notification(models.Model):
    """An in-app message about a breach, also sent by e-mail in one digest per recipient.

    ``mailed_at`` is the e-mail step's claim, set before sending, so a message is mailed at
    most once. The text is rendered when read, so no personal data is copied here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sla_notifications",
        verbose_name=_("user"),
    )
    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("breach")
    )
    kind = models.CharField(
        max_length=20, choices=NotificationKind.choices, verbose_name=_("kind")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    mailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("mailed at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "breach", "kind"], name="sla_one_notification_per_breach"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="sla_notification_user"),
            models.Index(
                fields=["user"],
                name="sla_notification_unmailed",
                condition=models.Q(mailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (#{self.breach.contact_id}) for {self.user}"

    @property
    def text(self) -> str:
        """One line for the inbox and the e-mail digest, rendered from the live rows (an
        erased contact reads as "Erased contact #id")."""
        breach = self.breach
        facts = {
            "contact": breach.contact,
            "kind": breach.get_kind_display(),
            "due": timezone.localtime(breach.due_at).strftime("%Y-%m-%d %H:%M %Z"),
            "action": breach.get_action_display().lower(),
        }
        if self.kind == NotificationKind.HANDED_OVER:
            return (
                gettext("%(contact)s: %(kind)s, due %(due)s, missed: handed over to you.") % facts
            )
        return gettext("%(contact)s: %(kind)s, due %(due)s, missed. Action: %(action)s.") % facts


class AssignmentMode(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin among the reps")
    QUEUE = "queue", _("Shared queue: reps claim")


class AssignmentRule(models.Model):
    """Who gets a new MQL: the first active rule that matches it (by ``priority``) either
    deals it round-robin among its reps (all active reps when none are listed), skipping
    those away, or leaves it in the shared queue. No matching rule: the shared queue.

    ``last_rep`` is the round-robin cursor, read and moved under a row lock.
    """

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    priority = models.PositiveIntegerField(
        default=100, help_text=_("Lower is tried first."), verbose_name=_("priority")
    )
    active = models.BooleanField(default=True, verbose_name=_("active"))
    mode = models.CharField(
        max_length=20,
        choices=AssignmentMode.choices,
        default=AssignmentMode.ROUND_ROBIN,
        verbose_name=_("mode"),
    )
    country = CountryField(blank=True, help_text=_("Only contacts from this country."))
    channel = models.CharField(
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text=_("Only contacts whose campaign has this channel."),
        verbose_name=_("channel"),
    )
    reps = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("reps")
    )
    last_rep = optional_fk(settings.AUTH_USER_MODEL, _("last rep"), editable=False)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name

    def matches(self, contact: Contact) -> bool:
        if self.country and self.country != contact.country:
            return False
        channel = contact.campaign.channel if contact.campaign else ""
        return not self.channel or self.channel == channel


class RepAvailabilityQuerySet(models.QuerySet):
    def away(self, now: datetime) -> "RepAvailabilityQuerySet":
        return self.filter(away=True).filter(
            models.Q(away_until__isnull=True) | models.Q(away_until__gt=now)
        )


class RepAvailability(models.Model):
    """A rep marked away (holiday, sick leave): assignment and reassignment skip them until
    they are back (``away_until``, or until the mark is lifted)."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sla_availability",
        verbose_name=_("rep"),
    )
    away = models.BooleanField(default=False, verbose_name=_("away"))
    away_until = models.DateTimeField(
        null=True, blank=True, validators=[validate_planned_moment], verbose_name=_("away until")
    )
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = RepAvailabilityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("rep availability")

    def __str__(self) -> str:
        return f"{self.rep}: {'away' if self.away else 'available'}"


class PendingAssignment(models.Model):
    """An MQL waiting for the assignment task, written in the move's transaction.

    The task runs after the commit; if the broker was down it never runs, and the sweep
    finds this row instead. Deleting it is the claim: whoever deletes it assigns.
    """

    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, primary_key=True, verbose_name=_("contact")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    def __str__(self) -> str:
        return f"#{self.contact_id} waiting for assignment"
