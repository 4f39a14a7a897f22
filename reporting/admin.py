from django.contrib import admin

from leads.admin import RoleAdmin

from .models import Target


@admin.register(Target)
class TargetAdmin(RoleAdmin):
    """Monthly goals per stage: managers set them, every role reads them (as in the API)."""

    list_display = ["month", "stage", "goal", "created_by", "updated_at"]
    list_filter = ["stage", "month"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "month"

    def save_model(self, request, obj: Target, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
