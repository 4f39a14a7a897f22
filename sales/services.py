"""
Writes of the sales app: logging, editing and deleting activities, and the tasks of the next
touch. Who may write what is decided here, so the API and the pages cannot differ on it.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Contact
from leads.records import checked_save
from leads.roles import Account, Capability, User, account, can

from . import signals
from .models import (
    OUTCOMES,
    TOUCH_FIELDS,
    ActivityKind,
    ActivityRevision,
    SalesActivity,
    SalesTask,
)
from .status import lead_status_follow

MAX_BATCH = 500

# --- Who may ---------------------------------------------------------------------------


def may_log(user: User | None, contact: Contact, kind: str) -> bool:
    """A rep logs on the contacts they own, managers on all; marketers add notes."""
    if contact.erased_at is not None:
        return False
    if can(user, Capability.MANAGE_TEAM):
        return True
    if can(user, Capability.OWN_CONTACTS) and contact.owner_id == getattr(user, "pk", None):
        return True
    return kind == ActivityKind.NOTE and can(user, Capability.EDIT_CONTACTS)


def may_change(user: User | None, activity: SalesActivity) -> bool:
    """Only its author changes an activity, managers aside."""
    return activity.author_id == getattr(user, "pk", None) or can(user, Capability.MANAGE_TEAM)


def _check_owner(owner: Account, by: Account) -> None:
    """An activity or a task counts for a sales rep; only a manager names another person."""
    if owner.pk == by.pk:
        return
    if not can(by, Capability.MANAGE_TEAM):
        raise ValidationError({"owner": [_("Only a manager logs for someone else.")]})
    if not (owner.is_active and can(owner, Capability.OWN_CONTACTS)):
        raise ValidationError({"owner": [_("The owner must be an active sales rep.")]})


# --- Activities ------------------------------------------------------------------------


def activity_check(
    *, by: User, contact: Contact, fields: Mapping[str, Any], now: datetime | None = None
) -> tuple[Account, dict[str, Any]]:
    """Whether ``by`` may log this activity on ``contact``, and its fields checked together:
    the owner it counts for and the fields to store, else ``PermissionDenied`` or a
    ``ValidationError`` per field. The API checks each entry of a batch with it first, to
    answer the errors by position."""
    actor = account(by)
    values = {name: value for name, value in fields.items() if name != "contact"}
    if actor is None or not may_log(by, contact, values["kind"]):
        raise PermissionDenied(
            _("You may log only on the contacts assigned to you (marketers add notes).")
        )
    owner: Account = values.pop("owner", None) or actor
    _check_owner(owner, actor)
    values.pop("external_id", None)
    return owner, _cleaned(values, contact, now or timezone.now())


def _cleaned(fields: Mapping[str, Any], contact: Contact, now: datetime) -> dict[str, Any]:
    """The activity's fields checked together; a ``ValidationError`` per field otherwise."""
    fields = dict(fields)
    kind = ActivityKind(fields["kind"])
    errors: dict[str, list[str]] = {}
    if kind == ActivityKind.NOTE:
        for name in ("direction", "outcome"):
            if fields.get(name):
                errors[name] = [_("A note has none.")]
    else:
        if not fields.get("direction"):
            errors["direction"] = [_("Say whether it was outbound or inbound.")]
        allowed = OUTCOMES[kind]
        if fields.get("outcome") and fields["outcome"] not in allowed:
            errors["outcome"] = [f"A {kind.label.lower()} ends as one of: {', '.join(allowed)}."]
    occurred_at = fields.get("occurred_at") or now
    if occurred_at > now:
        errors["occurred_at"] = [_("It cannot be in the future.")]
    elif occurred_at < contact.first_seen_at:
        errors["occurred_at"] = [_("It cannot be before the contact was first seen.")]
    if errors:
        raise ValidationError(errors)
    fields["occurred_at"] = occurred_at
    fields["direction"] = fields.get("direction") or ""
    fields["outcome"] = fields.get("outcome") or ""
    return fields


def activities_log(
    *, by: User, entries: Sequence[Mapping[str, Any]], now: datetime | None = None
) -> tuple[list[SalesActivity], int]:
    """Log a batch of activities, checked whole: any entry that is wrong or not the actor's
    to log raises (``ValidationError`` keyed by position, ``PermissionDenied``) and nothing
    is stored. An ``external_id`` stored before gives back that activity and counts as a
    duplicate. Returns the activities, in the entries' order, and the duplicates' count.

    A concurrent batch with the same ``external_id`` makes the insert fail on the unique
    constraint: the batch is tried once more, and then finds the other's row.
    """
    try:
        return _log(by=by, entries=entries, now=now or timezone.now())
    except IntegrityError:
        return _log(by=by, entries=entries, now=now or timezone.now())


@transaction.atomic
def _log(
    *, by: User, entries: Sequence[Mapping[str, Any]], now: datetime
) -> tuple[list[SalesActivity], int]:
    actor = account(by)
    if actor is None:
        raise PermissionDenied(_("Log in to log an activity."))
    ids = {entry["contact"].pk for entry in entries}
    locked = Contact.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    contacts = {contact.pk: contact for contact in locked}  # locked in id order
    keys = [entry.get("external_id") or None for entry in entries]
    known = SalesActivity.objects.in_bulk([k for k in keys if k], field_name="external_id")
    made: list[tuple[SalesActivity, bool]] = []  # (activity, new here)
    for key, entry in zip(keys, entries, strict=True):
        if key in known:  # stored before, or earlier in this batch
            made.append((known[key], False))
            continue
        contact = contacts[entry["contact"].pk]
        owner, cleaned = activity_check(by=actor, contact=contact, fields=entry, now=now)
        activity = SalesActivity(
            contact=contact, owner=owner, author=actor, external_id=key, **cleaned
        )
        if key:
            known[key] = activity
        made.append((activity, True))
    _logged(
        SalesActivity.objects.bulk_create([a for a, new in made if new]), list(contacts.values())
    )
    return [activity for activity, _ in made], sum(not new for _, new in made)


