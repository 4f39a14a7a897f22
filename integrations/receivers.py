"""
What the other apps' signals mean for integrations: an outbox row per webhook for each event
(written in the transaction of the change when the signal comes from inside it), and the
erasure of the personal data integrations keeps.
"""

from django.dispatch import receiver
from django.utils import timezone

from leads import signals as leads_signals
from leads.models import Contact, Transition
from sales import signals as sales_signals
from sales.models import SalesActivity, SalesTask
from scoring import signals as scoring_signals
from scoring.sql import Crossing
from sla import signals as sla_signals

from .models import Event
from .services import imports, webhooks


@receiver(leads_signals.transitions_recorded, dispatch_uid="integrations.stage_changed")
def stage_changed(sender, moves: list[tuple[Contact, Transition]], **kwargs) -> None:
    webhooks.events_record_about(
        event=Event.CONTACT_STAGE_CHANGED,
        occurrences=[
            (contact, transition.at, {"transition": _transition(transition)})
            for contact, transition in moves
            # An assignment or a claim changed the owner, not the stage.
            if transition.from_stage != transition.to_stage
        ],
    )


def _transition(transition: Transition) -> dict:
    return {
        "id": transition.pk,
        "move": transition.move,
        "from_stage": transition.from_stage,
        "to_stage": transition.to_stage,
        "at": transition.at,
        "actor": transition.actor_id,
        "reason": transition.reason,
    }


@receiver(leads_signals.contacts_merged, dispatch_uid="integrations.contact_merged")
def contact_merged(sender, merge, survivor: Contact, other: Contact, **kwargs) -> None:
    webhooks.event_record_for(
        event=Event.CONTACT_MERGED,
        contact=survivor,
        occurred_at=merge.at,
        data={"merge": merge.pk, "merged": other.pk},
    )


@receiver(leads_signals.contact_saved, dispatch_uid="integrations.contact_created")
def contact_created(sender, contact: Contact, created: bool, **kwargs) -> None:
    if created:
        webhooks.event_record_for(
            event=Event.CONTACT_CREATED, contact=contact, occurred_at=contact.created_at, data={}
        )


@receiver(leads_signals.contacts_created, dispatch_uid="integrations.contacts_created")
def contacts_created(sender, contact_ids, **kwargs) -> None:
    webhooks.events_record_for_ids(
        event=Event.CONTACT_CREATED, contact_ids=contact_ids, occurred_at=timezone.now()
    )


@receiver(sla_signals.breaches_recorded, dispatch_uid="integrations.sla_breached")
def sla_breached(sender, breaches: list[tuple[int, int]], **kwargs) -> None:
    now = timezone.now()
    webhooks.events_record_each(
        event=Event.SLA_BREACHED,
        occurrences=[(contact, now, {"breach_id": breach}) for breach, contact in breaches],
    )


@receiver(sales_signals.activities_logged, dispatch_uid="integrations.activity_logged")
def activity_logged(sender, activities: list[SalesActivity], **kwargs) -> None:
    webhooks.events_record_each(
        event=Event.ACTIVITY_LOGGED,
        occurrences=[
            (a.contact_id, a.occurred_at, {"activity": _activity(a)}) for a in activities
        ],
    )


def _activity(activity: SalesActivity) -> dict:
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "direction": activity.direction,
        "outcome": activity.outcome,
        "occurred_at": activity.occurred_at,
        "owner": activity.owner_id,
        "external_id": activity.external_id,
    }


@receiver(sales_signals.task_completed, dispatch_uid="integrations.task_completed")
def task_completed(sender, task: SalesTask, **kwargs) -> None:
    webhooks.events_record_each(
        event=Event.TASK_COMPLETED,
        occurrences=[
            (
                task.contact_id,
                task.done_at or timezone.now(),
                {"task": {"id": task.pk, "kind": task.kind, "owner": task.owner_id}},
            )
        ],
    )


@receiver(scoring_signals.thresholds_crossed, dispatch_uid="integrations.thresholds_crossed")
def thresholds_crossed(sender, crossings: list[Crossing], **kwargs) -> None:
    webhooks.events_record_each(
        event=Event.SCORE_THRESHOLD_CROSSED,
        occurrences=[
            (c.contact_id, c.at, {"threshold": c.level, "score": c.score}) for c in crossings
        ],
    )


@receiver(leads_signals.contact_erased, dispatch_uid="integrations.contact_erased")
def contact_erased(
    sender, contact: Contact, email: str | None = None, values: list[str] | None = None, **kwargs
) -> None:
    webhooks.contact_data_erase(contact_id=contact.pk, values=values or [])
    if email:
        imports.imports_erase_person(email=email)
