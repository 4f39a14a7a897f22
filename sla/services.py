"""
Writes of the SLA app: policies, rep availability, the clocks that follow every move, and
the dealing of new MQLs to reps. Stages and owners still change only through
``leads.services``; the only contact column written here is ``sla_due_at``.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.dates import validate_planned_moment
from leads.models import Contact, Transition
from leads.records import checked_save
from leads.roles import Capability, User, can
from leads.services import contact_assign
from leads.stages import Move as LeadMove
from leads.stages import Stage
from sales.models import SalesActivity

from . import selectors
from .errors import TooFewAttempts, TouchAnsweredClock, days_between
from .models import (
    CLOCK_ANSWERS,
    CLOCK_STAGES,
    CLOCK_STOPPING_MOVES,
    TOUCH_CLOCKS,
    AssignmentMode,
    AssignmentRule,
    Breach,
    Clock,
    ClockKind,
    Notification,
    PendingAssignment,
    RepAvailability,
    SlaPolicy,
    StopsOn,
    says_unreachable,
)

# --- Policies ---------------------------------------------------------------------------


@transaction.atomic
def policy_create(*, by: User | None, **fields: Any) -> SlaPolicy:
    """A new policy; it applies to contacts entering its stage from now on."""
    policy = SlaPolicy(**fields)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def policy_update(
    *, policy: SlaPolicy, by: User | None, now: datetime | None = None, **fields: Any
) -> SlaPolicy:
    """Edit a policy. Running clocks keep the deadline they were given; switching a policy
    off stops its clocks, so nobody is held to a rule that no longer exists."""
    current = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    if fields.get("clock", current.clock) != current.clock and current.clocks.exists():
        raise ValidationError({"clock": [_("Clocks ran under this policy: create a new one.")]})
    checked_save(policy, **fields)
    if current.active and not policy.active:
        _stop_policy_clocks(policy, now or timezone.now())
    return policy


def _stop_policy_clocks(policy: SlaPolicy, now: datetime) -> None:
    Clock.objects.running().filter(policy=policy).update(stopped_at=now)
    stopped = Clock.objects.filter(policy=policy, stopped_at=now).values("contact_id")
    refresh_deadlines(Contact.objects.filter(pk__in=stopped))


# --- People: availability, notifications ---------------------------------------------


@transaction.atomic
def rep_set_availability(
    *,
    rep: User,
    by: User,
    away: bool,
    away_until: datetime | None = None,
    note: str = "",
) -> RepAvailability:
    """Mark a rep away (skipped by assignment until ``away_until`` or until lifted) or back
    (which clears the return date). A rep sets their own; a manager sets anyone's."""
    if by.pk != rep.pk and not can(by, Capability.MANAGE_TEAM):
        raise PermissionDenied(_("Only managers set another rep's availability."))
    if not can(rep, Capability.OWN_CONTACTS):
        raise ValidationError({"rep": [_("Only sales reps have an availability.")]})
    if away and away_until is not None:
        try:
            validate_planned_moment(away_until)
        except ValidationError as error:
            raise ValidationError({"away_until": error.messages}) from None
    availability, _created = RepAvailability.objects.update_or_create(
        rep_id=rep.pk,
        defaults={"away": away, "away_until": away_until if away else None, "note": note},
    )
    return availability


@transaction.atomic
def notification_mark_read(
    *, notification: Notification, by: User, now: datetime | None = None
) -> Notification:
    """The recipient has seen it (reading twice keeps the first time)."""
    if notification.user_id != by.pk:
        raise PermissionDenied(_("This notification is someone else's."))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
    notification.refresh_from_db(fields=["read_at"])
    return notification


# --- Clocks -----------------------------------------------------------------------------


def _kinds_ending(transition: Transition) -> set[ClockKind]:
    return {
        kind
        for kind, stage in CLOCK_STAGES.items()
        if (transition.from_stage == stage and transition.to_stage != stage)
        or transition.move in CLOCK_STOPPING_MOVES.get(kind, ())
    }


def _kinds_starting(transition: Transition) -> set[ClockKind]:
    return {
        kind
        for kind, stage in CLOCK_STAGES.items()
        if transition.to_stage == stage and transition.from_stage != stage
    }


Move = tuple[Contact, Transition]


