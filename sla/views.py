"""
The SLA pages: breaches, the policies editor, and each user's notifications (with the bell
of the top bar). Reads go through ``sla.selectors`` (a rep sees the breaches on their own
watch, as in the API), writes through ``sla.services``.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from leads.api.permissions import CONTACT_EDITORS
from leads.pages import form_page, paginate, role_required
from leads.roles import Capability, can, has_role, holders

from . import selectors, services
from .filtersets import BreachFilterSet
from .forms import PolicyForm
from .models import BreachAction, ClockKind, SlaPolicy

# --- Notifications -----------------------------------------------------------------------


@require_GET
@role_required()
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell and its count of unread notifications and due tasks (polled by the top bar)."""
    return render(request, "sla/_bell.html", {"unread": selectors.unread_count(request.user)})


@role_required()
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_for(request.user).select_related(
        "breach__policy", "breach__contact"
    )
    if request.GET.get("unread") == "true":
        notifications = notifications.filter(read_at__isnull=True)
    context = {
        "page": paginate(request, notifications),
        "unread_only": "unread" in request.GET,
        "tasks": selectors.task_reminders_for(request.user)[:50],
    }
    return render(request, "sla/notifications.html", context)


@require_POST
@role_required()
def notification_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Mark one notification read, or (no ``pk``) the unread ones on the user's first page."""
    mine = selectors.notifications_for(request.user)
    chosen = [get_object_or_404(mine, pk=pk)] if pk else mine.filter(read_at__isnull=True)[:50]
    for notification in chosen:
        services.notification_mark_read(notification=notification, by=request.user)
    if pk is None:
        messages.success(request, _("Notifications marked as read."))
    target = request.POST.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("sla:notification_list")


# --- Breaches ----------------------------------------------------------------------------


@role_required()
def breach_list(request: HttpRequest) -> HttpResponse:
    """Missed deadlines, newest first: every one for managers and marketing, a rep's own."""
    visible = selectors.breaches_visible_to(request.user).select_related(
        "contact", "owner", "handed_to"
    )
    filterset = BreachFilterSet(request.GET, queryset=visible)
    breaches = filterset.qs if filterset.is_valid() else visible.none()
    context = {
        "filterset": filterset,
        "page": paginate(request, breaches),
        "kinds": ClockKind.choices,
        "actions": BreachAction.choices,
        "reps": selectors.reps_visible_to(request.user),
        "sees_all": has_role(request.user, *CONTACT_EDITORS),
        "can_edit": can(request.user, Capability.MANAGE_TEAM),
    }
    return render(request, "sla/breaches.html", context)


# --- Policies ----------------------------------------------------------------------------


@role_required()
def policy_list(request: HttpRequest) -> HttpResponse:
    """The deadlines the teams agreed, readable by all, edited by managers."""
    policies = SlaPolicy.objects.select_related("escalate_to").order_by("clock", "-active", "name")
    context = {"policies": policies, "can_edit": can(request.user, Capability.MANAGE_TEAM)}
    return render(request, "sla/policies.html", context)


@role_required(*holders(Capability.MANAGE_TEAM))
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or change a policy through the services, which keep its rules."""
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk else None
    data = request.POST or None
    form = PolicyForm.for_policy(policy, data) if policy else PolicyForm(data)

    def save() -> SlaPolicy:
        if policy is None:
            return services.policy_create(by=request.user, **form.cleaned_data)
        return services.policy_update(policy=policy, by=request.user, **form.changed_fields())

    def saved(saved: SlaPolicy) -> HttpResponse:
        messages.success(request, _("Policy “%(name)s” saved.") % {"name": saved.name})
        return redirect(reverse("sla:policy_list"))

    return form_page(request, form, save, saved, "sla/policy_form.html", {"policy": policy})
