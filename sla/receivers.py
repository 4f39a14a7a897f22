"""The SLA app listening to the lifecycle (connected in ``SlaConfig.ready``)."""

import logging

from django.dispatch import receiver
from kombu.exceptions import OperationalError

from leads.models import Contact
from leads.signals import (
    contact_erased,
    contacts_merged,
    merge_undone,
    move_requested,
    stage_changed,
    transitions_recorded,
)
from leads.stages import Move, Stage
from sales.models import SalesActivity
from sales.signals import activities_logged, touch_withdrawing

from . import services, tasks
from .models import PendingAssignment

logger = logging.getLogger(__name__)


@receiver(transitions_recorded, sender=Contact, dispatch_uid="sla.clocks")
def clocks_follow_the_moves(sender, *, moves, **kwargs) -> None:
    services.clocks_follow_transitions(moves=moves)


@receiver(activities_logged, sender=SalesActivity, dispatch_uid="sla.first_touch")
def first_touch_answers_clocks(sender, *, activities, **kwargs) -> None:
    services.clocks_answer_touches(
        touches=[(a.contact_id, a.occurred_at) for a in activities if a.is_touch]
    )


@receiver(touch_withdrawing, sender=SalesActivity, dispatch_uid="sla.touch_kept")
def answering_touches_stay(sender, *, activity, **kwargs) -> None:
    services.touch_check_withdrawal(activity=activity)


@receiver(move_requested, sender=Contact, dispatch_uid="sla.unreachable")
def unreachable_after_attempts(sender, *, contact, move, reason, at, **kwargs) -> None:
    if move == Move.REJECT:
        services.reject_check_attempts(contact=contact, reason=reason, at=at)


@receiver(contact_erased, sender=Contact, dispatch_uid="sla.erasure")
def clocks_stop_on_erasure(sender, *, contact, **kwargs) -> None:
    services.clocks_stop_for_erasure(contact=contact)


@receiver(contacts_merged, sender=Contact, dispatch_uid="sla.merged")
def clocks_stop_on_merge(sender, *, merge, other, **kwargs) -> dict:
    """The merged person runs on the survivor's clock: the other's stops (and may run
    again if the merge is undone)."""
    return {"sla.clock": services.clocks_stop_for_merge(contact=other)}


@receiver(merge_undone, sender=Contact, dispatch_uid="sla.unmerged")
def clocks_run_again(sender, *, merge, other, **kwargs) -> None:
    services.clocks_resume(clock_ids=merge.moved.get("sla.clock", []), contact=other)


@receiver(stage_changed, sender=Contact, dispatch_uid="sla.assignment")
def assign_new_mql(sender, *, contact_id, from_stage, to_stage, **kwargs) -> None:
    """After the commit, hand the new MQL's assignment to a worker. If the broker is down
    the pending row stays, and the next sweep assigns it."""
    if to_stage != Stage.MQL or from_stage == Stage.MQL:
        return
    if not PendingAssignment.objects.filter(contact_id=contact_id).exists():
        return
    try:
        tasks.assign_mql.delay(contact_id)
    except OperationalError:
        logger.warning("Broker unavailable: the sweep will assign MQL %s", contact_id)
