from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from leads.admin import ReadOnlyInline, RoleAdmin
from leads.roles import Capability, has_role, holders

from . import selectors
from .errors import StateConflict
from .models import Delivery, DeliveryAttempt, ImportJob, ImportRejection, Webhook
from .services import webhooks


class EditorsOnlyAdmin(RoleAdmin):
    """Seen only by the roles that edit it: imports by marketing and managers, webhooks and
    deliveries (their secrets and payloads) by managers."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return has_role(request.user, *self.edit_roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *self.edit_roles)


class ImportRejectionInline(ReadOnlyInline):
    model = ImportRejection
    fields = ("line", "reason")
    readonly_fields = fields
    max_num = 200  # the full list is the job's errors.csv


@admin.register(ImportJob)
class ImportJobAdmin(EditorsOnlyAdmin):
    """Imports are started from the import page or the API; the admin shows them."""

    edit_roles = holders(Capability.EDIT_CONTACTS)
    list_display = [
        "file_name",
        "status",
        "processed_rows",
        "created_count",
        "updated_count",
        "skipped_count",
        "rejected_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "on_duplicate", "created_at"]
    exclude = ["content"]
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "content"]
    inlines = [ImportRejectionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.import_jobs()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Webhook)
class WebhookAdmin(EditorsOnlyAdmin):
    list_display = ["url", "events", "active", "created_at"]
    list_filter = ["active"]
    readonly_fields = ["created_by", "created_at"]


class DeliveryAttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("number", "at", "ok", "response_code", "duration_ms", "error")
    readonly_fields = fields


@admin.action(description=_("Send the selected deliveries again"))
def redeliver(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    sent = 0
    for delivery in queryset:
        try:
            webhooks.delivery_redeliver(delivery=delivery)
            sent += 1
        except StateConflict as exc:
            modeladmin.message_user(request, f"#{delivery.pk}: {exc}", messages.WARNING)
    if sent:
        modeladmin.message_user(request, f"Queued {sent} delivery(ies) again.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(EditorsOnlyAdmin):
    """Every event sent to a webhook, with its attempts; re-sendable by hand."""

    list_display = [
        "id",
        "event",
        "webhook",
        "contact_id",
        "status",
        "attempt_count",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "event", "webhook"]
    search_fields = ["=contact_id", "=event_id"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = [redeliver]
    list_select_related = ["webhook"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
