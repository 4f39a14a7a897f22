"""Reminders of tasks falling due: claimed once (``reminded_at``) by the beat, then mailed
to each owner in one message, outside any transaction. In the app, a reminded open task
shows in its owner's notifications and on their queue."""

import logging
from collections import defaultdict
from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leadfunnel.languages import language_of

from .models import SalesTask

logger = logging.getLogger(__name__)

BATCH = 1000  # tasks claimed per run; the next run takes the rest


@transaction.atomic
def _claim(now: datetime) -> list[int]:
    """Mark the tasks falling due as reminded; a concurrent run skips the locked ones."""
    ids = list(
        SalesTask.objects.falling_due(now)
        .select_for_update(skip_locked=True)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    SalesTask.objects.filter(pk__in=ids).update(reminded_at=now)
    return ids


def tasks_remind(*, now: datetime | None = None) -> int:
    """Remind the owners of the open tasks now due, once each; returns the e-mails sent.
    A failed send gives its claim back, so the next run tries again."""
    now = now or timezone.now()
    ids = _claim(now)
    per_owner: dict[int, list[SalesTask]] = defaultdict(list)
    claimed = SalesTask.objects.filter(pk__in=ids).select_related("owner", "contact")
    for task in claimed.order_by("due_at", "pk"):
        per_owner[task.owner_id].append(task)
    return sum(_mail(tasks, now) for tasks in per_owner.values())


def _mail(tasks: list[SalesTask], now: datetime) -> int:
    owner = tasks[0].owner
    if not (owner.is_active and owner.email):
        return 0
    with translation.override(language_of(owner)):  # the reader's language, not the worker's
        lines = [
            _("- %(title)s (%(contact)s), due %(due)s")
            % {
                "title": task.title,
                "contact": task.contact,
                "due": f"{timezone.localtime(task.due_at):%Y-%m-%d %H:%M}",
            }
            for task in tasks
        ]
        subject = ngettext(
            "[leadfunnel] %(count)d task due", "[leadfunnel] %(count)d tasks due", len(tasks)
        ) % {"count": len(tasks)}
        body = "\n".join([_("Tasks falling due:"), "", *lines])
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[owner.email])
    except Exception:  # whatever the mail backend raises: the next run tries again
        SalesTask.objects.filter(pk__in=[t.pk for t in tasks], reminded_at=now).update(
            reminded_at=None
        )
        logger.exception("Task reminder to user %s failed; it will be retried", owner.pk)
        return 0
    return 1
