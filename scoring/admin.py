from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from leads.admin import ReadOnly

from . import services
from .models import Activity, RecomputeJob, Rule, RuleSet, RuleSetState, ScoringSettings

EDITABLE = (RuleSetState.DRAFT, RuleSetState.PUBLISHED)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    """Every version's rules; saved through the services, as from the API: a live rule
    changes by a release, a draft's in place, an archived one not at all."""

    list_display = (*Rule.DEFINITION_FIELDS, "ruleset")
    list_filter = ("ruleset__state", "active", "dimension")
    list_editable = ("active",)
    search_fields = ("name", "event_type", "attribute")
    readonly_fields = ("created_at",)

    def has_change_permission(self, request: HttpRequest, obj: Rule | None = None) -> bool:
        live = obj is None or obj.ruleset.state in EDITABLE
        return live and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Rule | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        values = {name: getattr(obj, name) for name in Rule.DEFINITION_FIELDS}
        if change:
            saved = services.rule_update(rule=Rule.all_versions.get(pk=obj.pk), **values)
        else:
            saved = services.rule_create(ruleset=obj.ruleset, **values)
        obj.pk, obj.ruleset_id = saved.pk, saved.ruleset_id

    def delete_model(self, request: HttpRequest, obj: Rule) -> None:
        services.rule_delete(rule=obj)


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

    def save_model(
        self, request: HttpRequest, obj: ScoringSettings, form: Any, change: bool
    ) -> None:
        """Through the service: new thresholds are a release, as from the API."""
        services.settings_update(**{name: form.cleaned_data[name] for name in form.changed_data})

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin[Any]):
    """Written by the scoring alone; Django's permissions say who reads it."""


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    """Drafted and published through the API and its services (a publish rescores)."""

    list_display = ("name", "state", "mql_threshold", "published_at", "archived_at", "reason")
    list_filter = ("state",)


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
