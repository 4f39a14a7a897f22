from django.contrib import admin

from .models import Analysis


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    """Read-only: analyses are started from the page or the API, and only read history."""

    list_display = ("__str__", "kind", "status", "requested_by", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = [field.name for field in Analysis._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
