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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leads.errors import StageConflict
from leads.models import Contact
from leads.roles import User
from leads.services import contact_assign

from . import selectors, services
from .models import (
    Breach,
    BreachAction,
    Clock,
    Notification,
    NotificationKind,
    PendingAssignment,
)
from .signals import breach_recorded

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    assigned: int = 0
    breaches: int = 0

    def __str__(self) -> str:
        return f"{self.breaches} breach(es) recorded, {self.assigned} MQL(s) assigned"


def sla_sweep(*, now: datetime | None = None, batch: int | None = None) -> SweepReport:
    """Assign MQLs the assignment task missed, then breach every due clock, batch by batch.

    Each batch is one transaction: a worker dying mid-way loses nothing (its batch rolls
    back and the next sweep finds the same clocks due), and a retried task finds nothing
    left to do.
    """
    now = now or timezone.now()
    batch = batch or settings.SLA_SWEEP_BATCH
    report = SweepReport(assigned=_assign_pending(now, batch))
    while recorded := _breach_batch(now, batch):
        report.breaches += recorded
    return report


def _assign_pending(now: datetime, limit: int) -> int:
    """MQLs whose assignment task never ran (broker down, worker lost): assign them now."""
    waiting = PendingAssignment.objects.order_by("created_at").values_list("contact_id", flat=True)
    return sum(
        services.mql_assign(contact_id=contact_id, now=now) is not None
        for contact_id in list(waiting[:limit])
    )


@transaction.atomic
def _breach_batch(now: datetime, size: int) -> int:
    """Claim up to ``size`` due clocks and handle them; returns how many breached.

    The claim is the row lock: ``FOR UPDATE SKIP LOCKED`` on the clocks and their contacts,
    so an overlapping sweep takes other clocks, and a contact in the middle of a move is
    left for the next sweep (its move may be stopping the clock right now). Locking the
    contact with the clock also keeps the lock order of a move (contact, then clock): no
    deadlock. A clock stopped before this query is not due, so it never breaches.
    """
    clocks = list(
        Clock.objects.due(now)
        .select_related("contact", "policy")
        .select_for_update(skip_locked=True, of=("self", "contact"))
        .order_by("due_at", "pk")[:size]
    )
    if not clocks:
        return 0
    Clock.objects.filter(
        pk__in=[clock.pk for clock in clocks], breached_at__isnull=True, stopped_at__isnull=True
    ).update(breached_at=now)
    breaches = Breach.objects.bulk_create([_act(clock, now) for clock in clocks])
    _notify(breaches, now)
    announced = [(breach.pk, breach.contact_id) for breach in breaches]
    transaction.on_commit(lambda: _announce(announced))
    return len(breaches)


def _act(clock: Clock, now: datetime) -> Breach:
    """Do what the policy says about the missed deadline; return the breach to record.

    A hand-over that fails (the escalation manager left the sales group, say) is logged
    and the breach is recorded as a notification only, rather than failing the whole batch
    again at every sweep.
    """
    contact, policy = clock.contact, clock.policy
    breach = Breach(
        clock=clock,
        contact=contact,
        policy=policy,
        kind=clock.kind,
        owner_id=contact.owner_id,
        due_at=clock.due_at,
        breached_at=now,
        action=policy.action,
    )
    if policy.action == BreachAction.NOTIFY:
        return breach
    try:
        with transaction.atomic():
            if policy.action == BreachAction.REASSIGN:
                breach.handed_to = _reassign(clock, now)
            else:
                breach.handed_to = _escalate(clock, now)
    except (StageConflict, ValidationError):
        logger.exception("SLA breach on contact %s: %s failed", contact.pk, policy.action)
        breach.action = BreachAction.NOTIFY
    return breach


def _reassign(clock: Clock, now: datetime) -> User | None:
    """Give the contact to the next rep with a fresh clock (the shared queue if nobody
    else is available). The breached clock stops here; its breach stays open until the
    contact leaves the stage."""
    contact = clock.contact
    rep = services.next_rep_for(contact, now=now)
    if rep is not None or contact.owner_id is not None:
        contact_assign(contact=contact, by=None, owner=rep, reason="SLA deadline missed", at=now)
    Clock.objects.filter(pk=clock.pk).update(stopped_at=now)
    services.clock_for(contact, clock.policy, now).save()
    services.refresh_deadlines(Contact.objects.filter(pk=contact.pk))
    return rep


def _escalate(clock: Clock, now: datetime) -> User:
    """Hand the contact to the policy's escalation manager. The breached clock keeps
    running, so the contact stays overdue in the manager's queue until someone acts."""
    manager = clock.policy.escalate_to
    if clock.contact.owner_id != manager.pk:
        contact_assign(
            contact=clock.contact,
            by=None,
            owner=manager,
            reason="SLA deadline missed: escalated",
            at=now,
        )
    return manager


def _notify(breaches: list[Breach], now: datetime) -> None:
    """In-app notifications, in one INSERT: the rep and every manager about each breach,
    and whoever was handed the contact. E-mail follows after the commit, in digests."""
    managers = {manager.pk for manager in selectors.managers()}
    rows = []
    for breach in breaches:
        told = managers | ({breach.owner_id} if breach.owner_id else set())
        rows += [
            Notification(
                user_id=user_id, breach=breach, kind=NotificationKind.BREACH, created_at=now
            )
            for user_id in sorted(told)
        ]
        if breach.handed_to_id:
            rows.append(
                Notification(
                    user_id=breach.handed_to_id,
                    breach=breach,
                    kind=NotificationKind.HANDED_OVER,
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(rows)


def _announce(breaches: list[tuple[int, int]]) -> None:
    for breach_id, contact_id in breaches:
        breach_recorded.send_robust(sender=Breach, breach_id=breach_id, contact_id=contact_id)
