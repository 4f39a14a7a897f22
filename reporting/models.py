"""What reports keep beside the leads tables: the managers' targets, and the stage stays."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.dates import DAY_WINDOW, validate_day
from leads.fields import optional_fk
from leads.models import Campaign, Contact, Transition
from leads.stages import FUNNEL, Move, Stage

from .periods import month_start

FUNNEL_CHOICES = [(stage.value, stage.label) for stage in FUNNEL]


class Target(models.Model):
    """A manager's goal: how many contacts should reach ``stage`` during ``month``.

    Compared with the contacts that entered the stage in that month (in the configured time
    zone), so the monthly MQL goal reads "120 new MQLs in March".
    """

    stage = models.CharField(max_length=20, choices=FUNNEL_CHOICES, verbose_name=_("stage"))
    month = models.DateField(
        help_text=f"The first day of the month. {DAY_WINDOW}",
        validators=[validate_day],
        verbose_name=_("month"),
    )
    goal = models.PositiveIntegerField(verbose_name=_("goal"))
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["month", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "month"], name="target_one_per_stage_month"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.month:%Y-%m}: {self.goal}"

    def clean(self) -> None:
        # Any day picked in a form means its month (the API does the same).
        if self.month:
            self.month = month_start(self.month)


_PROJECTED: dict[str, Any] = {
    "null": True,
    "blank": True,
    "on_delete": models.SET_NULL,
    "db_constraint": False,
    "db_index": False,
    "related_name": "+",
}


class StageStay(models.Model):
    """One uninterrupted period a contact spent in one stage: from the move that brought it
    there to the next move that took it elsewhere (open while it is still there).

    The interval view of the append-only ``Transition`` history, so that time in stage, the
    MQL hand-off and SLA compliance are indexed aggregates rather than a window function over
    every transition at each request. Kept in step in the move's own transaction (see
    ``reporting.receivers``) and rebuilt exactly from the history by ``stays_rebuild``; the
    tests prove both give the same rows. Stays follow the causal order of the moves (their
    ids), a skipped stage has no stay, and assignments and claims do not end a stay.
    ``owner`` and ``campaign`` are the contact's current ones, kept in step, so per-rep and
    per-campaign figures need no join with the contacts.
    """

    # No foreign-key constraints in the database: the table is a projection of the history,
    # consistent by construction, and per-row constraint triggers made its rebuild five times
    # slower. Only the columns something looks up by are indexed.
    contact = models.ForeignKey(
        Contact,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("contact"),
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, verbose_name=_("stage"))
    entry = models.OneToOneField(
        Transition,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("entry"),
    )
    entry_move = models.CharField(
        max_length=20, choices=Move.choices, blank=True, verbose_name=_("entry move")
    )
    entered_at = models.DateTimeField(verbose_name=_("entered at"))
    exit = models.ForeignKey(Transition, **_PROJECTED, verbose_name=_("exit"))
    left_at = models.DateTimeField(null=True, blank=True, verbose_name=_("left at"))
    exit_move = models.CharField(
        max_length=20, choices=Move.choices, blank=True, verbose_name=_("exit move")
    )
    exit_stage = models.CharField(
        max_length=20, choices=Stage.choices, blank=True, verbose_name=_("exit stage")
    )
    exit_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        **_PROJECTED,
        help_text=_("Who made the move that ended the stay; empty for the system."),
        verbose_name=_("exit by"),
    )
    duration = models.DurationField(null=True, blank=True, verbose_name=_("duration"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, **_PROJECTED, verbose_name=_("owner"))
    campaign = models.ForeignKey(Campaign, **_PROJECTED, verbose_name=_("campaign"))

    class Meta:
        ordering = ["entry_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(exit__isnull=True),
                name="stagestay_one_open_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.contact_id} in {self.stage} from {self.entered_at:%Y-%m-%d %H:%M}"


# A cell's campaign and owner: the triggers keep them right when a contact's change (a
# campaign deleted sets the contact's to NULL); the ORM must not rewrite cells itself.
_CELL_PLACE: dict[str, Any] = {**_PROJECTED, "on_delete": models.DO_NOTHING}


class Cells(models.Model):
    """A rollup's cell: how many of something, per day (in ``TIME_ZONE``), campaign and
    current owner. Kept on PostgreSQL by triggers (``reporting.rollups``) so that a report
    reads a few thousand cells however many contacts there are; each rollup has three
    tables of them: the folded days, the folded months and the changes not folded yet."""

    day = models.DateField(verbose_name=_("day"))
    campaign = models.ForeignKey(Campaign, **_CELL_PLACE, verbose_name=_("campaign"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, **_CELL_PLACE, verbose_name=_("owner"))
    n = models.BigIntegerField(verbose_name=_("count"))

    class Meta:
        abstract = True


# Kept on PostgreSQL only (a trigger fills them); on SQLite the reports count the rows.
_ROLLUP_FEATURES = ("supports_nulls_distinct_unique_constraints", "supports_covering_indexes")


_HANDOFF_CELL = ("day", "exit_move", "exit_stage", "reason_key", "campaign", "owner")


def _one_per_cell(name: str, *fields: str) -> models.UniqueConstraint:
    """A rollup's unique cells: one row per value of ``fields`` (an empty campaign, owner or
    credited campaign is a value like any other), with its count read from the index."""
    return models.UniqueConstraint(
        fields=list(fields),
        nulls_distinct=False,
        include=["n"],  # read by index-only scans
        name=name,
    )


class ReachedCells(Cells):
    """The funnel's rollup: how many counted contacts reached ``stage``.

    A cell of mode ``cohort`` counts the contacts first seen on ``day`` that have reached
    ``stage``; one of mode ``period`` those that first reached ``stage`` on ``day``: what
    the funnel, trends and targets count from the contacts.
    """

    mode = models.CharField(max_length=6, verbose_name=_("mode"))
    stage = models.CharField(max_length=20, choices=Stage.choices, verbose_name=_("stage"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.mode} {self.stage} {self.day}: {self.n}"


class ReachedCount(ReachedCells):
    """The folded cells: one row per (mode, day, stage, campaign, owner)."""

    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [
            _one_per_cell("reachedcount_one_per_cell", "mode", "day", "stage", "campaign", "owner")
        ]


class ReachedMonth(ReachedCells):
    """The same cells summed per month (``day`` is its first day), folded with the days: a
    year's report reads twelve months of them rather than 365 days."""

    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [
            _one_per_cell("reachedmonth_one_per_cell", "mode", "day", "stage", "campaign", "owner")
        ]