def _logged(activities: list[SalesActivity], contacts: list[Contact]) -> None:
    if activities:
        lead_status_follow(contacts)
        signals.activities_logged.send(sender=SalesActivity, activities=activities)


def _revise(activity: SalesActivity, by: Account, change: ActivityRevision.Change) -> None:
    ActivityRevision.objects.create(
        activity=activity if change == ActivityRevision.Change.EDITED else None,
        contact_id=activity.contact_id,
        change=change,
        before=model_to_dict(activity, fields=SalesActivity.EDITABLE_FIELDS),
        by=by,
    )


@transaction.atomic
def activity_update(
    *, activity: SalesActivity, by: User, now: datetime | None = None, **fields: Any
) -> SalesActivity:
    """Change an activity (its author, or a manager); the values it had are kept."""
    actor = account(by)
    current = SalesActivity.objects.select_for_update().get(pk=activity.pk)
    if actor is None or not may_change(by, current):
        raise PermissionDenied(_("Only its author or a manager changes an activity."))
    if "owner" in fields and fields["owner"] != current.owner:
        _check_owner(fields["owner"], actor)
    values = {name: getattr(current, name) for name in SalesActivity.EDITABLE_FIELDS}
    values.update(fields)
    contact = Contact.objects.select_for_update().get(pk=current.contact_id)
    owner = values.pop("owner")
    cleaned = _cleaned(values, contact, now or timezone.now())
    if current.is_touch and any(
        cleaned.get(name) != getattr(current, name) for name in TOUCH_FIELDS
    ):
        signals.touch_withdrawing.send(sender=SalesActivity, activity=current)
    _revise(current, actor, ActivityRevision.Change.EDITED)
    for name, value in {**cleaned, "owner": owner}.items():
        setattr(current, name, value)
    current.save()
    _logged([current], [contact])
    return current


@transaction.atomic
def activity_delete(*, activity: SalesActivity, by: User) -> None:
    """Delete an activity (its author, or a manager); what it said is kept in its history."""
    actor = account(by)
    current = SalesActivity.objects.select_for_update().get(pk=activity.pk)
    if actor is None or not may_change(by, current):
        raise PermissionDenied(_("Only its author or a manager deletes an activity."))
    contact = Contact.objects.select_for_update().get(pk=current.contact_id)
    if current.is_touch:
        signals.touch_withdrawing.send(sender=SalesActivity, activity=current)
    _revise(current, actor, ActivityRevision.Change.DELETED)
    current.delete()
    lead_status_follow([contact])


# --- Tasks -----------------------------------------------------------------------------


def _check_task(by: User, contact: Contact, owner: Account) -> Account:
    actor = account(by)
    if actor is None or not may_log(by, contact, ActivityKind.CALL):
        raise PermissionDenied(_("You may plan tasks only on the contacts assigned to you."))
    _check_owner(owner, actor)
    return actor


@transaction.atomic
def task_create(
    *, by: User, contact: Contact, owner: Account | None = None, **fields: Any
) -> SalesTask:
    """Plan the next touch on a contact (for oneself; a manager for any rep)."""
    actor = account(by)
    owner = owner or actor
    if owner is None:
        raise PermissionDenied(_("Log in to plan a task."))
    creator = _check_task(by, contact, owner)
    task = SalesTask(contact=contact, owner=owner, created_by=creator, **fields)
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def task_update(*, task: SalesTask, by: User, **fields: Any) -> SalesTask:
    """Change a task: its owner or a manager. Moving the due time later sends a new reminder."""
    current = SalesTask.objects.select_for_update().get(pk=task.pk)
    _check_task_hand(by, current)
    if "owner" in fields:
        _check_task(by, current.contact, fields["owner"])
    if "due_at" in fields and fields["due_at"] != current.due_at:
        current.reminded_at = None
    return checked_save(current, **fields)


def _check_task_hand(by: User, task: SalesTask) -> None:
    if task.owner_id != getattr(by, "pk", None) and not can(by, Capability.MANAGE_TEAM):
        raise PermissionDenied(_("This task is someone else's."))


@transaction.atomic
def task_complete(
    *,
    task: SalesTask,
    by: User,
    at: datetime | None = None,
    activity: SalesActivity | None = None,
) -> SalesTask:
    """Mark a task done (its owner or a manager), with the activity it led to if any.
    Completing a done task again keeps the first time."""
    current = SalesTask.objects.select_for_update().get(pk=task.pk)
    _check_task_hand(by, current)
    if current.done_at is None:
        current.done_at = at or timezone.now()
        current.activity = activity
        current.save(update_fields=["done_at", "activity"])
        signals.task_completed.send(sender=SalesTask, task=current)
    return current


@transaction.atomic
def task_delete(*, task: SalesTask, by: User) -> None:
    _check_task_hand(by, task)
    task.delete()
