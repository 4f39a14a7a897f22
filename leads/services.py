"""
Every write to contacts and their stages. Views, the API, the admin, scoring and tasks call
these functions; none of them assigns ``stage`` or an owner itself.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, cast

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DateTimeField, Field, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from . import duplicates, signals
from .erasure import personal_values, scrub_rows
from .errors import DuplicateContact, StageConflict
from .jobs import enqueue_on_commit
from .models import Contact, Definition, Merge, TouchSource, Transition
from .normalise import currency_code
from .roles import Capability, User, account, can, roles_of
from .stages import MOVES, Move, MoveRule, Stage
from .touches import TouchIn, touches_record


def _check_actor(rule: MoveRule, actor: User | None, contact: Contact) -> None:
    """Refuse a move the actor has no right to make. ``None`` is the system."""
    if actor is None:
        return
    roles = roles_of(actor)
    if not roles & rule.roles:
        raise PermissionDenied(_("Your role does not allow this action."))
    limited = roles & rule.owner_only and not roles & (rule.roles - rule.owner_only)
    if limited and contact.owner_id != actor.pk:
        raise PermissionDenied(_("This contact is assigned to someone else."))


def can_move(user: User | None, contact: Contact, move: Move) -> bool:
    """Whether ``user`` may make ``move`` on ``contact`` as it stands now: what pages offer.

    The same checks as the move itself (stage, role, ownership, a claim's free owner), so a
    page shows exactly the buttons the service and the API would accept.
    """
    rule = MOVES[move]
    if contact.erased_at is not None or contact.stage not in rule.sources:
        return False
    if move == Move.CLAIM and contact.owner_id is not None:
        return False
    try:
        _check_actor(rule, user, contact)
    except PermissionDenied:
        return False
    return True


def _apply(
    current: Contact,
    move: Move,
    *,
    by: User | None,
    reason: str,
    at: datetime | None,
    target: Stage | None = None,
    data: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> tuple[set[str], Transition]:
    """Change the (locked) contact in memory; return the fields changed and its history row."""
    rule = MOVES[move]
    at = at or timezone.now()
    from_stage = current.stage
    to_stage = target or rule.target or from_stage
    changed = dict(fields or {})
    if to_stage != from_stage:
        changed.update(stage=to_stage, stage_changed_at=at)
        for name in Contact.first_reached_fields(to_stage):
            if getattr(current, name) is None and name not in changed:
                changed[name] = at
    if at < current.first_seen_at:
        changed["first_seen_at"] = at  # a move dated before the record: seen by then
    changed["updated_at"] = timezone.now()
    for name, value in changed.items():
        setattr(current, name, value)
    transition = Transition(
        contact=current,
        move=move,
        from_stage=from_stage,
        to_stage=to_stage,
        at=at,
        actor=account(by),
        reason=reason,
        data=dict(data or {}),
    )
    return set(changed), transition


def record_move(
    current: Contact,
    move: Move,
    *,
    by: User | None,
    reason: str = "",
    at: datetime | None = None,
    target: Stage | None = None,
    data: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> Transition:
    """Write a checked move of a locked contact: its fields, its history row, and the news
    to the other apps. For the services of ``leads`` (``_move``, the merge), which have
    checked the move and hold the row's lock."""
    changed, transition = _apply(
        current, move, by=by, reason=reason, at=at, target=target, data=data, fields=fields
    )
    current.save(update_fields=changed)
    transition.save()
    _announce([(current, transition)])
    return transition


def _announce(moves: list[tuple[Contact, Transition]]) -> None:
    """Tell the other apps: inside the transaction first, in one send for every contact a
    move or a bulk move changed; after the commit second, per contact."""
    signals.transitions_recorded.send(sender=Contact, moves=moves)
    for contact, transition in moves:
        transaction.on_commit(
            partial(
                signals.stage_changed.send_robust,
                sender=Contact,
                contact_id=contact.pk,
                transition_id=transition.pk,
                from_stage=transition.from_stage,
                to_stage=transition.to_stage,
            )
        )


def _clean_reason(rule: MoveRule, reason: str) -> str:
    reason = (reason or "").strip()
    if rule.needs_reason and not reason:
        raise ValidationError({"reason": [_("A reason is required.")]})
    return reason


@transaction.atomic
def _move(
    contact: Contact,
    move: Move,
    *,
    by: User | None,
    reason: str = "",
    at: datetime | None = None,
    target: Stage | None = None,
    data: Mapping[str, Any] | Callable[[Contact], Mapping[str, Any]] | None = None,
    fields: Mapping[str, Any] | None = None,
    check: Callable[[Contact], None] | None = None,
) -> Contact:
    """Apply one move: check it against the current row, write it, record it, announce it.

    The row is locked (``select_for_update``) so that two concurrent moves are serialised:
    the second sees the stage the first left and gets a ``StageConflict``, never a lost
    update. On SQLite the lock is a no-op, but IMMEDIATE transactions serialise writers.
    ``data`` that tells what the contact was (the previous owner) is a function of the
    locked row: the caller's copy may be older than the move it lost the race to.
    """
    rule = MOVES[move]
    reason = _clean_reason(rule, reason)
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    if current.erased_at is not None:
        raise StageConflict(move=move, stage=current.stage)
    _check_actor(rule, by, current)
    if current.stage not in rule.sources:
        raise StageConflict(move=move, stage=current.stage)
    if check is not None:
        check(current)  # a move's own condition on the locked row
    signals.move_requested.send(
        sender=Contact, contact=current, move=move, by=by, reason=reason, at=at or timezone.now()
    )
    if callable(data):
        data = data(current)
    record_move(
        current, move, by=by, reason=reason, at=at, target=target, data=data, fields=fields
    )
    contact.__dict__.update(
        {f.attname: getattr(current, f.attname) for f in Contact._meta.concrete_fields}
    )
    contact._state.fields_cache.clear()  # e.g. a cached old ``owner``
    return contact


@transaction.atomic
def contacts_move_bulk(
    *,
    move: Move,
    at_by_id: Mapping[int, datetime],
    reason: str | Mapping[int, str],
    by: User | None = None,
) -> list[Transition]:
    """Apply one move to many contacts at once (the system engaging or promoting a batch),
    each at its own time and with one reason for all or a reason of its own (the score each
    promoted contact reached).

    Contacts whose stage does not allow the move are left as they are, without an error: an
    event batch engages every sender, and most of them are leads already. The rows are
    locked in id order (no deadlock between two batches) and written with one bulk UPDATE
    and one bulk INSERT, and announced in one ``transitions_recorded``.
    """
    rule = MOVES[move]
    reason_of = (
        {pk: _clean_reason(rule, text) for pk, text in reason.items()}
        if isinstance(reason, Mapping)
        else dict.fromkeys(at_by_id, _clean_reason(rule, reason))
    )
    rows = list(
        Contact.objects.select_for_update()
        .filter(pk__in=at_by_id, stage__in=rule.sources, erased_at__isnull=True)
        .order_by("pk")
    )
    fields: set[str] = set()
    transitions = []
    for row in rows:
        _check_actor(rule, by, row)
        changed, transition = _apply(
            row, move, by=by, reason=reason_of[row.pk], at=at_by_id[row.pk]
        )
        fields |= changed
        transitions.append(transition)
    if not rows:
        return []
    Contact.objects.bulk_update(rows, sorted(fields))
    Transition.objects.bulk_create(transitions)
    _announce(list(zip(rows, transitions, strict=True)))
    return transitions


def contact_engage(
    *,
    contact: Contact,
    by: User | None = None,
    at: datetime | None = None,
    reason: str = "",
) -> Contact:
    """First engagement (or a recycled person's new one) makes a contact a lead."""
    return _move(contact, Move.ENGAGE, by=by, at=at, reason=reason or _("First engagement"))


def contact_mark_mql(
    *, contact: Contact, by: User | None, at: datetime | None = None, reason: str = ""
) -> Contact:
    """Marketing hands the contact to sales, by hand or when its score crossed the threshold."""
    return _move(contact, Move.MARK_MQL, by=by, at=at, reason=reason)


def contact_accept(
    *, contact: Contact, by: User, reason: str = "", at: datetime | None = None
) -> Contact:
    """The rep called the MQL and decided to go further: it becomes an SQL."""
    return _move(contact, Move.ACCEPT, by=by, reason=reason, at=at)


def contact_fast_track(
    *, contact: Contact, by: User, reason: str, at: datetime | None = None
) -> Contact:
    """A rep takes a lead straight to SQL (a demo request from a perfect fit, say)."""
    return _move(contact, Move.FAST_TRACK, by=by, reason=reason, at=at)


def contact_reject(
    *,
    contact: Contact,
    by: User,
    reason: str,
    recycle: bool = True,
    at: datetime | None = None,
) -> Contact:
    """The rep turns the MQL down: back to marketing for nurturing, or out for good."""
    target = Stage.RECYCLED if recycle else Stage.DISQUALIFIED
    return _move(contact, Move.REJECT, by=by, reason=reason, target=target, at=at)


def contact_qualify(
    *,
    contact: Contact,
    by: User,
    budget: Decimal,
    currency: str,
    close_by: date,
    reason: str = "",
    at: datetime | None = None,
) -> Contact:
    """The need has a budget and a deadline: the SQL becomes a qualified opportunity."""
    if budget <= 0:
        raise ValidationError({"budget": [_("The budget must be greater than zero.")]})
    try:
        currency = currency_code(currency)
    except ValidationError as error:
        raise ValidationError({"currency": error.messages}) from None
    deal = {"budget": budget, "currency": currency, "close_by": close_by}
    data = {"budget": str(budget), "currency": currency, "close_by": str(close_by)}
    return _move(contact, Move.QUALIFY, by=by, reason=reason, fields=deal, data=data, at=at)


def contact_win(
    *,
    contact: Contact,
    by: User,
    amount: Decimal,
    reason: str = "",
    at: datetime | None = None,
) -> Contact:
    """The opportunity signed: the contact is a client."""
    if amount <= 0:
        raise ValidationError({"amount": [_("The amount must be greater than zero.")]})
    return _move(
        contact,
        Move.WIN,
        by=by,
        reason=reason,
        fields={"won_amount": amount},
        data=lambda current: {"amount": str(amount), "currency": current.currency},
        at=at,
    )


def contact_lose(
    *, contact: Contact, by: User, reason: str, at: datetime | None = None
) -> Contact:
    """The opportunity is lost (no budget, went to a competitor, ...)."""
    return _move(contact, Move.LOSE, by=by, reason=reason, at=at)


def contact_disqualify(
    *, contact: Contact, by: User | None, reason: str, at: datetime | None = None
) -> Contact:
    """Marketing takes a contact out of the funnel for good (a competitor, a student)."""
    return _move(contact, Move.DISQUALIFY, by=by, reason=reason, at=at)


def contact_assign(
    *,
    contact: Contact,
    by: User | None,
    owner: User | None,
    reason: str = "",
    at: datetime | None = None,
) -> Contact:
    """Give the contact to a sales rep (or back to the shared queue with ``owner=None``).

    Recorded in the history like a move, so the timeline shows every hand-over.
    """
    if owner is not None and not (owner.is_active and can(owner, Capability.OWN_CONTACTS)):
        raise ValidationError({"owner": [_("The owner must be an active sales rep.")]})
    return _move(
        contact,
        Move.ASSIGN,
        by=by,
        reason=reason,
        fields={"owner": owner},
        data=lambda current: {
            "owner": owner.pk if owner else None,
            "previous_owner": current.owner_id,
        },
        at=at,
    )


def contact_claim(
    *, contact: Contact, by: User, reason: str = "", at: datetime | None = None
) -> Contact:
    """A rep takes an unassigned MQL from the shared queue; the first to claim wins."""

    def unassigned(current: Contact) -> None:
        if current.owner_id is not None:
            raise StageConflict(
                move=Move.CLAIM, stage=current.stage, why=_("it is assigned already")
            )

    data = {"owner": by.pk, "previous_owner": None}
    return _move(
        contact,
        Move.CLAIM,
        by=by,
        reason=reason,
        at=at,
        fields={"owner": by},
        data=data,
        check=unassigned,
    )


def contacts_seen(*, at_by_id: Mapping[int, datetime]) -> None:
    """Date back the first-seen time of contacts to activity that precedes it (a sync of
    older events), in one UPDATE: the cohort a person belongs to is when they were first
    seen, not when a system happened to send them."""
    stored = Contact.objects.filter(pk__in=at_by_id).values_list("pk", "first_seen_at")
    # Most activity comes after the first sight: only the others are written, and the
    # UPDATE's own test keeps a concurrent, earlier date.
    earlier = {pk: at_by_id[pk] for pk, seen in stored if seen and at_by_id[pk] < seen}
    if not earlier:
        return
    at = Case(
        *(When(pk=pk, then=Value(seen)) for pk, seen in earlier.items()),
        output_field=DateTimeField(),
    )
    Contact.objects.filter(pk__in=earlier, first_seen_at__gt=at).update(first_seen_at=at)


def _email_taken(email: str, *, exclude: int | None = None) -> int | None:
    others = Contact.objects.annotate(e=Lower("email")).filter(e=email.lower())
    if exclude is not None:
        others = others.exclude(pk=exclude)
    return others.values_list("pk", flat=True).first()


@transaction.atomic
def contact_create(*, by: User | None, email: str, **fields: Any) -> Contact:
    """Create a contact; an e-mail that exists (in any case) is a ``DuplicateContact``."""
    existing = _email_taken(email)
    if existing:
        raise DuplicateContact(existing_id=existing)
    contact = Contact(email=email, **fields)
    contact.full_clean(exclude=["email"])
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:
        # Another request created the same e-mail between our check and our insert.
        raise DuplicateContact(existing_id=_email_taken(email)) from None
    if contact.campaign_id:
        at = min(contact.created_at, contact.first_seen_at)
        touch = TouchIn(contact.pk, at, TouchSource.CREATED, campaign_id=contact.campaign_id)
        touches_record([touch])
    signals.contact_saved.send(
        sender=Contact, contact=contact, created=True, changed=set(fields) | {"email"}
    )
    duplicates.pairs_refresh([contact.pk])
    return contact


@transaction.atomic
def contacts_for_emails(
    *, emails: Iterable[str], campaigns: Mapping[str, int] | None = None
) -> dict[str, int]:
    """The contact id of every e-mail (lower-cased), creating the contacts that do not exist.

    Set-based for event batches and imports: one SELECT, one INSERT ... ON CONFLICT DO
    NOTHING (a concurrent batch creating the same e-mail is not an error), one SELECT for the
    e-mails such a batch created meanwhile. A contact created here gets its e-mail's campaign
    from ``campaigns``: its first touch, which reports attribute its cost to; a known contact
    keeps the one it came with. The contacts created here, and only those, are announced
    with ``contacts_created``.
    """
    wanted = {email.strip().lower() for email in emails}
    if not wanted:
        return {}
    by_email = _ids_by_email(wanted)
    missing = wanted - by_email.keys()
    if missing:
        first_touch = {email.strip().lower(): pk for email, pk in (campaigns or {}).items()}
        created = _insert_new(sorted(missing), first_touch)
        by_email |= created | _ids_by_email(missing - created.keys())
        if created:
            signals.contacts_created.send(sender=Contact, contact_ids=set(created.values()))
            enqueue_on_commit(
                "leads.tasks.duplicates_refresh",
                sorted(created.values()),
                waiting="the new contacts' duplicates, until the next scan",
            )
    return by_email


def _insert_new(emails: list[str], campaigns: Mapping[str, int]) -> dict[str, int]:
    """Insert a contact per e-mail; the ids of those this statement inserted, by e-mail.

    ``RETURNING`` tells them apart from the e-mails a concurrent batch created first (which
    ``bulk_create(ignore_conflicts=True)`` cannot, field notes). Announcing those as created
    here would send their webhooks twice and make scoring lock another batch's contacts
    while holding this one's new rows: out of id order, a deadlock under concurrent batches.
    """
    opts, quote = Contact._meta, connection.ops.quote_name
    fields = [field for field in opts.concrete_fields if not field.primary_key]
    rows = [  # in e-mail order, as any batch inserts
        Contact(email=email, campaign_id=campaigns.get(email)) for email in emails
    ]
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    email_field = cast(Field[Any, Any], opts.get_field("email"))
    returning = f"{quote(cast(str, opts.pk.column))}, {quote(cast(str, email_field.column))}"
    created: dict[str, int] = {}
    size = connection.ops.bulk_batch_size(fields, rows)  # SQLite limits the parameters
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(opts.db_table)} ({columns}) "
                f"VALUES {', '.join([marks] * len(batch))} "
                f"ON CONFLICT DO NOTHING RETURNING {returning}",
                [
                    field.get_db_prep_save(field.pre_save(row, add=True), connection)
                    for row in batch
                    for field in fields
                ],
            )
            created.update({email: pk for pk, email in cursor.fetchall()})
    return created


