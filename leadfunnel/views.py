from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from leadfunnel.middleware import MESSAGE, RETRY_AFTER_SECONDS, log_unreachable
from leads.roles import CAPABILITIES, Capability, has_role, roles_of
from leads.stages import Role


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url: str | Promise
    roles: frozenset[Role]


EVERYONE = frozenset(Role)
# The top bar, in order; each item shows to the roles that hold what its page needs
# (leads.roles.CAPABILITIES; a superuser holds every role).
NAV = (
    NavItem(
        _("Dashboard"), reverse_lazy("reporting:dashboard"), CAPABILITIES[Capability.READ_REPORTS]
    ),
    NavItem(_("My queue"), reverse_lazy("leads:my_queue"), CAPABILITIES[Capability.OWN_CONTACTS]),
    NavItem(_("Contacts"), reverse_lazy("leads:contact_list"), EVERYONE),
    NavItem(_("Companies"), reverse_lazy("scoring:companies"), EVERYONE),
    NavItem(
        _("Scoring"), reverse_lazy("scoring:rule_list"), CAPABILITIES[Capability.EDIT_SCORING]
    ),
    NavItem(
        _("Campaigns"), reverse_lazy("leads:campaign_list"), CAPABILITIES[Capability.EDIT_CONTACTS]
    ),
    NavItem(_("Forms"), reverse_lazy("capture:form_list"), CAPABILITIES[Capability.EDIT_CONTACTS]),
    NavItem(
        _("Imports"),
        reverse_lazy("integrations:import_list"),
        CAPABILITIES[Capability.EDIT_CONTACTS],
    ),
    NavItem(
        _("Duplicates"),
        reverse_lazy("leads:duplicate_list"),
        CAPABILITIES[Capability.EDIT_CONTACTS],
    ),
    NavItem(
        _("Team queue"), reverse_lazy("leads:team_queue"), CAPABILITIES[Capability.MANAGE_TEAM]
    ),
    NavItem(_("SLA"), reverse_lazy("sla:breach_list"), CAPABILITIES[Capability.MANAGE_TEAM]),
    NavItem(_("Definitions"), reverse_lazy("leads:definitions"), EVERYONE),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the top bar's links for the user's roles, the current one marked
    (the longest matching prefix, so /queue/team/ is not also "My queue"), and whether the
    notification bell shows (for anyone with a role: SLA breaches reach reps and managers)."""
    roles = roles_of(getattr(request, "user", None))
    items = [item for item in NAV if item.roles & roles]
    matches = [str(item.url) for item in items if request.path.startswith(str(item.url))]
    current = max(matches, key=len, default=None)
    nav = [
        {"label": item.label, "url": str(item.url), "current": str(item.url) == current}
        for item in items
    ]
    return {"nav": nav, "bell": bool(roles)}


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its work: managers to the team, reps to their queue, marketers to
    the contacts. Visitors and accounts without a role get the welcome page."""
    user = request.user
    if has_role(user, Role.MANAGERS):
        return redirect("leads:team_queue")
    if has_role(user, Role.SALES):
        return redirect("leads:my_queue")
    if has_role(user, Role.MARKETING):
        return redirect("leads:contact_list")
    return render(request, "home.html", {"roleless": user.is_authenticated})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL that matches no route (``handler404``): JSON under the API, as its other 404s
    are, and the app's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and docker-compose: the database answers (503 when it
    does not, so the balancer takes this instance out until it does)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        log_unreachable(request, error)
        return JsonResponse(
            {"status": "unavailable", "detail": MESSAGE},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return JsonResponse({"status": "ok"})
