"""The lead status of contacts, derived from their sales activities in one UPDATE."""

from datetime import UTC, datetime

from django.db.models import Case, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from leads.models import Contact, LeadStatus, Transition
from leads.stages import RECORD_KEEPING

from .models import SalesActivity

_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def _since_hand_off(activities: QuerySet[SalesActivity]) -> QuerySet[SalesActivity]:
    """Those of the outer contact's activities that came after it was last handed off: its
    latest move, which either changed its stage or gave it to a new owner."""
    last_move = (
        Transition.objects.filter(contact=OuterRef(OuterRef("pk")))
        .exclude(move__in=RECORD_KEEPING)
        .order_by("-at")
        .values("at")
    )
    return activities.filter(
        contact=OuterRef("pk"), occurred_at__gte=Coalesce(Subquery(last_move[:1]), Value(_EVER))
    )


def lead_status_refresh(contacts: QuerySet[Contact]) -> int:
    """Set each contact's ``lead_status``: ``connected`` once a call connected, an e-mail was
    answered or a meeting held since the hand-off, ``attempting`` while there are only
    outbound touches, ``new`` before any. The count of rows updated."""
    return contacts.update(
        lead_status=Case(
            When(
                Exists(_since_hand_off(SalesActivity.objects.connecting())),
                then=Value(LeadStatus.CONNECTED.value),
            ),
            When(
                Exists(_since_hand_off(SalesActivity.objects.touches())),
                then=Value(LeadStatus.ATTEMPTING.value),
            ),
            default=Value(LeadStatus.NEW.value),
        )
    )


def lead_status_follow(contacts: list[Contact]) -> None:
    """Refresh the status of ``contacts`` in the database and on the caller's objects (a move
    or a log answers with its contact)."""
    ids = [contact.pk for contact in contacts]
    if not ids:
        return
    lead_status_refresh(Contact.objects.filter(pk__in=ids))
    status = dict(Contact.objects.filter(pk__in=ids).values_list("pk", "lead_status"))
    for contact in contacts:
        contact.lead_status = status[contact.pk]