def clocks_follow_transitions(*, moves: Sequence[Move]) -> None:
    """Stop the clocks of the stages the contacts left, start those of the stages they
    entered, and hand running clocks over when the owner changes: a few statements for the
    whole batch, one group per kind of change.

    Runs inside the moves' transaction (``transitions_recorded``): the clocks commit or
    roll back with the stage changes, so no committed MQL lacks its deadline. Times are the
    moves' own (an event's time), so a back-dated MQL is due from when it really became one.
    """
    groups: dict[tuple[frozenset[ClockKind], frozenset[ClockKind], bool], list[Move]]
    groups = defaultdict(list)
    for contact, transition in moves:
        ending, starting = _kinds_ending(transition), _kinds_starting(transition)
        if ending or starting:
            # A stage entered again restarts its clocks: stop any left running, so the
            # one-running-clock-per-kind constraint holds even on hand-arranged data.
            stays = transition.from_stage == transition.to_stage
            groups[frozenset(ending | starting), frozenset(starting), stays].append(
                (contact, transition)
            )
    for (stopping, begun, stays), group in groups.items():
        _stop_clocks(group, stopping, by_action_only=stays)
        _start_clocks(group, begun)
    handed = _hand_over_clocks(
        [(c, t) for c, t in moves if t.move in OWNER_MOVES and t.from_stage == t.to_stage]
    )
    _refresh_deadlines([contact for group in groups.values() for contact, _ in group] + handed)
    _await_assignment(
        [
            contact
            for contact, transition in moves
            if transition.to_stage == Stage.MQL and transition.from_stage != Stage.MQL
        ]
    )


OWNER_MOVES = frozenset({LeadMove.ASSIGN, LeadMove.CLAIM})


def _hand_over_clocks(moves: Sequence[Move]) -> list[Contact]:
    """A new owner of a contact with running clocks: a clock still in the shared queue is
    now theirs (the deadline it was given stands); a clock another rep held (breached or
    not) stops there, unanswered, and the new owner gets a hand-off of their own with a
    fresh deadline from today's policy. The missed deadline stays with who missed it.
    Returns the contacts whose deadlines changed."""
    if not moves:
        return []
    contacts = {contact.pk: contact for contact, _ in moves}
    at_of = {contact.pk: t.at for contact, t in moves}
    running = list(Clock.objects.running().filter(contact_id__in=contacts))
    owner_of = {clock.pk: contacts[clock.contact_id].owner_id for clock in running}
    queued = [c for c in running if c.owner_id is None and owner_of[c.pk] is not None]
    handed = [c for c in running if c not in queued and c.owner_id != owner_of[c.pk]]
    for clock in queued:
        clock.owner_id = owner_of[clock.pk]
    for clock in handed:
        clock.stopped_at = at_of[clock.contact_id]
    Clock.objects.bulk_update(queued, ["owner"])
    Clock.objects.bulk_update(handed, ["stopped_at"])
    policies = {p.clock: p for p in selectors.active_policies({c.kind for c in handed})}
    Clock.objects.bulk_create(
        clock_for(contacts[c.contact_id], policies[c.kind], at_of[c.contact_id])
        for c in handed
        if c.kind in policies
    )
    return [contacts[pk] for pk in {c.contact_id for c in handed}]


def _at_each(group: Sequence[Move]) -> Case:
    """Each contact's own move time, for an UPDATE of many contacts' rows."""
    return Case(
        *(When(contact_id=contact.pk, then=Value(t.at)) for contact, t in group),
        output_field=DateTimeField(),
    )


def _stop_clocks(
    group: Sequence[Move], kinds: frozenset[ClockKind], *, by_action_only: bool = False
) -> None:
    """Stop the contacts' clocks of ``kinds``. ``by_action_only``: the stage stays (a claim),
    which stops the clocks a first action answers, not those waiting for a first touch."""
    ids = [contact.pk for contact, _ in group]
    at = _at_each(group)
    running = Clock.objects.running()
    if by_action_only:
        running = running.filter(policy__stops_on=StopsOn.FIRST_ACTION)
    for kind in kinds:
        # A person's sales action answers the clock: its time is what the verdict reads.
        answered = [
            (c, t) for c, t in group if t.move in CLOCK_ANSWERS[kind] and t.actor_id is not None
        ]
        if answered:
            running.filter(contact_id__in=[c.pk for c, _ in answered], kind=kind).update(
                acted_at=_at_each(answered)
            )
    running.filter(contact_id__in=ids, kind__in=kinds).update(stopped_at=at)
    # The contacts left the stage (or were answered): their missed deadlines are resolved.
    breaches = Breach.objects.filter(contact_id__in=ids, kind__in=kinds, resolved_at__isnull=True)
    if by_action_only:
        breaches = breaches.filter(policy__stops_on=StopsOn.FIRST_ACTION)
    breaches.update(resolved_at=at)


def _start_clocks(group: Sequence[Move], kinds: frozenset[ClockKind]) -> None:
    if kinds:
        policies = list(selectors.active_policies(kinds))
        Clock.objects.bulk_create(
            clock_for(contact, policy, t.at) for contact, t in group for policy in policies
        )


