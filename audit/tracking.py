"""Which models the audit log follows, and the model signals that record their changes.

Model signals rather than a call in each write path: rules, thresholds, policies and targets
are written by services, DRF serializers, the admin's forms (and its editable list columns)
and the demo loader, and all of them go through ``Model.save()``/``delete()``: one receiver
sees every path, and a path added later cannot forget the audit. Signals do not see
``QuerySet.update()`` or ``bulk_create()``: the only such writes to these models are the
bookkeeping columns ignored below (``Rule.counted``, ``AssignmentRule.last_rep``); a bulk
write of a setting added later must call ``audit.services.record`` itself.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from . import services


@dataclass(frozen=True)
class Tracked:
    ignore: frozenset[str] = frozenset()  # bookkeeping, not a setting anyone chose
    secret: frozenset[str] = frozenset()  # recorded as a fingerprint, never the value


TRACKED: dict[str, Tracked] = {
    "scoring.Rule": Tracked(ignore=frozenset({"counted", "created_at", "updated_at"})),
    "scoring.ScoringSettings": Tracked(ignore=frozenset({"updated_at"})),
    # Every state change of a version, with its reason: the release history.
    "scoring.RuleSet": Tracked(ignore=frozenset({"created_at"})),
    "sla.SlaPolicy": Tracked(ignore=frozenset({"created_at"})),
    "sla.AssignmentRule": Tracked(ignore=frozenset({"last_rep"})),
    "reporting.Target": Tracked(ignore=frozenset({"created_at", "updated_at", "created_by"})),
    "leads.Definition": Tracked(),
    # Who merged which two records of a person, and who took it back (the snapshots of the
    # two records stay in the merge itself: personal data the log need not copy).
    "leads.Merge": Tracked(ignore=frozenset({"before", "changed", "moved"})),
    # Where the contacts' data is sent: a changed URL matters as much as a changed rule.
    "integrations.Webhook": Tracked(
        ignore=frozenset({"created_at", "created_by"}), secret=frozenset({"secret"})
    ),
}


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # a country, a time zone: their text is what a reader wants


def fingerprint(value: str) -> str:
    """Tells that a secret changed without telling the secret."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12] if value else ""


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The object's settings as JSON values (foreign keys and many-to-many as ids)."""
    spec = TRACKED[instance._meta.label]
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in spec.ignore:
            continue
        value = field.value_from_object(instance)
        values[field.name] = fingerprint(value) if field.name in spec.secret else value
    for field in instance._meta.many_to_many:
        if field.name not in spec.ignore:
            related = getattr(instance, field.name).order_by("pk")
            values[field.name] = list(related.values_list("pk", flat=True))
    return json.loads(json.dumps(values, cls=_Encoder))


def _stored(instance: models.Model) -> dict[str, Any] | None:
    """The row as the database holds it (a form's ``Decimal("24")`` is stored ``24.00``)."""
    if instance.pk is None:
        return None
    row = type(instance)._base_manager.filter(pk=instance.pk).first()
    return snapshot(row) if row is not None else None


def _before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        instance._audit_before = _stored(instance)


def _after_save(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = instance.__dict__.pop("_audit_before", None)
    after = _stored(instance)
    services.record(instance=instance, before=None if created else before, after=after)


def _before_delete(sender, instance, **kwargs) -> None:
    # Inside the deletion's transaction: a deletion refused later (PROTECT) rolls it back.
    services.record(instance=instance, before=_stored(instance), after=None)


def _members_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if reverse or instance._meta.label not in TRACKED:
        return
    if action.startswith("pre_"):
        instance.__dict__.setdefault("_audit_members_before", _stored(instance))
    else:
        before = instance.__dict__.pop("_audit_members_before", None)
        services.record(instance=instance, before=before, after=_stored(instance))


def connect() -> None:
    for label in TRACKED:
        model = apps.get_model(label)
        uid = f"audit.{label}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(_after_save, sender=model, dispatch_uid=uid)
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _members_changed, sender=field.remote_field.through, dispatch_uid=uid
            )
