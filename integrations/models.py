"""
What connects leadfunnel to other tools: CSV imports (a job with its progress and its
rejected rows) and signed webhooks (subscriptions, an outbox of deliveries, their attempts).
"""

import secrets
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.fields import optional_fk
from leads.models import Campaign, Contact

from .addresses import validate_public_url


class OnDuplicate(models.TextChoices):
    """What an import does with a row whose e-mail is already known."""

    SKIP = "skip", _("Skip the row")
    UPDATE_BLANKS = "update_blanks", _("Fill in the contact's blank fields")
    OVERWRITE = "overwrite", _("Overwrite with the file's non-empty values")


class ImportJob(models.Model):
    """One CSV file imported into contacts, chunk after chunk, by a Celery task.

    ``processed_rows`` is the resume point: it moves forward in the same transaction as the
    chunk it counts, so a job whose worker died picks up after the last committed chunk and
    never applies a chunk twice. The file itself is kept in the database (the web server and
    the worker may not share a disk) and dropped once the job ends: it holds personal data
    that the report (counts and rejected line numbers) does not need.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for its column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    OPEN = (Status.DRAFT, Status.QUEUED, Status.RUNNING)

    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"), blank=False)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    file_name = models.CharField(max_length=255, verbose_name=_("file name"))
    file_size = models.PositiveBigIntegerField(verbose_name=_("file size"))
    content = models.BinaryField(null=True, editable=False, verbose_name=_("content"))
    # Moves when the file is rewritten while the job is open (an erased person's rows
    # blanked): a running task then reads the rest of the file again before its next chunk.
    content_revision = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("content revision")
    )
    encoding = models.CharField(max_length=20, verbose_name=_("encoding"))
    delimiter = models.CharField(max_length=1, verbose_name=_("delimiter"))
    columns = models.JSONField(
        default=list,
        help_text=_("The header row, as found in the file."),
        verbose_name=_("columns"),
    )
    mapping = models.JSONField(
        default=dict, help_text=_("Column header -> contact field."), verbose_name=_("mapping")
    )
    on_duplicate = models.CharField(
        max_length=20,
        choices=OnDuplicate.choices,
        default=OnDuplicate.SKIP,
        verbose_name=_("on duplicate"),
    )
    campaign = optional_fk(Campaign, _("campaign"))

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    total_rows = models.PositiveIntegerField(
        default=0,
        help_text=_("Data rows in the file: estimated from its lines until the end."),
        verbose_name=_("total rows"),
    )
    processed_rows = models.PositiveIntegerField(default=0, verbose_name=_("processed rows"))
    created_count = models.PositiveIntegerField(default=0, verbose_name=_("created count"))
    updated_count = models.PositiveIntegerField(default=0, verbose_name=_("updated count"))
    skipped_count = models.PositiveIntegerField(default=0, verbose_name=_("skipped count"))
    rejected_count = models.PositiveIntegerField(default=0, verbose_name=_("rejected count"))
    look_alike_count = models.PositiveIntegerField(
        default=0,
        help_text=_("Rows created that look like another contact."),
        verbose_name=_("look alike count"),
    )
    cancel_requested = models.BooleanField(default=False, verbose_name=_("cancel requested"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    heartbeat_at = models.DateTimeField(null=True, blank=True, verbose_name=_("heartbeat at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["heartbeat_at"],
                name="importjob_open",
                condition=models.Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.file_name} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def delimiter_label(self) -> str:
        return {",": "commas", ";": "semicolons", "\t": "tabs"}.get(self.delimiter, self.delimiter)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0


class ImportRejection(models.Model):
    """A row the import could not take, with why. Reasons never quote a personal value."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="rejections", verbose_name=_("job")
    )
    line = models.PositiveIntegerField(
        help_text=_("Line of the file where the row starts."), verbose_name=_("line")
    )
    reason = models.TextField(verbose_name=_("reason"))

    class Meta:
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"], name="importrejection_job_line")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportLookAlike(models.Model):
    """A row that created a contact looking like another one (``leads.duplicates``): the
    warning the import page shows, with the pair to compare."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="look_alikes", verbose_name=_("job")
    )
    line = models.PositiveIntegerField(
        help_text=_("Line of the file where the row starts."), verbose_name=_("line")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("contact")
    )
    looks_like = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("looks like")
    )
    score = models.FloatField(verbose_name=_("score"))

    class Meta:
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"], name="importlookalike_job_line")]

    def __str__(self) -> str:
        return f"line {self.line}: #{self.contact_id} looks like #{self.looks_like_id}"


class Event(models.TextChoices):
    """What a webhook can be told about (the names are the API contract)."""

    CONTACT_CREATED = "contact.created", _("A contact was created")
    CONTACT_STAGE_CHANGED = "contact.stage_changed", _("A contact changed stage")
    SLA_BREACHED = "sla.breached", _("An SLA deadline was missed")
    SCORE_THRESHOLD_CROSSED = "score.threshold_crossed", _("A score crossed a threshold")
    ACTIVITY_LOGGED = "activity.logged", _("A call, e-mail, meeting or note was logged")
    TASK_COMPLETED = "task.completed", _("A sales task was completed")
    CONTACT_MERGED = "contact.merged", _("A contact was merged into another")


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class Webhook(models.Model):
    """A receiver that other tools run: which events it wants, and the secret it checks.

    Every body sent to ``url`` is signed with ``secret`` (see ``integrations.signing``).
    """

    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"]), validate_public_url],
        help_text=_("http(s) on a public address (WEBHOOK_ALLOW_PRIVATE_TARGETS lifts that)."),
        verbose_name=_("url"),
    )
    events = models.JSONField(
        default=list,
        help_text=_("Event names, e.g. contact.stage_changed"),
        verbose_name=_("events"),
    )
    secret = models.CharField(max_length=200, default=new_secret, verbose_name=_("secret"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"), blank=False)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    """One event to send to one webhook: the outbox row, written in the commit of the change.

    A row is due when ``next_attempt_at`` has passed. Sending *claims* it first by pushing
    ``next_attempt_at`` a lease ahead with a conditional UPDATE, so two workers never send
    it at the same time and a worker that dies only delays it by the lease. Personal data
    lives in ``contact_data`` alone, which erasing the contact overwrites in one UPDATE.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed after the last try")
        CANCELLED = "cancelled", _("Cancelled: the person was erased")

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.CharField(max_length=40, choices=Event.choices, verbose_name=_("event"))
    event_id = models.UUIDField(
        default=uuid.uuid4, help_text=_("The same for every webhook."), verbose_name=_("event id")
    )
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    contact_id = models.BigIntegerField(
        help_text=_("Deliveries of one contact go out in order."), verbose_name=_("contact id")
    )
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder, verbose_name=_("data"))
    contact_data = models.JSONField(
        default=dict, encoder=DjangoJSONEncoder, verbose_name=_("contact data")
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempt_count = models.PositiveIntegerField(default=0, verbose_name=_("attempt count"))
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    redelivery_of = optional_fk("self", _("redelivery of"))

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["webhook", "contact_id", "id"],
                name="delivery_contact_queue",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["contact_id"], name="delivery_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.contact_id} -> {self.webhook_id} ({self.status})"

    def body(self) -> dict:
        """What the receiver gets: the event, its data, and the contact as it was then."""
        return {
            "id": str(self.event_id),
            "type": self.event,
            "occurred_at": self.occurred_at,
            "data": {**self.data, "contact": self.contact_data},
        }


class DeliveryAttempt(models.Model):
    """One try at sending a delivery: what the receiver answered, and how fast."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    at = models.DateTimeField(verbose_name=_("at"))
    duration_ms = models.PositiveIntegerField(verbose_name=_("duration ms"))
    response_code = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("response code")
    )
    error = models.TextField(blank=True, verbose_name=_("error"))
    ok = models.BooleanField(verbose_name=_("ok"))

    class Meta:
        ordering = ["delivery", "number", "id"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.response_code or self.error}"
