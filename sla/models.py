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
from django.utils import timezone
from django_countries.fields import CountryField

from leads.dates import validate_planned_moment
from leads.models import Channel, Contact
from leads.roles import has_role
from leads.stages import Move, Role, Stage

from .calendar import BusinessCalendar, add_business_hours


class ClockKind(models.TextChoices):
    MQL_RESPONSE = "mql_response", "MQL awaiting accept or reject"
    FIRST_TOUCH = "first_touch", "First sales touch"
    SQL_DECISION = "sql_decision", "SQL awaiting a QSO decision"


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

    FIRST_ACTION = "first_action", "The first sales action (claim, accept or reject)"
    FIRST_TOUCH = "first_touch", "The first outbound call, e-mail or meeting (or an answer)"


# Clocks a touch may answer: those of the MQL hand-off (an SQL decision is not a touch).
TOUCH_CLOCKS = frozenset({ClockKind.MQL_RESPONSE, ClockKind.FIRST_TOUCH})


def says_unreachable(reason: str) -> bool:
    """A rejection giving "Unreachable" as its reason (the queue's reason of that name)."""
    return reason.strip().lower().startswith("unreachable")


class BreachAction(models.TextChoices):
    NOTIFY = "notify", "Notify the rep and the managers"
    REASSIGN = "reassign", "Reassign to the next rep with a fresh clock"
    ESCALATE = "escalate", "Hand over to the escalation manager"


def time_zones() -> list[str]:
    """The IANA time zone names a policy may count its working hours in."""
    return sorted(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"Unknown time zone {value!r} (use an IANA name: Europe/Paris).")


def _weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class SlaPolicy(models.Model):
    """How long a clock may run before it is a breach, counted in plain or working hours, and
    what a breach does. At most one active policy per clock, so a contact's deadline is never
    ambiguous; a policy's changes apply to clocks started after them (a promised deadline
    stays as it was promised)."""

    name = models.CharField(max_length=200, unique=True)
    clock = models.CharField(max_length=20, choices=ClockKind.choices)
    hours = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    business_hours = models.BooleanField(
        default=False, help_text="Count only the working hours below, not night and weekend."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    work_days = models.JSONField(default=_weekdays, help_text="Working days, 0 = Monday.")
    start_hour = models.PositiveSmallIntegerField(default=9)
    end_hour = models.PositiveSmallIntegerField(default=18)
    action = models.CharField(
        max_length=20, choices=BreachAction.choices, default=BreachAction.NOTIFY
    )
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The manager a breached contact is handed to (action 'escalate').",
    )
    stops_on = models.CharField(
        max_length=20,
        choices=StopsOn.choices,
        default=StopsOn.FIRST_ACTION,
        db_default=StopsOn.FIRST_ACTION.value,
        help_text="What answers the clock.",
    )
    unreachable_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Outbound attempts a rep must log before rejecting an MQL as unreachable.",
    )
    unreachable_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days the attempts must span, from the first one to the rejection.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        ordering = ["clock", "-active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"],
                condition=models.Q(active=True),
                name="sla_one_active_policy_per_clock",
                violation_error_message="Another active policy runs this clock already.",
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="sla_policy_hours_gt_0"),
            models.CheckConstraint(
                condition=models.Q(start_hour__lt=models.F("end_hour"), end_hour__lte=24),
                name="sla_policy_working_hours",
                violation_error_message="Working hours need start_hour < end_hour <= 24.",
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
            raise ValidationError({"work_days": ["A non-empty list of days, 0 (Mon) to 6."]})
        if self.action == BreachAction.ESCALATE:
            self._clean_escalation()
        errors = {}
        if self.clock not in TOUCH_CLOCKS:
            if self.stops_on == StopsOn.FIRST_TOUCH:
                errors["stops_on"] = ["Touches answer the MQL clocks only, not an SQL decision."]
            if self.unreachable_attempts:
                errors["unreachable_attempts"] = ["Only the MQL clocks count attempts."]
        if self.unreachable_days and not self.unreachable_attempts:
            errors["unreachable_attempts"] = ["Say how many attempts the days must hold."]
        if errors:
            raise ValidationError(errors)

    def _clean_escalation(self) -> None:
        manager = self.escalate_to
        if manager is None:
            raise ValidationError({"escalate_to": ["Name the manager breaches escalate to."]})
        # Owning a contact takes the sales role (leads.services.contact_assign): the
        # escalation manager is a sales manager, in both groups.
        if not (
            manager.is_active
            and has_role(manager, Role.MANAGERS)
            and has_role(manager, Role.SALES)
        ):
            raise ValidationError(
                {"escalate_to": ["Must be an active user in both the managers and sales groups."]}
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

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sla_clocks")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="clocks")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The rep judged on this deadline (empty: the shared queue, until claimed).",
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    acted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner answered (the move that stopped it)."
    )
    breached_at = models.DateTimeField(null=True, blank=True)

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

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="sla_breaches")
    clock = models.OneToOneField(Clock, on_delete=models.PROTECT, related_name="breach")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="breaches")
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sla_breaches",
        help_text="The rep who held the contact at the deadline (empty: the shared queue).",
    )
    due_at = models.DateTimeField()
    breached_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=BreachAction.choices)
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who got the contact when the breach reassigned or escalated it.",
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
    BREACH = "breach", "A deadline was missed"
    HANDED_OVER = "handed_over", "A breached contact was handed to you"


class Notification(models.Model):
    """An in-app message about a breach, also sent by e-mail in one digest per recipient.

    ``mailed_at`` is the e-mail step's claim, set before sending, so a message is mailed at
    most once. The text is rendered when read, so no personal data is copied here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sla_notifications"
    )
    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

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
        due = timezone.localtime(breach.due_at).strftime("%Y-%m-%d %H:%M %Z")
        line = f"{breach.contact}: {breach.get_kind_display()}, due {due}"
        if self.kind == NotificationKind.HANDED_OVER:
            return f"{line}, missed: handed over to you."
        return f"{line}, missed. Action: {breach.get_action_display().lower()}."


class AssignmentMode(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round-robin among the reps"
    QUEUE = "queue", "Shared queue: reps claim"


class AssignmentRule(models.Model):
    """Who gets a new MQL: the first active rule that matches it (by ``priority``) either
    deals it round-robin among its reps (all active reps when none are listed), skipping
    those away, or leaves it in the shared queue. No matching rule: the shared queue.

    ``last_rep`` is the round-robin cursor, read and moved under a row lock.
    """

    name = models.CharField(max_length=200, unique=True)
    priority = models.PositiveIntegerField(default=100, help_text="Lower is tried first.")
    active = models.BooleanField(default=True)
    mode = models.CharField(
        max_length=20, choices=AssignmentMode.choices, default=AssignmentMode.ROUND_ROBIN
    )
    country = CountryField(blank=True, help_text="Only contacts from this country.")
    channel = models.CharField(
        max_length=20,
        choices=Channel.choices,
        blank=True,
        help_text="Only contacts whose campaign has this channel.",
    )
    reps = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    last_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sla_availability"
    )
    away = models.BooleanField(default=False)
    away_until = models.DateTimeField(null=True, blank=True, validators=[validate_planned_moment])
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RepAvailabilityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "rep availability"

    def __str__(self) -> str:
        return f"{self.rep}: {'away' if self.away else 'available'}"


class PendingAssignment(models.Model):
    """An MQL waiting for the assignment task, written in the move's transaction.

    The task runs after the commit; if the broker was down it never runs, and the sweep
    finds this row instead. Deleting it is the claim: whoever deletes it assigns.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, primary_key=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.contact_id} waiting for assignment"