class ReachedChange(ReachedCells):
    """The changes a database trigger writes in each contact write's own transaction, +1 or
    -1 per cell, until ``rollups_fold`` adds them to the days and months. Appending (rather
    than updating a shared counter) keeps concurrent writers from queueing on one row."""

    class Meta:
        required_db_features = _ROLLUP_FEATURES


class ReachedCampaignCells(models.Model):
    """The funnel's cells summed over the owners, for the reports neither grouped by rep nor
    limited to one: the funnel by campaign, channel or month, trends and targets read a
    twentieth of the rows there. Folded with the owners' cells from the same changes."""

    day = models.DateField(verbose_name=_("day"))
    campaign = models.ForeignKey(Campaign, **_CELL_PLACE, verbose_name=_("campaign"))
    mode = models.CharField(max_length=6, verbose_name=_("mode"))
    stage = models.CharField(max_length=20, choices=Stage.choices, verbose_name=_("stage"))
    n = models.BigIntegerField(verbose_name=_("count"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.mode} {self.stage} {self.day} #{self.campaign_id}: {self.n}"


class ReachedCampaignCount(ReachedCampaignCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [
            _one_per_cell("reachedcampaigncount_one_per_cell", "mode", "day", "stage", "campaign")
        ]


class ReachedCampaignMonth(ReachedCampaignCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [
            _one_per_cell("reachedcampaignmonth_one_per_cell", "mode", "day", "stage", "campaign")
        ]


class HandoffCells(Cells):
    """The hand-off report's rollup: MQL passes that began on ``day``, by how they ended.

    ``exit_move`` is empty while the pass goes on; ``reason`` is a rejection's, and
    ``reason_key`` its MD5, so that a long reason still fits the cell's unique index.
    """

    exit_move = models.CharField(
        max_length=20, choices=Move.choices, blank=True, verbose_name=_("exit move")
    )
    exit_stage = models.CharField(
        max_length=20, choices=Stage.choices, blank=True, verbose_name=_("exit stage")
    )
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    reason_key = models.CharField(max_length=32, verbose_name=_("reason key"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.exit_move or 'waiting'}: {self.n}"


class HandoffCount(HandoffCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [_one_per_cell("handoffcount_one_per_cell", *_HANDOFF_CELL)]


class HandoffMonth(HandoffCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [_one_per_cell("handoffmonth_one_per_cell", *_HANDOFF_CELL)]


class HandoffChange(HandoffCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES


class CreditCells(models.Model):
    """Multi-touch attribution's rollup: the credit ``credited`` earned under ``model`` for
    the contacts that reached ``stage``, per day in the cohort or the period sense as
    ``ReachedCells``.

    ``n`` is a sum of shares (``selectors.attribution``), each rounded to twelve places so
    that a change taken back cancels to exactly zero; ``credited`` is empty for the credit
    of contacts no campaign touched before the entry. There is no contact's campaign or
    owner here, unlike the other cells: with both beside the credited campaign the cells
    outnumbered the contacts seven times over, so a report limited to a campaign, a channel
    or a rep counts its contacts' credits from the touches instead."""

    day = models.DateField(verbose_name=_("day"))
    model = models.CharField(max_length=12, verbose_name=_("attribution model"))
    mode = models.CharField(max_length=6, verbose_name=_("mode"))
    stage = models.CharField(max_length=20, choices=Stage.choices, verbose_name=_("stage"))
    credited = models.ForeignKey(Campaign, **_CELL_PLACE, verbose_name=_("credited campaign"))
    n = models.DecimalField(max_digits=30, decimal_places=12, verbose_name=_("credit"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.model} {self.mode} {self.stage} {self.day}: {self.n}"


class CreditCount(CreditCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [
            _one_per_cell("creditcount_one_per_cell", "model", "mode", "day", "stage", "credited")
        ]


class CreditMonth(CreditCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES
        constraints = [
            _one_per_cell("creditmonth_one_per_cell", "model", "mode", "day", "stage", "credited")
        ]


class CreditChange(CreditCells):
    class Meta:
        required_db_features = _ROLLUP_FEATURES
