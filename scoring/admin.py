from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from leads.admin import ReadOnly

from .models import Activity, RecomputeJob, Rule, ScoringSettings


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    """Rules are validated by ``Rule.clean`` (the same checks as the API's)."""

    list_display = Rule.DEFINITION_FIELDS
    list_filter = ("active", "dimension")
    list_editable = ("active",)
    search_fields = ("name", "event_type", "attribute")


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(admin.ModelAdmin[ScoringSettings]):
    list_display = (
        "__str__",
        "mql_threshold",
        "min_fit",
        "min_engagement",
        "hot_threshold",
        "half_life_days",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ScoringSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin[Any]):
    """Written by the scoring alone; Django's permissions say who reads it."""


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """Append-only: shown, never edited."""

    list_display = ("occurred_at", "type", "contact", "campaign", "key", "received_at")
    list_filter = ("type",)
    search_fields = ("=key", "=contact__id")
    raw_id_fields = ("contact", "campaign")
    show_full_result_count = False  # counting millions of rows on every page is slow


@admin.register(RecomputeJob)
class RecomputeJobAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "status",
        "done",
        "total",
        "promoted",
        "requested_by",
        "created_at",
        "finished_at",
    )
