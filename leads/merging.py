"""
One person, one record: merging a duplicate contact into another, and taking it back.

The survivor keeps its id. The other contact's row stays, pointing at the survivor
(``merged_into``), with its own stage history: the survivor's timeline shows both, each row
saying whose it was. What belongs to the person (events, sales activities, tasks) moves to
the survivor, by the apps that hold it (``signals.contacts_merged``), and is recorded in the
``Merge`` so that an undo can move it back. Reports count the survivor only
(``Contact.objects.counted()``).

The survivor's fields: its own, except the empty ones, which the other's fill, and those
the merger chose from the other. Its stage is the furthest along of the two, so the merged
person has reached everything either record had; the first time each stage was reached is
the earlier of the two.
"""

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from . import duplicates, signals
from .errors import MergeConflict
from .models import Contact, Merge, Touch
from .roles import Capability, User, account, can
from .services import record_move
from .stages import FUNNEL, Move, Stage

UNDO_WITHIN = timedelta(days=30)
# Further along first; a closed record (lost, disqualified) wins only over another closed one.
_ORDER = (Stage.CONTACT, Stage.RECYCLED, *FUNNEL)
CLOSED = frozenset({Stage.LOST, Stage.DISQUALIFIED})
# What the merger may take from the other record instead of the survivor's.
CHOOSABLE = (*Contact.PROFILE_FIELDS, "attributes", "owner")
SIDES = ("survivor", "other")
REACHED = tuple(f"{stage}_at" for stage in FUNNEL)


def furthest_stage(survivor: Stage | str, other: Stage | str) -> Stage:
    """The stage of the merged person: client > QSO > SQL > MQL > lead > recycled > contact;
    lost or disqualified only when both records are (then the survivor's)."""
    survivor, other = Stage(survivor), Stage(other)
    if survivor in CLOSED and other in CLOSED:
        return survivor
    open_ones = [stage for stage in (survivor, other) if stage not in CLOSED]
    return max(open_ones, key=_ORDER.index)


def clean_choices(fields: Mapping[str, Any] | None) -> dict[str, str]:
    """``{"phone": "other"}``: each name a field the merger may choose, each value a side."""
    if fields is None:
        return {}
    if not isinstance(fields, Mapping):
        raise ValidationError(
            {"fields": [_('An object of field names, e.g. {"phone": "other"}.')]}
        )
    errors = [
        _("%(name)s: choose one of %(fields)s") % {"name": name, "fields": ", ".join(CHOOSABLE)}
        if name not in CHOOSABLE
        else _("%(name)s: say survivor or other") % {"name": name}
        for name, side in fields.items()
        if name not in CHOOSABLE or side not in SIDES
    ]
    if errors:
        raise ValidationError({"fields": errors})
    return dict(fields)


def _check_merger(by: User | None) -> None:
    if by is not None and not can(by, Capability.EDIT_CONTACTS):
        raise PermissionDenied(_("Only marketing and managers merge contacts."))


def _locked(*pks: int) -> dict[int, Contact]:
    """Both rows, locked in id order (two merges of overlapping pairs cannot deadlock:
    the second waits, then finds its contact merged and gets a 409)."""
    rows = Contact.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    return {contact.pk: contact for contact in rows}


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # a country: its code


def _as_stored(value: Any) -> Any:
    """``value`` as the JSON of a merge holds it (dates as ISO text, a country as its code)."""
    return json.loads(json.dumps(value, cls=_Encoder))


def _attname(name: str) -> str:
    return cast(models.Field[Any, Any], Contact._meta.get_field(name)).attname


def _snapshot(contact: Contact) -> dict[str, Any]:
    """Every stored field, as JSON values (attnames: ``owner_id``)."""
    snapshot: dict[str, Any] = _as_stored(
        {
            field.attname: field.value_from_object(contact)
            for field in Contact._meta.concrete_fields
            if not field.primary_key
        }
    )
    return snapshot


def _from_json(attname: str, value: Any) -> Any:
    field = next(f for f in Contact._meta.concrete_fields if f.attname == attname)
    return None if value is None else field.to_python(value)