def _ids_by_email(emails: set[str]) -> dict[str, int]:
    return dict(
        Contact.objects.annotate(key=Lower("email"))
        .filter(key__in=emails)
        .values_list("key", "pk")
    )


def _check_editor(actor: User | None, contact: Contact) -> None:
    """Marketers and managers edit any contact; a rep only the ones assigned to them (an
    MQL of the shared queue becomes theirs to edit once claimed). ``None`` is the system."""
    if actor is None or can(actor, Capability.EDIT_CONTACTS):
        return
    if not (can(actor, Capability.OWN_CONTACTS) and contact.owner_id == actor.pk):
        raise PermissionDenied(_("You may edit only the contacts assigned to you."))


@transaction.atomic
def contact_update(*, contact: Contact, by: User | None, **fields: Any) -> Contact:
    """Edit a contact's details. Stage, owner and scores are not editable here."""
    _check_editor(by, contact)
    forbidden = {
        "stage",
        "owner",
        "score",
        "fit_score",
        "engagement_score",
        "sla_due_at",
    }
    if forbidden & set(fields):
        raise ValidationError(
            _("Stage, owner, scores and deadlines change through their actions.")
        )
    email = fields.get("email")
    if email is not None:
        existing = _email_taken(email, exclude=contact.pk)
        if existing:
            raise DuplicateContact(existing_id=existing)
    changed = {name for name, value in fields.items() if getattr(contact, name) != value}
    for name in changed:
        setattr(contact, name, fields[name])
    if changed:
        try:
            with transaction.atomic():
                contact.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            taken = _email_taken(email, exclude=contact.pk) if email else None
            raise DuplicateContact(existing_id=taken) from None
        signals.contact_saved.send(sender=Contact, contact=contact, created=False, changed=changed)
        if changed & set(Contact.IDENTITY_FIELDS):
            duplicates.pairs_refresh([contact.pk])
    return contact


