"""
The SLA checker, in the style of healthchecks' ``sendalerts``: find the clocks past their
deadline through a partial index, claim them, record one breach each, act on it, and tell
people. Run every minute by Celery beat (``sla.tasks.sla_sweep``) or by cron
(``manage.py sla_sweep``); two sweeps may overlap safely.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from leads.errors import StageConflict
from leads.models import Contact
from leads.roles import Account, account
from leads.services import contact_assign

from . import selectors, services
from .models import (
    Breach,
    BreachAction,
    Clock,
    Notification,
    NotificationKind,
    PendingAssignment,
    SlaPolicy,
)
from .signals import breaches_recorded

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    assigned: int = 0
    breaches: int = 0

    def __str__(self) -> str:
        return f"{self.breaches} breach(es) recorded, {self.assigned} MQL(s) assigned"


def sla_sweep(*, now: datetime | None = None, batch: int | None = None) -> SweepReport:
    """Breach every due clock, batch by batch, then assign the MQLs whose assignment task
    never ran (breaches first: they are the sweep's reason to exist).

    Each batch is one transaction: a worker dying mid-way loses nothing (its batch rolls
    back and the next sweep finds the same clocks due), and a retried task finds nothing
    left to do.
    """
    now = now or timezone.now()
    batch = batch or settings.SLA_SWEEP_BATCH
    report = SweepReport()
    while recorded := _breach_batch(now, batch):
        report.breaches += recorded
    report.assigned = _assign_pending(now, batch)
    return report


def _assign_pending(now: datetime, limit: int) -> int:
    """MQLs whose assignment task never ran (broker down, worker lost): assign them now."""
    waiting = PendingAssignment.objects.order_by("created_at").values_list("contact_id", flat=True)
    return sum(
        services.mql_assign(contact_id=contact_id, now=now) is not None
        for contact_id in list(waiting[:limit])
    )


# Set-based writes for a whole batch: INSERT ... SELECT, plain SQL that PostgreSQL and
# SQLite both run, so 10,000 breaches cost a few statements rather than 30,000 objects.
_RECORD_BREACHES = """
INSERT INTO {breach} (contact_id, clock_id, policy_id, kind, owner_id, due_at, breached_at, action)
SELECT clock.contact_id, clock.id, clock.policy_id, clock.kind, contact.owner_id, clock.due_at,
       %s, policy.action
FROM {clock} clock
JOIN {contact} contact ON contact.id = clock.contact_id
JOIN {policy} policy ON policy.id = clock.policy_id
WHERE clock.id IN ({clocks})
"""
_NOTIFY_BREACHES = """
INSERT INTO {notification} (user_id, breach_id, kind, created_at)
SELECT recipient.id, breach.id, %s, %s
FROM {breach} breach
JOIN {user} recipient ON recipient.id = breach.owner_id OR recipient.id IN ({managers})
WHERE breach.clock_id IN ({clocks})
"""


def _run(template: str, params: list, **id_lists: list[int]) -> None:
    """Run one of the statements above with its tables' names and its id lists filled in
    (an empty list reads as ``IN (NULL)``: matches nothing)."""
    quote = connection.ops.quote_name
    models = {"breach": Breach, "clock": Clock, "contact": Contact, "policy": SlaPolicy}
    models |= {"notification": Notification, "user": get_user_model()}
    tables = {name: quote(model._meta.db_table) for name, model in models.items()}
    marks = {name: ", ".join(["%s"] * len(ids)) or "NULL" for name, ids in id_lists.items()}
    with connection.cursor() as cursor:
        cursor.execute(template.format(**tables, **marks), [*params, *sum(id_lists.values(), [])])


@transaction.atomic
def _breach_batch(now: datetime, size: int) -> int:
    """Claim up to ``size`` due clocks, record their breaches, act, tell people; returns how
    many breached. ``breaches_recorded`` is sent in the transaction (the webhooks' outbox
    rows commit with the breaches); e-mail follows the commit."""
    clocks = _claim(now, size)
    if not clocks:
        return 0
    _run(_RECORD_BREACHES, [now], clocks=clocks)
    batch = Breach.objects.filter(clock_id__in=clocks)
    handed_over = [_hand_over(breach, now) for breach in _to_hand_over(batch)]
    _run(
        _NOTIFY_BREACHES,
        [NotificationKind.BREACH, now],
        managers=selectors.manager_ids(),
        clocks=clocks,
    )
    Notification.objects.bulk_create(
        Notification(user=b.handed_to, breach=b, kind=NotificationKind.HANDED_OVER, created_at=now)
        for b in handed_over
        if b.handed_to is not None
    )
    breaches_recorded.send(sender=Breach, breaches=list(batch.values_list("pk", "contact_id")))
    return len(clocks)


def _claim(now: datetime, size: int) -> list[int]:
    """Lock up to ``size`` due clocks and mark them breached; returns their ids.

    The claim is the row lock: ``FOR UPDATE SKIP LOCKED`` on the clocks and their contacts,
    so an overlapping sweep takes other clocks, and a contact in the middle of a move is
    left for the next sweep (its move may be stopping the clock right now). Locking the
    contact with the clock also keeps a move's lock order (contact, then clock): no
    deadlock when a breach hands the contact over. A clock stopped before this query is
    not due, so it never breaches; the UPDATE repeats the conditions all the same.
    """
    due = (
        Clock.objects.due(now)
        .select_related("contact")
        .select_for_update(skip_locked=True, of=("self", "contact"))
        .order_by("due_at", "pk")
        .only("pk", "contact__id")[:size]
    )
    ids = [clock.pk for clock in due]
    Clock.objects.filter(pk__in=ids, breached_at__isnull=True, stopped_at__isnull=True).update(
        breached_at=now
    )
    return ids


def _to_hand_over(batch):
    return batch.exclude(action=BreachAction.NOTIFY).select_related(
        "clock", "contact", "policy__escalate_to"
    )


def _hand_over(breach: Breach, now: datetime) -> Breach:
    """Reassign or escalate as the policy says; record who got the contact.

    A hand-over that fails (the escalation manager left the sales group, say) is logged
    and the breach is recorded as a notification only, rather than failing the whole batch
    again at every sweep.
    """
    try:
        with transaction.atomic():
            if breach.action == BreachAction.REASSIGN:
                breach.handed_to = _reassign(breach, now)
            else:
                breach.handed_to = _escalate(breach)
    except (StageConflict, ValidationError):
        logger.exception("SLA breach on contact %s: %s failed", breach.contact_id, breach.action)
        breach.action = BreachAction.NOTIFY
    breach.save(update_fields=["handed_to", "action"])
    return breach


def _reassign(breach: Breach, now: datetime) -> Account | None:
    """Give the contact to the next rep (the shared queue if nobody else is available): the
    assignment is a new hand-off with a fresh deadline (``services.clocks_follow_transitions``)
    and the breached clock stays with the rep who missed it. Its breach stays open until the
    contact leaves the stage."""
    contact = breach.contact
    rep = account(services.next_rep_for(contact, now=now))
    if rep is not None or contact.owner_id is not None:
        contact_assign(contact=contact, by=None, owner=rep, reason="SLA deadline missed", at=now)
    else:  # already in the shared queue, nobody to give it to: the queue's clock restarts
        Clock.objects.filter(pk=breach.clock_id).update(stopped_at=now)
        services.clock_for(contact, breach.policy, now).save()
        services.refresh_deadlines(Contact.objects.filter(pk=contact.pk))
    return rep


def _escalate(breach: Breach) -> Account | None:
    """Hand the contact to the policy's escalation manager: a hand-off of their own, with a
    fresh deadline; the breached clock stays with the rep who missed it."""
    manager = breach.policy.escalate_to
    if manager is not None and breach.contact.owner_id != manager.pk:
        contact_assign(
            contact=breach.contact,
            by=None,
            owner=manager,
            reason="SLA deadline missed: escalated",
            at=breach.breached_at,
        )
    return manager