def _merged_values(survivor: Contact, other: Contact, choices: dict[str, str]) -> dict[str, Any]:
    """The survivor's new field values (attnames), only those that differ from its own."""
    values: dict[str, Any] = {}
    for name in CHOOSABLE:
        attname = _attname(name)
        mine, theirs = getattr(survivor, attname), getattr(other, attname)
        if name == "attributes":
            first, second = (mine, theirs) if choices.get(name) == "other" else (theirs, mine)
            value = {**(first or {}), **(second or {})}
        elif choices.get(name) == "other" or mine in (None, ""):
            value = theirs if theirs not in (None, "") else mine
        else:
            value = mine
        if value != mine:
            values[attname] = value
    for name in (*REACHED, "first_seen_at"):
        dates = [d for d in (getattr(survivor, name), getattr(other, name)) if d is not None]
        if dates and min(dates) != getattr(survivor, name):
            values[name] = min(dates)
    return values


@transaction.atomic
def contacts_merge(
    *, survivor: Contact, other: Contact, by: User | None, fields: Mapping[str, Any] | None = None
) -> Merge:
    """Merge ``other`` into ``survivor`` (see the module's docstring); returns the merge.

    A ``MergeConflict`` (409) when either was merged or erased meanwhile: of two concurrent
    merges of overlapping pairs, one wins and the other finds its contact merged.
    """
    _check_merger(by)
    choices = clean_choices(fields)
    if survivor.pk == other.pk:
        raise ValidationError({"other": [_("A contact cannot be merged into itself.")]})
    locked = _locked(survivor.pk, other.pk)
    kept, gone = locked[survivor.pk], locked[other.pk]
    for contact in (kept, gone):
        if contact.merged_into_id is not None:
            raise MergeConflict(
                _("Contact #%(contact)s was merged into #%(survivor)s.")
                % {"contact": contact.pk, "survivor": contact.merged_into_id}
            )
        if contact.erased_at is not None:
            raise MergeConflict(_("Contact #%(contact)s is erased.") % {"contact": contact.pk})
    now = timezone.now()
    values = _merged_values(kept, gone, choices)
    target = furthest_stage(kept.stage, gone.stage)
    merge = Merge.objects.create(
        survivor=kept,
        other=gone,
        by=account(by),
        at=now,
        choices=choices,
        before={"survivor": _snapshot(kept), "other": _snapshot(gone)},
        changed=_as_stored({**values, **({"stage": target} if target != kept.stage else {})}),
    )
    # The other's address is freed first: the survivor may take it, and a new event or form
    # with it finds the survivor.
    gone.email, gone.merged_into, gone.sla_due_at = None, kept, None
    gone.save(update_fields=["email", "merged_into", "sla_due_at", "updated_at"])
    _record(merge, kept, Move.MERGE, f"Merged with contact #{gone.pk}.", target, values, by)
    # Records merged into the other before are the survivor's now: one hop to the person.
    earlier = rows_follow(Contact, merge=merge, field="merged_into")
    earlier |= rows_follow(Touch, merge=merge)  # the campaigns that reached the person
    answers = signals.contacts_merged.send(sender=Contact, merge=merge, survivor=kept, other=gone)
    moved = [earlier, *(cast(dict[str, list[int]], rows) for _, rows in answers if rows)]
    merge.moved = {label: ids for rows in moved for label, ids in rows.items()}
    merge.save(update_fields=["moved"])
    duplicates.pairs_forget([gone.pk])
    _tell(survivor, kept)
    return merge


def _record(
    merge: Merge,
    kept: Contact,
    move: Move,
    reason: str,
    target: Stage | None,
    fields: dict[str, Any],
    by: User | None,
    *,
    at: datetime | None = None,
) -> None:
    """The survivor's one history row of a merge or its undo, with the fields it changes."""
    data = {"merge": merge.pk, "other": merge.other_id}
    record_move(
        kept,
        move,
        by=by,
        reason=reason,
        at=at or merge.at,
        target=target,
        data=data,
        fields=fields,
    )


