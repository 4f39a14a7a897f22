"""
A rep's day on a contact: the calls, e-mails, meetings and notes they log (sales
activities, not the marketing events that ``scoring`` scores) and the tasks that remind them
of the next touch.
"""

from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from leads.models import Contact


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    NOTE = "note", "Note"


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "Outbound"
    INBOUND = "inbound", "Inbound"


class Outcome(models.TextChoices):
    CONNECTED = "connected", "Connected"
    VOICEMAIL = "voicemail", "Left a voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    SENT = "sent", "Sent"
    REPLIED = "replied", "Replied"
    BOUNCED = "bounced", "Bounced"
    HELD = "held", "Held"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


# The outcomes each kind of activity may have (a note has none, nor a direction).
OUTCOMES: dict[ActivityKind, tuple[Outcome, ...]] = {
    ActivityKind.CALL: (
        Outcome.CONNECTED,
        Outcome.VOICEMAIL,
        Outcome.NO_ANSWER,
        Outcome.WRONG_NUMBER,
    ),
    ActivityKind.EMAIL: (Outcome.SENT, Outcome.REPLIED, Outcome.BOUNCED),
    ActivityKind.MEETING: (Outcome.HELD, Outcome.NO_SHOW, Outcome.CANCELLED),
    ActivityKind.NOTE: (),
}
# A touch is an outbound call, e-mail or meeting: the rep reaching out. A touch or an
# inbound activity with one of the connecting outcomes means the two sides have spoken.
TOUCH_KINDS = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING)
# What makes an activity the touch it is (and when): an edit of one of these withdraws it.
TOUCH_FIELDS = ("kind", "direction", "occurred_at")
CONNECTING = (Outcome.CONNECTED, Outcome.REPLIED, Outcome.HELD)


class SalesActivityQuerySet(models.QuerySet["SalesActivity"]):
    def touches(self) -> "SalesActivityQuerySet":
        """Outbound calls, e-mails and meetings: the rep reaching out (the SLA's first touch,
        the attempts before "unreachable")."""
        return self.filter(kind__in=TOUCH_KINDS, direction=Direction.OUTBOUND)

    def connecting(self) -> "SalesActivityQuerySet":
        """A connected call, a replied e-mail or a held meeting."""
        return self.filter(kind__in=TOUCH_KINDS, outcome__in=CONNECTING)


class SalesActivity(models.Model):
    """A call, e-mail, meeting or note on a contact, logged by a rep (or a dialer, or a
    mail tool, which give their own ``external_id``: the same one twice is stored once).

    ``owner`` is whom it counts for (default: who logged it); ``author`` who logged it, the
    one person (managers aside) who may change it. Each change keeps the values it replaced
    (``ActivityRevision``).
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sales_activities")
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales_activities"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    external_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SalesActivityQuerySet.as_manager()

    # What a log or an edit sets (the rest is the system's).
    EDITABLE_FIELDS = (
        "kind",
        "direction",
        "outcome",
        "occurred_at",
        "duration_minutes",
        "subject",
        "body",
        "owner",
    )

    class Meta:
        verbose_name_plural = "sales activities"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "occurred_at"], name="salesactivity_contact_at"),
            models.Index(fields=["owner", "occurred_at"], name="salesactivity_owner_at"),
            models.Index(
                fields=["contact", "occurred_at"],
                name="salesactivity_touch",
                condition=models.Q(kind__in=["call", "email", "meeting"], direction="outbound"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.contact_id}"

    @property
    def is_touch(self) -> bool:
        return self.kind in TOUCH_KINDS and self.direction == Direction.OUTBOUND


class ActivityRevision(models.Model):
    """The values an edit (or a deletion) of an activity replaced, with who and when: the
    activity's own history, append-only."""

    class Change(models.TextChoices):
        EDITED = "edited", "Edited"
        DELETED = "deleted", "Deleted"

    activity = models.ForeignKey(
        SalesActivity, null=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    change = models.CharField(max_length=10, choices=Change.choices)
    before = models.JSONField(
        encoder=DjangoJSONEncoder, help_text="The fields as they were before the change."
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_change_display()} activity #{self.activity_id}"


class TaskKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    TODO = "todo", "To-do"


class SalesTaskQuerySet(models.QuerySet["SalesTask"]):
    def open(self) -> "SalesTaskQuerySet":
        return self.filter(done_at__isnull=True)

    def reminded(self) -> "SalesTaskQuerySet":
        """Open tasks whose reminder has gone out: the in-app reminder, until they are done."""
        return self.open().filter(reminded_at__isnull=False)

    def falling_due(self, now: datetime) -> "SalesTaskQuerySet":
        """Open tasks past their time whose reminder has not gone out: the beat's work."""
        return self.open().filter(due_at__lte=now, reminded_at__isnull=True)


class SalesTask(models.Model):
    """The next touch a rep means to make. ``reminded_at`` is the beat's claim on the
    reminder, so it goes out once; ``activity`` is the call or e-mail logged on completing."""

    title = models.CharField(max_length=200)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sales_tasks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales_tasks"
    )
    kind = models.CharField(max_length=10, choices=TaskKind.choices, default=TaskKind.TODO)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    activity = models.ForeignKey(
        SalesActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SalesTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["owner", "due_at"],
                name="salestask_open_owner",
                condition=models.Q(done_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="salestask_unreminded",
                condition=models.Q(done_at__isnull=True, reminded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title
