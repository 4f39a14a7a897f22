"""The audit log: who changed the settings that decide how contacts are scored, handed to
sales and judged, when, and what the values were before and after."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.fields import optional_fk


class Action(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")


class AuditEntry(models.Model):
    """One change of one audited object (``audit.tracking.TRACKED``), append-only.

    A scoring rule or a threshold decides which leads reach sales, an SLA policy who is
    blamed for a late answer, a target how a team is judged: when the numbers move, people
    ask who changed what. ``before``/``after`` are the whole object (secrets as fingerprints),
    so an entry reads on its own even after the object is gone. ``actor_name`` keeps the
    username when the account itself is deleted later.
    """

    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    actor = optional_fk(
        settings.AUTH_USER_MODEL,
        _("actor"),
        help_text=_("Empty for a change made by the system (a task, a migration)."),
    )
    actor_name = models.CharField(max_length=150, blank=True, verbose_name=_("actor name"))
    action = models.CharField(max_length=10, choices=Action.choices, verbose_name=_("action"))
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("content type")
    )
    object_id = models.CharField(max_length=64, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=200, verbose_name=_("object repr"))
    before = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("before")
    )
    after = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, verbose_name=_("after")
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object"),
        ]

    def __str__(self) -> str:
        who = self.actor_name or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.object_repr}"

    @property
    def model(self) -> str:
        """``app_label.model``, e.g. ``scoring.rule``: what the API filters on."""
        return f"{self.content_type.app_label}.{self.content_type.model}"

    @property
    def changes(self) -> dict[str, dict[str, Any]]:
        """Only the fields that differ: ``{"points": {"before": 10, "after": 15}}``."""
        before, after = self.before or {}, self.after or {}
        return {
            name: {"before": before.get(name), "after": after.get(name)}
            for name in sorted(before.keys() | after.keys())
            if before.get(name) != after.get(name)
        }
