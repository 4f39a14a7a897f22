"""Who may use which part of the admin: one row per registered model, one column per persona.

``alogin`` is the redirect to the admin's log-in (visitors, and accounts that are not
staff: the reps here); ``403`` a staff account whose role does not allow it. The funnel's
models follow the roles (``leads.admin.RoleAdmin``); Django's own (users, groups, tokens,
log-in attempts) and the scoring models need Django permissions, which only the superuser
holds here. A model registered without a row fails ``test_every_admin_page_has_a_row``.
"""

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from .tables import routes
from .world import PERSONAS, World

ANY_ROLE = "alogin 403 200 alogin alogin 200 200"
EDITORS = "alogin 403 200 alogin alogin 200 200"  # marketing and managers
MANAGERS = "alogin 403 403 alogin alogin 200 200"
SUPERUSER = "alogin 403 403 alogin alogin 403 200"
NOBODY = "alogin 403 403 alogin alogin 403 403"  # written by the app alone


@dataclass(frozen=True)
class AdminRow:
    model: str
    read: str  # the list; an object's page and history too, unless told otherwise
    add: str  # the add page; the delete page too, unless told otherwise
    on: str | None = None  # the world's object whose pages are opened
    history: str | None = None
    delete: str | None = None

    def __str__(self) -> str:
        return self.model

    def pages(self) -> list[tuple[str, str]]:
        """(view, codes) of the model's pages: ``changelist``, ``add`` and an object's."""
        pages = [("changelist", self.read), ("add", self.add)]
        if self.on:
            pages += [
                ("change", self.read),
                ("history", self.history or self.read),
                ("delete", self.delete or self.add),
            ]
        return pages


# A role-less staff account opening an object's history is sent to the admin's index ("no
# such object": the object is outside what it may see), where the list answers 403.
HIDDEN_HISTORY = "alogin index 200 alogin alogin 200 200"

ADMIN = [
    AdminRow(
        "leads.contact", ANY_ROLE, EDITORS, "contact:sql", HIDDEN_HISTORY, delete=NOBODY
    ),  # erased with the "Erase personal data" action, never deleted
    AdminRow("leads.campaign", ANY_ROLE, EDITORS, "campaign"),
    AdminRow("leads.transition", ANY_ROLE, NOBODY),
    AdminRow("leads.definition", ANY_ROLE, NOBODY),  # revised on the Definitions page
    AdminRow("scoring.rule", SUPERUSER, SUPERUSER, "rule"),
    AdminRow("scoring.ruleset", SUPERUSER, NOBODY, "ruleset"),  # drafted and published by API
    AdminRow("scoring.scoringsettings", SUPERUSER, NOBODY),  # the one row, made by migration
    AdminRow("scoring.activity", SUPERUSER, NOBODY),
    AdminRow("scoring.recomputejob", SUPERUSER, NOBODY, "recompute"),
    # Analyses only read the history: the superuser may look at one, or delete an old one.
    AdminRow("evidence.analysis", SUPERUSER, NOBODY, "analysis", delete=SUPERUSER),
    AdminRow("sla.slapolicy", ANY_ROLE, MANAGERS, "policy"),
    AdminRow("sla.assignmentrule", ANY_ROLE, MANAGERS, "assignment_rule"),
    AdminRow("sla.repavailability", ANY_ROLE, MANAGERS),
    AdminRow("sla.breach", ANY_ROLE, NOBODY, "breach", HIDDEN_HISTORY),
    AdminRow("sla.clock", ANY_ROLE, NOBODY),
    AdminRow("reporting.target", ANY_ROLE, MANAGERS, "target"),
    # Imports are uploaded on the import page; the admin may delete one (and its file).
    AdminRow("integrations.importjob", EDITORS, NOBODY, "import", delete=EDITORS),
    AdminRow("integrations.webhook", MANAGERS, MANAGERS, "webhook"),
    AdminRow("integrations.delivery", MANAGERS, NOBODY, "delivery"),
    AdminRow("audit.auditentry", MANAGERS, NOBODY, "audit"),
    AdminRow("auth.user", SUPERUSER, SUPERUSER),
    AdminRow("auth.group", SUPERUSER, SUPERUSER),
    AdminRow("leads.apikey", SUPERUSER, SUPERUSER),
    # Log-in lock-outs: the superuser lifts one by deleting its attempt.
    AdminRow("axes.accessattempt", SUPERUSER, NOBODY),
    AdminRow("axes.accesslog", SUPERUSER, NOBODY),
    AdminRow("axes.accessfailurelog", SUPERUSER, NOBODY),
]

# The admin site's own pages.
SITE = {
    "admin:index": "alogin 200 200 alogin alogin 200 200",
    "admin:password_change": "alogin 200 200 alogin alogin 200 200",
}
# The site's pages that need no row: log-in and log-out (the throttling tests cover the
# log-in), the helpers the admin's pages call, and its catch-all redirect.
SITE_HELPERS = {
    "admin:login",
    "admin:logout",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
    "",
}


def status(world: World, persona: str, url: str) -> str:
    client = Client()
    if world.users[persona] is not None:
        client.force_login(world.users[persona])
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
        return "alogin"
    if response.status_code == 302 and response["Location"] == reverse("admin:index"):
        return "index"
    return str(response.status_code)


def answers(world: World, url: str) -> dict[str, str]:
    return {p: world.as_of(p, lambda p=p: status(world, p, url)) for p in PERSONAS}


def expected(codes: str) -> dict[str, str]:
    return dict(zip(PERSONAS, codes.split(), strict=True))


@pytest.mark.parametrize("row", ADMIN, ids=str)
def test_each_persona_reads_and_writes_what_its_role_allows_in_the_admin(world, row):
    name = row.model.replace(".", "_")
    args = [world.pk(row.on)] if row.on else []
    for view, codes in row.pages():
        url = reverse(
            f"admin:{name}_{view}", args=args if view not in ("changelist", "add") else []
        )
        assert (view, answers(world, url)) == (view, expected(codes))


@pytest.mark.parametrize(("name", "codes"), SITE.items())
def test_the_admin_site_is_for_staff_only(world, name, codes):
    assert answers(world, reverse(name)) == expected(codes)


def test_every_admin_page_has_a_row():
    """Every model in the admin says here who may read and write it."""
    assert {row.model for row in ADMIN} == {
        model._meta.label_lower for model in admin.site._registry
    }, "add a row to tests/security/test_admin_permissions.py"
    model_pages = {f"admin:{row.model.replace('.', '_')}_" for row in ADMIN}
    uncovered = {
        route.name
        for route in routes()
        if route.path.startswith("admin/")
        and route.name not in SITE.keys() | SITE_HELPERS
        and not route.name.startswith(tuple(model_pages))
    }
    assert not uncovered, f"add rows to tests/security/test_admin_permissions.py: {uncovered}"