def _tell(caller: Contact, current: Contact) -> None:
    """The caller's instance shows the row as it is now."""
    caller.__dict__.update(
        {f.attname: getattr(current, f.attname) for f in Contact._meta.concrete_fields}
    )
    caller._state.fields_cache.clear()


@transaction.atomic
def merge_undo(*, merge: Merge, by: User | None, now: datetime | None = None) -> Merge:
    """Put both contacts back as they were before ``merge``, within ``UNDO_WITHIN``.

    The other gets its fields, its address and its rows back. The survivor gets back each
    field the merge set, unless it changed again since (what happened to the survivor since
    the merge stays on it); its stage goes back the same way. A ``MergeConflict`` (409)
    when that cannot be: undone already, too old, or the other's address taken meanwhile.
    """
    _check_merger(by)
    now = now or timezone.now()
    locked = _locked(merge.survivor_id, merge.other_id)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    kept, gone = locked[merge.survivor_id], locked[merge.other_id]
    if merge.undone_at is not None:
        raise MergeConflict(_("This merge was undone already."))
    if now - merge.at > UNDO_WITHIN:
        raise MergeConflict(
            _("A merge can be undone within %(days)d days only.") % {"days": UNDO_WITHIN.days}
        )
    if gone.merged_into_id != kept.pk or kept.merged_into_id is not None:
        raise MergeConflict(_("The contacts were merged again since."))
    if kept.erased_at is not None or gone.erased_at is not None:
        raise MergeConflict(_("The person was erased since."))
    email = merge.before["other"]["email"]
    _check_address_free(email, kept, gone)
    restored = _survivor_restored(merge, kept)
    stage = restored.pop("stage", None)
    reason = f"Merge with contact #{gone.pk} undone."
    _record(merge, kept, Move.UNMERGE, reason, stage, restored, by, at=now)
    gone.email, gone.merged_into = email, None
    gone.save()
    rows_return(Contact, merge=merge, field="merged_into")
    rows_return(Touch, merge=merge)
    signals.merge_undone.send(sender=Contact, merge=merge, survivor=kept, other=gone)
    merge.undone_at, merge.undone_by = now, account(by)
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def _check_address_free(email: str | None, kept: Contact, gone: Contact) -> None:
    """The other's address must be its own to take back: free, or on the survivor (which
    took it in the merge, and gives it back)."""
    if not email:
        return
    holder = (
        Contact.objects.annotate(address=Lower("email"))
        .filter(address=email.lower())
        .exclude(Q(pk=gone.pk) | Q(pk=kept.pk))
        .values_list("pk", flat=True)
        .first()
    )
    if holder is not None:
        raise MergeConflict(
            _("The other contact's e-mail %(email)s is now contact #%(holder)s's.")
            % {"email": email, "holder": holder}
        )


def _survivor_restored(merge: Merge, kept: Contact) -> dict[str, Any]:
    """The survivor's fields that the merge set and nothing changed since, with the values
    they had before it (``stage`` among them, when the merge moved it)."""
    now = _snapshot(kept)
    before = merge.before["survivor"]
    return {
        name: Stage(before[name]) if name == "stage" else _from_json(name, before.get(name))
        for name, value in merge.changed.items()
        if now.get(name) == value
    }


def rows_follow(
    model: type[models.Model], *, merge: Merge, field: str = "contact"
) -> dict[str, list[int]]:
    """For the apps' ``contacts_merged`` receivers: move the other's rows of ``model`` to
    the survivor; returns their ids under the table's label, for the merge to keep."""
    rows = model._default_manager.filter(**{f"{field}_id": merge.other_id})
    ids = list(rows.values_list("pk", flat=True))
    model._default_manager.filter(pk__in=ids).update(**{f"{field}_id": merge.survivor_id})
    return {model._meta.label_lower: ids}


def rows_return(model: type[models.Model], *, merge: Merge, field: str = "contact") -> int:
    """For the ``merge_undone`` receivers: move back the rows ``rows_follow`` moved (those
    still on the survivor); returns how many."""
    ids = merge.moved.get(model._meta.label_lower, [])
    return model._default_manager.filter(pk__in=ids, **{f"{field}_id": merge.survivor_id}).update(
        **{f"{field}_id": merge.other_id}
    )