def clock_for(contact: Contact, policy: SlaPolicy, at: datetime) -> Clock:
    """A hand-off of ``contact`` to its current owner, due by ``policy`` as it is now."""
    return Clock(
        contact=contact,
        policy=policy,
        kind=policy.clock,
        owner_id=contact.owner_id,
        started_at=at,
        due_at=policy.deadline(at),
    )


def _refresh_deadlines(contacts: Sequence[Contact]) -> None:
    """Write the earliest running deadline to ``Contact.sla_due_at``, in the database and on
    the caller's objects (a move answers with its contact)."""
    if not contacts:
        return
    ids = [contact.pk for contact in contacts]
    refresh_deadlines(Contact.objects.filter(pk__in=ids))
    due = dict(Contact.objects.filter(pk__in=ids).values_list("pk", "sla_due_at"))
    for contact in contacts:
        contact.sla_due_at = due[contact.pk]


def refresh_deadlines(contacts: QuerySet[Contact]) -> int:
    """Set the earliest running deadline as ``sla_due_at`` of each contact (one UPDATE)."""
    earliest = (
        Clock.objects.running().filter(contact=OuterRef("pk")).order_by("due_at").values("due_at")
    )
    return contacts.update(sla_due_at=Subquery(earliest[:1]))


def clocks_answer_touches(*, touches: Sequence[tuple[int, datetime]]) -> None:
    """Touches answer the hand-offs of ``stops_on=first_touch`` policies: each unanswered
    clock of a touched contact is answered by the earliest ``(contact id, when)`` touch that
    falls while it ran, and stopped then if it still runs. A touch logged late still counts
    for the hand-off it was made in (the rep who called in time was in time), never for a
    later one.

    Runs in the transaction that logged the touches (``activities_logged``); the clocks are
    locked, so the sweep breaching one meanwhile waits and then sees it stopped.
    """
    when: dict[int, list[datetime]] = defaultdict(list)
    for contact_id, touched_at in touches:
        when[contact_id].append(touched_at)
    if not when:
        return
    clocks = Clock.objects.select_for_update().filter(
        contact_id__in=when,
        kind__in=TOUCH_CLOCKS,
        policy__stops_on=StopsOn.FIRST_TOUCH,
        acted_at__isnull=True,
    )
    answered = []
    for clock in clocks.order_by("pk"):
        clock.acted_at = min(
            (
                at
                for at in when[clock.contact_id]
                if clock.started_at <= at and (clock.stopped_at is None or at <= clock.stopped_at)
            ),
            default=None,
        )
        if clock.acted_at is not None:
            clock.stopped_at = clock.stopped_at or clock.acted_at
            answered.append(clock)
    Clock.objects.bulk_update(answered, ["acted_at", "stopped_at"])
    breaches = list(Breach.objects.filter(clock__in=answered, resolved_at__isnull=True))
    answer = {clock.pk: clock.acted_at for clock in answered}
    for breach in breaches:
        breach.resolved_at = answer[breach.clock_id]
    Breach.objects.bulk_update(breaches, ["resolved_at"])
    refresh_deadlines(Contact.objects.filter(pk__in={c.contact_id for c in answered}))


def touch_check_withdrawal(*, activity: SalesActivity) -> None:
    """Refuse to delete a touch, or change it so it counts otherwise, once it answered a
    first-touch clock: the clock's verdict rests on it, and a rep could otherwise log a call,
    meet the deadline and take the call back."""
    answered = Clock.objects.filter(
        contact_id=activity.contact_id,
        kind__in=TOUCH_CLOCKS,
        policy__stops_on=StopsOn.FIRST_TOUCH,
        acted_at=activity.occurred_at,
    ).first()
    if answered is not None:
        raise TouchAnsweredClock(started_at=answered.started_at)


def reject_check_attempts(*, contact: Contact, reason: str, at: datetime) -> None:
    """Refuse to reject an MQL as unreachable before the active MQL policy's attempts: at
    least ``unreachable_attempts`` outbound touches since it became an MQL, spread over at
    least ``unreachable_days`` from the first to the last (three calls in an hour are one
    try, not three days of trying)."""
    policy = selectors.unreachable_policy()
    if policy is None or not says_unreachable(reason) or policy.unreachable_attempts is None:
        return
    touches = SalesActivity.objects.touches().filter(
        contact=contact, occurred_at__gte=contact.stage_changed_at, occurred_at__lte=at
    )
    made = touches.aggregate(count=Count("pk"), first=Min("occurred_at"), last=Max("occurred_at"))
    days = days_between(made["first"], made["last"])
    required_days = policy.unreachable_days or 0
    if made["count"] < policy.unreachable_attempts or days < required_days:
        raise TooFewAttempts(
            attempts=made["count"],
            required=policy.unreachable_attempts,
            days=days,
            required_days=required_days,
        )


