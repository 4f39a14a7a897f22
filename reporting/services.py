"""
Writes of the reporting app: the stage stays, kept in step with every move inside the move's
own transaction, and rebuilt from the history in one set-based statement when needed (after a
bulk load that bypassed the services, or to prove the incremental path exact).
"""

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import DurationField, ExpressionWrapper, F, OuterRef, Subquery

from leads.models import Contact, Transition

from .models import StageStay
from .rollups import HANDOFFS, rollups_paused


def stays_record_moves(*, moves: Sequence[tuple[Contact, Transition]]) -> None:
    """Follow moves, at most one per contact: a stage change closes the contact's open stay
    and opens the next one, in two statements for the whole batch.

    Every move (an assignment or a claim too) then brings the owner and campaign of the
    moved contacts' stays up to date, so per-rep figures always use the current owner, as
    the funnel does.
    """
    changing = {contact.pk: (contact, t) for contact, t in moves if t.from_stage != t.to_stage}
    if changing:
        exit_of = Transition.objects.filter(
            pk__in=[t.pk for _, t in changing.values()], contact_id=OuterRef("contact_id")
        )
        left_at = Subquery(exit_of.values("at")[:1])
        StageStay.objects.filter(contact_id__in=changing, exit__isnull=True).update(
            exit_id=Subquery(exit_of.values("pk")[:1]),
            left_at=left_at,
            exit_move=Subquery(exit_of.values("move")[:1]),
            exit_stage=Subquery(exit_of.values("to_stage")[:1]),
            exit_by_id=Subquery(exit_of.values("actor_id")[:1]),
            duration=ExpressionWrapper(left_at - F("entered_at"), output_field=DurationField()),
        )
        StageStay.objects.bulk_create(
            StageStay(
                contact_id=contact.pk,
                stage=transition.to_stage,
                entry=transition,
                entry_move=transition.move,
                entered_at=transition.at,
                owner_id=contact.owner_id,
                campaign_id=contact.campaign_id,
            )
            for contact, transition in changing.values()
        )
    stays_follow_contacts(contact_ids=[contact.pk for contact, _ in moves])


def stays_follow_contacts(*, contact_ids: Iterable[int]) -> int:
    """Copy the contacts' current owner and campaign onto their stays (one UPDATE)."""
    contact = Contact.objects.filter(pk=OuterRef("contact_id"))
    return StageStay.objects.filter(contact_id__in=list(contact_ids)).update(
        owner_id=Subquery(contact.values("owner_id")[:1]),
        campaign_id=Subquery(contact.values("campaign_id")[:1]),
    )


_REBUILD = """
INSERT INTO {stay} (contact_id, stage, entry_id, entry_move, entered_at, exit_id, left_at,
                    exit_move, exit_stage, exit_by_id, duration, owner_id, campaign_id)
SELECT m.contact_id, m.to_stage, m.id, m.move, m.at, m.next_id, m.next_at,
       COALESCE(m.next_move, ''), COALESCE(m.next_stage, ''), m.next_actor, {duration},
       c.owner_id, c.campaign_id
FROM (
    SELECT t.id, t.contact_id, t.to_stage, t.move, t.at,
           LEAD(t.id) OVER w AS next_id, LEAD(t.at) OVER w AS next_at,
           LEAD(t.move) OVER w AS next_move, LEAD(t.to_stage) OVER w AS next_stage,
           LEAD(t.actor_id) OVER w AS next_actor
    FROM {transition} t
    WHERE t.from_stage <> t.to_stage
    WINDOW w AS (PARTITION BY t.contact_id ORDER BY t.id)
) m
JOIN {contact} c ON c.id = m.contact_id
"""


@transaction.atomic
def stays_rebuild() -> int:
    """Replace every stay with the ones the history gives; returns how many there are.

    One window query over the stage-changing transitions (ordered by id: the order the moves
    were made in, as the locked contact row serialises them), so it takes seconds on millions
    of transitions and never loops in Python. The hand-off rollup is counted once afterwards,
    not by its trigger row by row.
    """
    with rollups_paused((HANDOFFS,)):
        return _stays_replace()


def _stays_replace() -> int:
    stay = StageStay._meta.db_table
    duration, _ = connection.ops.subtract_temporals(
        "DateTimeField", ("m.next_at", ()), ("m.at", ())
    )
    sql = _REBUILD.format(
        stay=stay,
        transition=Transition._meta.db_table,
        contact=Contact._meta.db_table,
        duration=duration,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")  # sort the history in memory
            cursor.execute(f"TRUNCATE {stay}")
        else:
            cursor.execute(f"DELETE FROM {stay}")
        cursor.execute(sql)
        return cursor.rowcount
