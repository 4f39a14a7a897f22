"""Who may open which page: one row per page (and form post), one column per persona.

Codes: ``login`` is the redirect of a visitor to the log-in page, ``302`` any other
redirect (a form that worked), ``403`` the "You cannot open this page" page, ``404`` an
object outside the user's reach. Pages follow the API's rules (test_api_permissions.py).
A new page without a row here fails ``test_every_page_has_a_row``.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .tables import routes
from .world import PERSONAS, World

ANY_ROLE = "login 403 200 200 200 200 200"
OWNERS_ONLY = "login 403 200 200 403 200 200"
EDITORS_ONLY = "login 403 200 403 403 200 200"  # marketing and managers
MANAGERS_ONLY = "login 403 403 403 403 200 200"
PUBLIC = "200 200 200 200 200 200 200"
A_RULE = {"name": "Pricing", "kind": "event", "dimension": "engagement", "points": 5}
A_RULE |= {"event_type": "page_viewed", "active": "on"}


@dataclass(frozen=True)
class Page:
    route: str
    method: str
    codes: str  # anon none mkt own other mgr su
    on: str | None = None  # the object of the page (tests/security/world.py)
    key: str = "pk"  # the URL's name for it
    extra: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.route}" + (f" ({self.on})" if self.on else "")


PAGES = [
    Page("home", "GET", "200 200 302 302 302 302 302"),  # each role is sent to its work
    Page("healthz", "GET", PUBLIC),
    # --- contacts, queues, campaigns, definitions (leads) -----------------------------
    Page("leads:contact_list", "GET", ANY_ROLE),
    Page("leads:contact_create", "GET", EDITORS_ONLY),
    Page(
        "leads:contact_create",
        "POST",
        "login 403 400 403 403 400 400",
        data={"email": "not an e-mail"},
    ),
    Page("leads:contact_bulk", "POST", "login 403 302 403 403 302 302"),
    Page("leads:contact_detail", "GET", OWNERS_ONLY, "contact:sql"),
    Page("leads:contact_edit", "GET", OWNERS_ONLY, "contact:sql"),
    Page(
        "leads:contact_action",
        "POST",
        "login 403 403 302 403 302 302",
        "contact:mql",
        extra={"action": "accept"},
    ),
    Page("leads:my_queue", "GET", "login 403 403 200 200 403 200"),
    Page("leads:team_queue", "GET", MANAGERS_ONLY),
    Page("leads:campaign_list", "GET", ANY_ROLE),
    Page("leads:campaign_create", "GET", EDITORS_ONLY),
    Page("leads:campaign_edit", "GET", EDITORS_ONLY, "campaign"),
    Page("leads:utm_unmapped", "GET", EDITORS_ONLY),
    Page("leads:utm_map", "POST", "login 403 404 403 403 404 404"),  # no campaign given
    Page("leads:definitions", "GET", ANY_ROLE),
    Page("leads:definition_edit", "GET", MANAGERS_ONLY, "term", key="term"),
    Page("leads:duplicate_list", "GET", EDITORS_ONLY),
    Page("leads:duplicate_merge", "POST", "login 403 302 403 403 302 302", "pair"),
    Page("leads:duplicate_dismiss", "POST", "login 403 302 403 403 302 302", "pair"),
    Page("leads:duplicate_scan_start", "POST", "login 403 302 403 403 302 302"),
    Page("leads:duplicate_scan", "GET", EDITORS_ONLY, "scan"),
    Page("leads:merge_undo", "POST", "login 403 302 403 403 302 302", "merge"),
    # --- imports (integrations) -------------------------------------------------------
    Page("integrations:import_list", "GET", EDITORS_ONLY),
    Page("integrations:import_detail", "GET", EDITORS_ONLY, "import"),
    Page("integrations:import_cancel", "POST", "login 403 302 403 403 302 302", "import"),
    # --- web forms (capture): built by marketing and managers, public to everyone ------
    Page("capture:form_list", "GET", EDITORS_ONLY),
    Page("capture:form_create", "GET", EDITORS_ONLY),
    Page("capture:form_create", "POST", "login 403 400 403 403 400 400", data={"name": ""}),
    Page("capture:form_detail", "GET", EDITORS_ONLY, "form"),
    Page("capture:form_edit", "GET", EDITORS_ONLY, "form"),
    Page("capture:hosted", "GET", PUBLIC, "form_key", key="key"),
    Page("capture:hosted", "POST", "400 400 400 400 400 400 400", "form_key", key="key"),
    Page("capture:confirm", "GET", "404 404 404 404 404 404 404", "token", key="token"),
    # --- dashboard and targets (reporting) --------------------------------------------
    Page("reporting:dashboard", "GET", "login 403 200 403 403 200 200"),
    Page("reporting:panel", "GET", "login 403 200 403 403 200 200", extra={"name": "funnel"}),
    Page("reporting:target_list", "GET", MANAGERS_ONLY),
    Page("reporting:target_create", "GET", MANAGERS_ONLY),
    Page("reporting:target_edit", "GET", MANAGERS_ONLY, "target"),
    Page("reporting:target_delete", "POST", "login 403 403 403 403 302 302", "target"),
    # --- scoring ----------------------------------------------------------------------
    Page("scoring:rule_list", "GET", ANY_ROLE),
    Page("scoring:rule_create", "GET", EDITORS_ONLY),
    Page("scoring:rule_edit", "GET", EDITORS_ONLY, "rule"),
    Page("scoring:rule_toggle", "POST", "login 403 302 403 403 302 302", "rule"),
    Page("scoring:thresholds", "GET", ANY_ROLE),
    Page("scoring:thresholds_preview", "GET", ANY_ROLE, data={"mql_threshold": 70}),
    Page("scoring:rule_preview", "GET", EDITORS_ONLY, data=A_RULE),
    Page("scoring:rule_preview", "GET", EDITORS_ONLY, "rule", data=A_RULE),
    Page("scoring:recompute", "POST", "login 403 302 403 403 302 302"),
    Page("scoring:releases", "GET", ANY_ROLE),
    Page("scoring:companies", "GET", ANY_ROLE),
    Page("scoring:companies", "POST", "login 403 400 403 403 400 400"),
    Page("scoring:release_draft", "POST", "login 403 302 403 403 302 302"),
    Page("scoring:release_publish", "GET", EDITORS_ONLY, "ruleset"),
    Page("scoring:release_publish", "POST", "login 403 302 403 403 302 302", "ruleset"),
    Page("scoring:release_shadow", "POST", "login 403 302 403 403 302 302", "ruleset"),
    Page("scoring:release_stop_shadow", "POST", "login 403 302 403 403 302 302", "shadow"),
    Page("scoring:release_comparison", "GET", EDITORS_ONLY, "shadow"),
    Page("scoring:release_delete", "POST", "login 403 302 403 403 302 302", "ruleset"),
    Page("scoring:recompute_progress", "GET", ANY_ROLE, "recompute"),
    Page("scoring:contact_score", "GET", OWNERS_ONLY, "contact:sql"),
    Page("reporting:contact_touches", "GET", OWNERS_ONLY, "contact:sql"),
    # --- sales: the contact page's timeline and quick log, the queue's tasks ----------
    Page("sales:contact_timeline", "GET", OWNERS_ONLY, "contact:sql"),
    Page("sales:contact_panel", "GET", OWNERS_ONLY, "contact:sql"),
    Page(
        "sales:activity_log",
        "POST",
        "login 403 403 302 403 302 302",
        "contact:sql",
        data={"kind": "call", "direction": "outbound", "outcome": "no_answer"},
    ),
    Page(
        "sales:activity_log",
        "POST",
        "login 403 302 302 403 302 302",
        "contact:sql",
        data={"kind": "note", "body": "Met at the fair"},
    ),
    Page(
        "sales:task_create",
        "POST",
        "login 403 403 302 403 302 302",
        "contact:sql",
        data={"title": "Call back", "kind": "call", "due_at": "2030-01-01T10:00"},
    ),
    Page("sales:task_complete", "POST", "login 403 403 302 404 302 302", "task"),
    Page("sales:my_tasks", "GET", ANY_ROLE),
    # --- scoring from evidence: the API's rule, reps get the 403 page ------------------
    Page("evidence:page", "GET", EDITORS_ONLY),
    Page("evidence:backtest", "POST", "login 403 400 403 403 400 400"),
    Page("evidence:signals", "POST", "login 403 400 403 403 400 400"),
    Page("evidence:suggestion", "POST", "login 403 400 403 403 400 400"),
    Page("evidence:analysis", "GET", EDITORS_ONLY, "analysis"),
    Page("evidence:adopt", "POST", "login 403 400 403 403 400 400", "analysis:suggestion"),
    # --- SLA --------------------------------------------------------------------------
    Page("sla:breach_list", "GET", ANY_ROLE),
    Page("sla:policy_list", "GET", ANY_ROLE),
    Page("sla:policy_create", "GET", MANAGERS_ONLY),
    Page("sla:policy_edit", "GET", MANAGERS_ONLY, "policy"),
    Page("sla:notification_list", "GET", ANY_ROLE),
    Page("sla:notification_badge", "GET", ANY_ROLE),
    Page("sla:notification_read_all", "POST", "login 403 302 302 302 302 302"),
    # A notification is its recipient's: nobody else can mark it read.
    Page("sla:notification_read", "POST", "login 403 404 302 404 404 404", "notification"),
    # --- accounts ---------------------------------------------------------------------
    Page("login", "GET", PUBLIC),
    Page("logout", "POST", PUBLIC),
    Page("password_change", "GET", "login 200 200 200 200 200 200"),
    Page("password_change_done", "GET", "login 200 200 200 200 200 200"),
    Page("preferences", "GET", "login 200 200 200 200 200 200"),
    # The language switcher: anyone, signed in or not, back to the page they were on.
    Page("language_set", "POST", "302 302 302 302 302 302 302"),
    Page("password_reset", "GET", PUBLIC),
    Page("password_reset_done", "GET", PUBLIC),
    Page("password_reset_confirm", "GET", PUBLIC, extra={"uidb64": "MQ", "token": "bad-token"}),
    Page("password_reset_complete", "GET", PUBLIC),
]


def answer(world: World, page: Page, persona: str) -> str:
    client = Client()
    if world.users[persona] is not None:
        client.force_login(world.users[persona])
    kwargs = {page.key: world.pk(page.on)} if page.on else {}
    url = reverse(page.route, kwargs={**kwargs, **page.extra} or None)
    send = client.post if page.method == "POST" else client.get
    response = send(url, page.data)
    if response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL):
        return "login"
    return str(response.status_code)


# (Not named ``page``: pytest-playwright owns that fixture name.)
@pytest.mark.parametrize("row", PAGES, ids=str)
def test_each_persona_gets_the_page_its_role_allows(world, row):
    if row.on:
        world.pk(row.on)
    got = {p: world.as_of(p, lambda p=p: answer(world, row, p)) for p in PERSONAS}
    assert got == dict(zip(PERSONAS, row.codes.split(), strict=True))


def test_a_refused_page_says_why_on_the_403_page(world):
    client = Client()
    client.force_login(world.users["other"])
    response = client.get(reverse("leads:contact_detail", args=[world.pk("contact:sql")]))
    assert response.status_code == 403
    assert b"You cannot open this page" in response.content
    assert b"not in your queue" in response.content


def test_every_page_has_a_row():
    """A new page must say here who may open it (the admin's are in test_admin_permissions)."""
    covered = {page.route for page in PAGES}
    missing = {
        route.name
        for route in routes()
        if not route.path.startswith(("api/v1/", "admin/")) and route.name not in covered
    }
    assert not missing, f"add rows to tests/security/test_page_permissions.py: {sorted(missing)}"
