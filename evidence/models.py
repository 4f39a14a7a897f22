"""
Analyses of the stored history, run in the background and polled: a backtest of rule sets,
the signals that distinguish the contacts who converted, and suggested points.

An analysis only reads the history; what it finds is kept on its row (``result``) so the
page and the API can show it again without recomputing, and so a marketer can adopt
suggested points later from what they reviewed, not from a new run that may differ.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.fields import optional_fk
from leads.models import JobStatus


class Kind(models.TextChoices):
    BACKTEST = "backtest", _("Backtest")
    SIGNALS = "signals", _("Signals")
    SUGGESTION = "suggestion", _("Suggested points")


# The states of a background job, as a recompute has them.
Status = JobStatus
OPEN = (Status.PENDING, Status.RUNNING)


class Target(models.TextChoices):
    """The outcome a signal or a model is judged against."""

    SQL = "sql", _("Reached SQL")
    CLIENT = "client", _("Became a client")


class Analysis(models.Model):
    """One run of an analysis: what was asked (``params``), how far it got, what it found.

    The Celery task that does the work takes the row's id and may run twice (late acks):
    every step only reads the history, and the result is written once, by the run that
    finishes first (``status`` moves from running to done in a conditional update).
    ``created_at`` is the "now" of the analysis: a second run sees the same clock.
    """

    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    params = models.JSONField(
        default=dict, help_text=_("What was asked, as validated."), verbose_name=_("params")
    )
    # The same question asked twice while the first is still running gets the first.
    fingerprint = models.CharField(max_length=64, editable=False, verbose_name=_("fingerprint"))
    result = models.JSONField(null=True, blank=True, verbose_name=_("result"))
    steps_done = models.PositiveIntegerField(default=0, verbose_name=_("steps done"))
    steps_total = models.PositiveIntegerField(default=1, verbose_name=_("steps total"))
    step = models.CharField(
        max_length=200, blank=True, help_text=_("What it is doing now."), verbose_name=_("step")
    )
    error = models.TextField(blank=True, verbose_name=_("error"))
    requested_by = optional_fk(settings.AUTH_USER_MODEL, _("requested by"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name_plural = "analyses"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="analysis_kind_newest"),
            models.Index(fields=["fingerprint", "status"], name="analysis_same_question"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def progress(self) -> float:
        """Share of the steps done, 0 to 1."""
        if self.status == Status.DONE:
            return 1.0
        return min(1.0, self.steps_done / self.steps_total) if self.steps_total else 0.0

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
