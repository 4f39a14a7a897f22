"""SLA configuration for managers; clocks, breaches and notifications read-only for all roles."""

from django.contrib import admin

from leads.admin import ReadOnlyAdmin, RoleAdmin
from leads.models import Contact

from . import selectors, services
from .models import AssignmentRule, Breach, Clock, RepAvailability, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(RoleAdmin):
    list_display = ["name", "clock", "hours", "business_hours", "action", "active"]
    list_filter = ["clock", "action", "active"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.policy_update(
                policy=SlaPolicy.objects.get(pk=obj.pk), by=request.user, **fields
            )
        else:
            obj.pk = services.policy_create(by=request.user, **form.cleaned_data).pk


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(RoleAdmin):
    list_display = ["name", "priority", "mode", "country", "channel", "active", "last_rep"]
    list_filter = ["mode", "active", "channel"]
    filter_horizontal = ["reps"]


@admin.register(RepAvailability)
class RepAvailabilityAdmin(RoleAdmin):
    list_display = ["rep", "away", "away_until", "note", "updated_at"]
    list_filter = ["away"]


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = [
        "contact",
        "kind",
        "owner",
        "due_at",
        "breached_at",
        "action",
        "handed_to",
        "resolved_at",
    ]
    list_filter = ["kind", "action", "breached_at", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["contact", "owner", "handed_to"]
    date_hierarchy = "breached_at"

    def get_queryset(self, request):
        return selectors.breaches_visible_to(request.user).select_related(
            "contact", "owner", "handed_to"
        )


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ["contact", "kind", "started_at", "due_at", "stopped_at", "breached_at"]
    list_filter = ["kind", ("stopped_at", admin.EmptyFieldListFilter), "due_at"]
    list_select_related = ["contact"]
    raw_id_fields = ["contact"]

    def get_queryset(self, request):
        visible = Contact.objects.visible_to(request.user)
        return super().get_queryset(request).filter(contact__in=visible)