@transaction.atomic
def contact_erase(*, contact: Contact, by: User | None) -> Contact:
    """Right to erasure: remove the person's personal data, keep the anonymous funnel facts.

    The row stays (stage timestamps, campaign, owner, transitions) so reports still count
    it; every app erases what it holds through ``contact_erased`` in the same transaction.
    """
    if by is not None and not can(by, Capability.EDIT_CONTACTS):
        raise PermissionDenied(_("Only marketing and managers erase a person's data."))
    if contact.erased_at is not None:
        return contact
    email, values = contact.email, personal_values(contact)
    for name in Contact.PERSONAL_FIELDS:
        setattr(
            contact,
            name,
            {} if name == "attributes" else None if name == "email" else "",
        )
    contact.erased_at = timezone.now()
    contact.sla_due_at = None
    contact.save()
    scrub_rows(Transition.objects.filter(contact=contact), ["reason"], values)
    _erase_admin_log(contact)
    _erase_merges(contact, values)
    signals.contact_erased.send(sender=Contact, contact=contact, email=email, values=values)
    for merged in contact.merged_contacts.filter(erased_at__isnull=True):
        contact_erase(contact=merged, by=by)  # the same person's other record
    return contact


def _erase_merges(contact: Contact, values: list[str]) -> None:
    """A merge keeps both records as they were, to undo it: not the data of an erased
    person. Their suggested pairs go too."""
    merges = Merge.objects.filter(Q(survivor=contact) | Q(other=contact))
    scrub_rows(merges, ["before", "changed"], values)
    duplicates.pairs_forget([contact.pk])


def _erase_admin_log(contact: Contact) -> None:
    """The admin's log names the objects it changed ("Ada Lovelace <ada@...>")."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
    ).update(object_repr=str(contact), change_message="")


def definition_revise(*, term: Definition.Term, text: str, by: User) -> Definition:
    """Write a new revision of what ``term`` means here (managers only).

    Revisions are append-only, so both teams can see what the definition was when a number
    was computed; saving an unchanged text adds nothing.
    """
    if not can(by, Capability.MANAGE_TEAM):
        raise PermissionDenied(_("Only managers edit the team's definitions."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Write what the term means here.")]})
    current = Definition.objects.filter(term=term).order_by("-written_at", "-id").first()
    if current is not None and current.text == text:
        return current
    return Definition.objects.create(term=term, text=text, written_by=account(by))
