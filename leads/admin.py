from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import api_keys, services, touches
from .errors import StageConflict
from .forms import CampaignForm
from .models import ApiKey, Campaign, Contact, Definition, Transition
from .roles import Account, Capability, has_role, holders, roles_of
from .stages import Role


class RoleAdmin(admin.ModelAdmin[Any]):
    """Admin rights follow the same roles as the API: any role reads, ``edit_roles`` write."""

    edit_roles: tuple[Role, ...] = holders(Capability.MANAGE_TEAM)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(roles_of(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(roles_of(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *self.edit_roles)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_role(request.user, *self.edit_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_role(request.user, *self.edit_roles)


class ReadOnly:
    """Written by the services alone (history, clocks, audit): nobody adds, edits or deletes
    it by hand, whatever their role. Mixed into an admin or an inline."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, RoleAdmin):
    """Read by every role, written by none."""


class ReadOnlyInline(ReadOnly, admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ("at", "move", "from_stage", "to_stage", "actor", "reason", "data")
    readonly_fields = fields
    ordering = ["at", "id"]

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(roles_of(request.user))


def _apply(
    modeladmin: admin.ModelAdmin[Contact],
    request: HttpRequest,
    queryset: QuerySet[Contact],
    service: Callable[..., Contact],
    verb: str,
) -> None:
    """Run one lifecycle service per selected contact; report what moved and what could not."""
    done, refused = 0, []
    for contact in queryset:
        try:
            service(contact=contact, by=request.user)
            done += 1
        except (StageConflict, PermissionDenied, ValidationError) as exc:
            refused.append(f"{contact}: {exc}")
    if done:
        modeladmin.message_user(request, f"{verb} {done} contact(s).", messages.SUCCESS)
    for line in refused[:10]:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.action(description=_("Mark selected contacts as MQL"), permissions=["change"])
def mark_mql(
    modeladmin: admin.ModelAdmin[Contact], request: HttpRequest, queryset: QuerySet[Contact]
) -> None:
    _apply(modeladmin, request, queryset, services.contact_mark_mql, gettext("Marked as MQL:"))


@admin.action(description=_("Erase personal data of selected contacts"), permissions=["change"])
def erase(
    modeladmin: admin.ModelAdmin[Contact], request: HttpRequest, queryset: QuerySet[Contact]
) -> None:
    _apply(modeladmin, request, queryset, services.contact_erase, "Erased")


@admin.register(Contact)
class ContactAdmin(RoleAdmin):
    edit_roles = holders(Capability.EDIT_CONTACTS)
    list_display = [
        "__str__",
        "company",
        "stage",
        "score",
        "owner",
        "campaign",
        "sla_due_at",
        "created_at",
    ]
    list_filter = ["stage", "campaign__channel", "owner", "campaign", "country", "created_at"]
    search_fields = ["email", "first_name", "last_name", "company"]
    list_select_related = ["owner", "campaign"]
    date_hierarchy = "created_at"
    readonly_fields = [*Contact.SYSTEM_FIELDS, "erased_at"]
    autocomplete_fields = ["campaign"]
    inlines = [TransitionInline]
    actions = [mark_mql, erase]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return Contact.objects.visible_to(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # a contact is erased (see the action), never deleted: reports need it

    def save_model(
        self, request: HttpRequest, obj: Contact, form: forms.ModelForm[Contact], change: bool
    ) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.contact_update(
                contact=Contact.objects.get(pk=obj.pk), by=request.user, **fields
            )
        else:
            created = services.contact_create(by=request.user, **form.cleaned_data)
            obj.pk = created.pk


@admin.register(Campaign)
class CampaignAdmin(RoleAdmin):
    """The campaign page's form, its checks of the UTM values included."""

    edit_roles = holders(Capability.EDIT_CONTACTS)
    form = CampaignForm
    list_display = ["name", "channel", "spend", "currency", "started_on", "ended_on"]
    list_filter = ["channel", "started_on"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        touches.touches_claim(obj)


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    """The stage history, read-only: it is append-only everywhere."""

    list_display = ["contact", "move", "from_stage", "to_stage", "at", "actor", "reason"]
    list_filter = ["move", "to_stage", "at"]
    search_fields = ["contact__email", "reason"]
    list_select_related = ["contact", "actor"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Transition]:
        return (
            super()
            .get_queryset(request)
            .filter(contact__in=Contact.objects.visible_to(request.user))
        )


@admin.register(Definition)
class DefinitionAdmin(ReadOnlyAdmin):
    """The definitions' revisions, read-only: managers write them on the Definitions page,
    where each change becomes a new dated revision."""

    list_display = ["term", "written_at", "written_by", "text"]
    list_filter = ["term", "written_at"]
    search_fields = ["text"]
    list_select_related = ["written_by"]


@admin.action(description=_("Revoke selected keys"))
def revoke_keys(
    modeladmin: admin.ModelAdmin[ApiKey], request: HttpRequest, queryset: QuerySet[ApiKey]
) -> None:
    for api_key in queryset.filter(revoked_at__isnull=True):
        api_keys.api_key_revoke(api_key=api_key, by=cast(Account, request.user))


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Superusers make and revoke keys (Django's own permissions: nobody else has them).
    A new key is shown once, in the message after saving: only its hash is kept."""

    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at"]
    list_display += ["revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = [revoke_keys]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:  # type: ignore[override]
        return ["user", "name", "expires_at", *(self.readonly_fields if obj else [])]

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: forms.ModelForm[ApiKey], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        lifetime = obj.expires_at - timezone.now() if obj.expires_at else True
        made, key = api_keys.api_key_create(user=obj.user, name=obj.name, lifetime=lifetime)
        obj.pk = made.pk
        messages.warning(request, f"The new key, shown this once (copy it now): {key}")