def clocks_stop_for_erasure(*, contact: Contact, now: datetime | None = None) -> None:
    """An erased contact is out of every queue: no clock may breach on it."""
    Clock.objects.running().filter(contact=contact).update(stopped_at=now or timezone.now())
    PendingAssignment.objects.filter(contact=contact).delete()


def clocks_stop_for_merge(*, contact: Contact, now: datetime | None = None) -> list[int]:
    """A contact merged into another is out of every queue; the ids of the clocks stopped."""
    running = Clock.objects.running().filter(contact=contact)
    ids = list(running.values_list("pk", flat=True))
    Clock.objects.filter(pk__in=ids).update(stopped_at=now or timezone.now())
    PendingAssignment.objects.filter(contact=contact).delete()
    return ids


def clocks_resume(*, clock_ids: Sequence[int], contact: Contact) -> None:
    """The clocks a merge stopped run again once it is undone, unanswered and unbreached as
    they were, with the contact's deadline back (the sweep then judges them as usual)."""
    Clock.objects.filter(pk__in=clock_ids, acted_at__isnull=True).update(stopped_at=None)
    _refresh_deadlines([contact])


# --- Assignment -------------------------------------------------------------------------


def _await_assignment(contacts: Sequence[Contact]) -> None:
    """Leave a row per new MQL without an owner for the assignment task (and, should it
    never run, for the sweep)."""
    waiting = [contact for contact in contacts if contact.owner_id is None]
    if waiting and selectors.round_robin_in_use():
        PendingAssignment.objects.bulk_create(
            (PendingAssignment(contact=contact) for contact in waiting), ignore_conflicts=True
        )


def next_in_circle(circle: list[int], *, after: int | None, skip: int | None) -> int | None:
    """The first id after ``after`` in the sorted ``circle``, wrapping round, never ``skip``."""
    candidates = [rep for rep in circle if rep != skip]
    if not candidates:
        return None
    later = (rep for rep in candidates if after is not None and rep > after)
    return next(later, candidates[0])


def deal_next_rep(rule: AssignmentRule, *, now: datetime, skip: int | None = None) -> User | None:
    """The rule's next available rep, moving its round-robin cursor.

    The rule row is locked while the cursor is read and moved, so two MQLs assigned at the
    same moment go to two reps, not both to the same one.
    """
    locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    rep_id = next_in_circle(
        selectors.available_rep_ids(locked, now), after=locked.last_rep_id, skip=skip
    )
    if rep_id is None:
        return None
    AssignmentRule.objects.filter(pk=rule.pk).update(last_rep_id=rep_id)
    return get_user_model().objects.get(pk=rep_id)


def next_rep_for(contact: Contact, *, now: datetime) -> User | None:
    """Who takes a contact off its current owner: the next rep of its rule's circle, or
    without a rule, the next active rep after the owner. None when nobody else is there."""
    rule = selectors.rule_for(contact)
    if rule is not None:
        return deal_next_rep(rule, now=now, skip=contact.owner_id)
    circle = selectors.available_rep_ids(None, now)
    rep_id = next_in_circle(circle, after=contact.owner_id, skip=contact.owner_id)
    return get_user_model().objects.get(pk=rep_id) if rep_id is not None else None


@transaction.atomic
def mql_assign(*, contact_id: int, now: datetime | None = None) -> User | None:
    """Deal a new MQL to the next available rep of the first matching round-robin rule.

    Idempotent: the contact row is locked first (the same order as a move), then the
    pending row is deleted as the claim, so a redelivered task or the sweep doing the same
    work assign it once. An MQL claimed or assigned by hand meanwhile is left alone; one
    whose rule is a shared queue, or whose reps are all away, waits in the shared queue.
    """
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .filter(pk=contact_id)
        .first()
    )
    claimed = PendingAssignment.objects.filter(contact_id=contact_id).delete()[0]
    if not claimed or contact is None or not _awaits_a_rep(contact):
        return None
    rule = selectors.rule_for(contact)
    if rule is None or rule.mode != AssignmentMode.ROUND_ROBIN:
        return None
    rep = deal_next_rep(rule, now=now or timezone.now())
    if rep is not None:
        contact_assign(contact=contact, by=None, owner=rep, reason=f"Round-robin: {rule.name}")
    return rep


def _awaits_a_rep(contact: Contact) -> bool:
    return contact.stage == Stage.MQL and contact.owner_id is None and contact.erased_at is None
