"""Writing the audit log: one function every audited write path ends in."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import context
from .models import Action, AuditEntry


def record(
    *, instance: models.Model, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> AuditEntry | None:
    """Record a change of ``instance`` (``before`` None: created; ``after`` None: deleted)
    as the current actor's (``audit.context``).

    A save that changed nothing records nothing. Within one request, an object changed
    several times (saved, then its many-to-many set) gets one entry, from its first
    ``before`` to its last ``after``.
    """
    if before == after:
        return None
    scope = context.current()
    key = (instance._meta.label, str(instance.pk))
    if after is not None and key in scope.entries:
        entry = AuditEntry.objects.get(pk=scope.entries[key])
        if entry.action != Action.DELETED:
            entry.after = after
            entry.save(update_fields=["after"])
            return entry
    actor = scope.actor()
    entry = AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=_action(before, after),
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )
    scope.entries[key] = entry.pk
    return entry


def _action(before: dict[str, Any] | None, after: dict[str, Any] | None) -> Action:
    if before is None:
        return Action.CREATED
    return Action.DELETED if after is None else Action.CHANGED
