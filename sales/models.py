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
from django.utils.translation import gettext_lazy as _

from leads.fields import optional_fk
from leads.models import Contact


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class Outcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    SENT = "sent", _("Sent")
    REPLIED = "replied", _("Replied")
    BOUNCED = "bounced", _("Bounced")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


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

    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="sales_activities",
        verbose_name=_("contact"),
    )
    kind = models.CharField(max_length=10, choices=ActivityKind.choices, verbose_name=_("kind"))
    direction = models.CharField(
        max_length=10, choices=Direction.choices, blank=True, verbose_name=_("direction")
    )
    outcome = models.CharField(
        max_length=20, choices=Outcome.choices, blank=True, verbose_name=_("outcome")
    )
    occurred_at = models.DateTimeField(default=timezone.now, verbose_name=_("occurred at"))
    duration_minutes = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("duration minutes")
    )
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("subject"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sales_activities",
        verbose_name=_("owner"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("author"),
    )
    external_id = models.CharField(
        max_length=200, null=True, blank=True, unique=True, verbose_name=_("external id")
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

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
        verbose_name_plural = _("sales activities")
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
        EDITED = "edited", _("Edited")
        DELETED = "deleted", _("Deleted")

    activity = optional_fk(SalesActivity, _("activity"), related_name="revisions", blank=False)
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("contact")
    )
    change = models.CharField(max_length=10, choices=Change.choices, verbose_name=_("change"))
    before = models.JSONField(
        encoder=DjangoJSONEncoder,
        help_text=_("The fields as they were before the change."),
        verbose_name=_("before"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_change_display()} activity #{self.activity_id}"


class TaskKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    TODO = "todo", _("To-do")


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

    title = models.CharField(max_length=200, verbose_name=_("title"))
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="sales_tasks", verbose_name=_("contact")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sales_tasks",
        verbose_name=_("owner"),
    )
    kind = models.CharField(
        max_length=10, choices=TaskKind.choices, default=TaskKind.TODO, verbose_name=_("kind")
    )
    due_at = models.DateTimeField(verbose_name=_("due at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    reminded_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("reminded at")
    )
    activity = optional_fk(SalesActivity, _("activity"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )

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
