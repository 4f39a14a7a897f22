from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from leads.admin import ReadOnlyAdmin
from leads.roles import Capability, can

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log, for managers only, and read-only: nobody edits what happened."""

    list_display = ["at", "actor_name", "action", "content_type", "object_repr", "changed"]
    list_filter = ["action", "content_type", "at"]
    search_fields = ["object_repr", "actor_name"]
    list_select_related = ["content_type"]
    date_hierarchy = "at"
    fields = ("at", "actor", "actor_name", "action", "content_type", "object_id", "object_repr")
    readonly_fields = (*fields, "changes_table")

    @admin.display(description=_("fields changed"))
    def changed(self, entry: AuditEntry) -> str:
        return ", ".join(entry.changes)

    @admin.display(description="changes")
    def changes_table(self, entry: AuditEntry) -> str:
        return format_html_join(
            "",
            "<p><strong>{}</strong>: {} &rarr; {}</p>",
            ((name, c["before"], c["after"]) for name, c in entry.changes.items()),
        )

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can(request.user, Capability.MANAGE_TEAM)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.MANAGE_TEAM)
