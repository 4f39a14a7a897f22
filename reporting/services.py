"""
Writes of the reporting app: the stage stays, kept in step with every move inside the move's
own transaction, and rebuilt from the history in one set-based statement when needed (after a
bulk load that bypassed the services, or to prove the incremental path exact).
"""

from django.db import connection, transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value

from leads.models import Contact, Transition

from .models import StageStay


def stay_record_move(*, contact: Contact, transition: Transition) -> None:
    """Follow one move: a stage change closes the open stay and opens the next one.

    Every move (an assignment or a claim too) then brings the owner of the contact's stays
    up to date, so per-rep figures always use the current owner, as the funnel does.
    """
    if transition.from_stage != transition.to_stage:
        StageStay.objects.filter(contact_id=contact.pk, exit__isnull=True).update(
            exit_id=transition.pk,
            left_at=transition.at,
            exit_move=transition.move,
            exit_stage=transition.to_stage,
            exit_by_id=transition.actor_id,
            duration=ExpressionWrapper(
                Value(transition.at, output_field=DateTimeField()) - F("entered_at"),
                output_field=DurationField(),
            ),
        )
        StageStay.objects.create(
            contact_id=contact.pk,
            stage=transition.to_stage,
            entry=transition,
            entered_at=transition.at,
            owner_id=contact.owner_id,
            campaign_id=contact.campaign_id,
        )
    stays_follow_contact(contact=contact)


def stays_follow_contact(*, contact: Contact) -> int:
    """Copy the contact's current owner and campaign onto its stays (one UPDATE)."""
    stale = ~Q(owner_id=contact.owner_id) | ~Q(campaign_id=contact.campaign_id)
    return (
        StageStay.objects.filter(contact_id=contact.pk)
        .filter(stale)
        .update(owner_id=contact.owner_id, campaign_id=contact.campaign_id)
    )


_REBUILD = """
INSERT INTO {stay} (contact_id, stage, entry_id, entered_at, exit_id, left_at, exit_move,
                    exit_stage, exit_by_id, duration, owner_id, campaign_id)
SELECT m.contact_id, m.to_stage, m.id, m.at, m.next_id, m.next_at, COALESCE(m.next_move, ''),
       COALESCE(m.next_stage, ''), m.next_actor, {duration}, c.owner_id, c.campaign_id
FROM (
    SELECT t.id, t.contact_id, t.to_stage, t.at,
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
    of transitions and never loops in Python.
    """
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
