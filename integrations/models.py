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

from leads.models import Campaign, Contact

from .addresses import validate_public_url


class OnDuplicate(models.TextChoices):
    """What an import does with a row whose e-mail is already known."""

    SKIP = "skip", "Skip the row"
    UPDATE_BLANKS = "update_blanks", "Fill in the contact's blank fields"
    OVERWRITE = "overwrite", "Overwrite with the file's non-empty values"


class ImportJob(models.Model):
    """One CSV file imported into contacts, chunk after chunk, by a Celery task.

    ``processed_rows`` is the resume point: it moves forward in the same transaction as the
    chunk it counts, so a job whose worker died picks up after the last committed chunk and
    never applies a chunk twice. The file itself is kept in the database (the web server and
    the worker may not share a disk) and dropped once the job ends: it holds personal data
    that the report (counts and rejected line numbers) does not need.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Waiting for its column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    OPEN = (Status.DRAFT, Status.QUEUED, Status.RUNNING)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    content = models.BinaryField(null=True, editable=False)
    # Moves when the file is rewritten while the job is open (an erased person's rows
    # blanked): a running task then reads the rest of the file again before its next chunk.
    content_revision = models.PositiveIntegerField(default=0, editable=False)
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1)
    columns = models.JSONField(default=list, help_text="The header row, as found in the file.")
    mapping = models.JSONField(default=dict, help_text="Column header -> contact field.")
    on_duplicate = models.CharField(
        max_length=20, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    total_rows = models.PositiveIntegerField(
        default=0, help_text="Data rows in the file: estimated from its lines until the end."
    )
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    look_alike_count = models.PositiveIntegerField(
        default=0, help_text="Rows created that look like another contact."
    )
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

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

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(help_text="Line of the file where the row starts.")
    reason = models.TextField()

    class Meta:
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"], name="importrejection_job_line")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class ImportLookAlike(models.Model):
    """A row that created a contact looking like another one (``leads.duplicates``): the
    warning the import page shows, with the pair to compare."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="look_alikes")
    line = models.PositiveIntegerField(help_text="Line of the file where the row starts.")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    looks_like = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"], name="importlookalike_job_line")]

    def __str__(self) -> str:
        return f"line {self.line}: #{self.contact_id} looks like #{self.looks_like_id}"


class Event(models.TextChoices):
    """What a webhook can be told about (the names are the API contract)."""

    CONTACT_CREATED = "contact.created", "A contact was created"
    CONTACT_STAGE_CHANGED = "contact.stage_changed", "A contact changed stage"
    SLA_BREACHED = "sla.breached", "An SLA deadline was missed"
    SCORE_THRESHOLD_CROSSED = "score.threshold_crossed", "A score crossed a threshold"
    ACTIVITY_LOGGED = "activity.logged", "A call, e-mail, meeting or note was logged"
    TASK_COMPLETED = "task.completed", "A sales task was completed"
    CONTACT_MERGED = "contact.merged", "A contact was merged into another"


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class Webhook(models.Model):
    """A receiver that other tools run: which events it wants, and the secret it checks.

    Every body sent to ``url`` is signed with ``secret`` (see ``integrations.signing``).
    """

    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"]), validate_public_url],
        help_text="http(s) on a public address (WEBHOOK_ALLOW_PRIVATE_TARGETS lifts that).",
    )
    events = models.JSONField(default=list, help_text="Event names, e.g. contact.stage_changed")
    secret = models.CharField(max_length=200, default=new_secret)
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

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
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed after the last try"
        CANCELLED = "cancelled", "Cancelled: the person was erased"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=Event.choices)
    event_id = models.UUIDField(default=uuid.uuid4, help_text="The same for every webhook.")
    occurred_at = models.DateTimeField()
    contact_id = models.BigIntegerField(help_text="Deliveries of one contact go out in order.")
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    contact_data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

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

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    ok = models.BooleanField()

    class Meta:
        ordering = ["delivery", "number", "id"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.response_code or self.error}"
