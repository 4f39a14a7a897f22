"""
The one definition of whether a hand-off was answered in time (domain: "Judging a
hand-off"). Reports, the list filter, the rep queue and the breaches all read the deadline
stored when the hand-off was made, never the policy as it is now, so they cannot disagree.

The rule is written twice, once for Python and once as a SQL ``CASE`` for set-based reads,
side by side here; ``tests/sla/test_verdicts.py`` holds the two to the same answers.
"""

from datetime import datetime

from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    IN_TIME = "in_time", "In time"  # answered at or before the deadline
    LATE = "late", "Late"  # answered after the deadline
    OVERDUE = "overdue", "Overdue"  # not answered, and the deadline was reached
    PENDING = "pending", "Pending"  # not answered yet, the deadline still ahead
    # Not answered, and taken off the owner (reassigned, policy switched off, erased)
    # before the deadline: nobody is judged on it.
    WITHDRAWN = "withdrawn", _("Withdrawn")


JUDGED = (Verdict.IN_TIME, Verdict.LATE, Verdict.OVERDUE)


def verdict(
    *, due_at: datetime, acted_at: datetime | None, stopped_at: datetime | None, now: datetime
) -> Verdict:
    """The verdict on one hand-off due at ``due_at``, answered at ``acted_at`` (if ever),
    ended at ``stopped_at`` (if it has ended), as of ``now``."""
    if acted_at is not None:
        return Verdict.IN_TIME if acted_at <= due_at else Verdict.LATE
    if due_at <= (stopped_at or now):
        return Verdict.OVERDUE
    return Verdict.PENDING if stopped_at is None else Verdict.WITHDRAWN


def verdict_case(*, due: str, acted: str, stopped: str, now: datetime) -> Case:
    """``verdict`` as a SQL expression over the named columns (or annotations)."""
    reached = Q(**{f"{due}__lte": Coalesce(models.F(stopped), Value(now))})
    unanswered = Q(**{f"{acted}__isnull": True})
    return Case(
        When(~unanswered & Q(**{f"{acted}__lte": models.F(due)}), then=Value(Verdict.IN_TIME)),
        When(~unanswered, then=Value(Verdict.LATE)),
        When(reached, then=Value(Verdict.OVERDUE)),
        When(Q(**{f"{stopped}__isnull": True}), then=Value(Verdict.PENDING)),
        default=Value(Verdict.WITHDRAWN),
        output_field=models.CharField(),
    )
