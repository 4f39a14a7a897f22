"""Who may do what on every API endpoint: one row per operation, one column per persona.

Codes per the contract (docs/api.md): 401 without credentials, 403 when the role does not
allow it, 404 when the object is outside what the user may see (and for unknown ids). An
allowed write sent an empty body answers 400: the permission passed, the input did not.
A new endpoint without a row here fails ``test_every_api_operation_has_a_row``.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from .tables import routes
from .world import PERSONAS, World

CONTACT_EDITORS_ONLY = "401 403 400 403 403 400 400"  # marketing and managers write
MANAGERS_ONLY_WRITE = "401 403 403 403 403 400 400"
EVERY_ROLE_READS = "401 403 200 200 200 200 200"
OWNERS_READ = "401 403 200 200 403 200 200"  # a rep sees their own contacts only
SALES_MOVE = "401 403 403 200 403 200 200"  # the owning rep (or a manager) moves it
MARKETING_MOVE = "401 403 200 403 403 200 200"
MANAGERS_ONLY = "401 403 403 403 403 200 200"
IMPORTERS_ONLY = "401 403 200 403 403 200 200"
SCORING_EDITORS_ONLY = "401 403 200 403 403 200 200"  # reps do not analyse the scoring
ANY_ROLE_WRITES = "401 403 400 400 400 400 400"  # the service then checks the contact
AUTHOR_SCOPE_READS = "401 403 200 200 404 200 200"  # another rep's contact is out of reach
REPORT_READERS = IMPORTERS_ONLY  # the dashboard's readers: marketing and managers
MERGERS_ONLY = IMPORTERS_ONLY  # duplicates and merges: marketing and managers, reads too


@dataclass(frozen=True)
class Op:
    route: str
    method: str
    codes: str  # anon none mkt own other mgr su
    on: str | None = None  # the kind of object of a detail route (tests/security/world.py)
    body: dict[str, Any] = field(default_factory=dict)
    key: str = "pk"  # the route's name for the object
    format: str = "json"

    def __str__(self) -> str:
        return f"{self.method} {self.route}" + (f" ({self.on})" if self.on else "")


A_QSO = {"budget": "5000", "currency": "EUR", "close_by": "2030-01-31"}

API = [
    # --- contacts (leads) -------------------------------------------------------------
    Op("contact-list", "GET", EVERY_ROLE_READS),
    Op("contact-list", "POST", CONTACT_EDITORS_ONLY),
    Op("contact-detail", "GET", OWNERS_READ, "contact:sql"),
    Op("contact-detail", "PATCH", OWNERS_READ, "contact:sql"),
    Op("contact-detail", "PUT", "401 403 400 400 403 400 400", "contact:sql"),
    Op("contact-detail", "DELETE", "401 403 204 403 403 204 204", "contact:sql"),
    Op("contact-history", "GET", OWNERS_READ, "contact:sql"),
    Op("contact-score", "GET", OWNERS_READ, "contact:sql"),
    Op("contact-mark-mql", "POST", MARKETING_MOVE, "contact:lead"),
    Op("contact-accept", "POST", SALES_MOVE, "contact:mql"),
    Op("contact-fast-track", "POST", SALES_MOVE, "contact:lead", {"reason": "asked for a demo"}),
    Op("contact-reject", "POST", SALES_MOVE, "contact:mql", {"reason": "bad fit"}),
    Op("contact-qualify", "POST", SALES_MOVE, "contact:sql", A_QSO),
    Op("contact-win", "POST", SALES_MOVE, "contact:qso", {"amount": "4800"}),
    Op("contact-lose", "POST", SALES_MOVE, "contact:sql", {"reason": "no budget"}),
    Op("contact-disqualify", "POST", MARKETING_MOVE, "contact:lead", {"reason": "student"}),
    Op("contact-assign", "POST", MANAGERS_ONLY, "contact:mql", {"owner": None}),
    # Any rep may take an unassigned MQL from the shared queue.
    # Claiming makes you the owner: reps only (a manager assigns), as the pages offer it.
    Op("contact-claim", "POST", "401 403 403 200 200 403 200", "contact:mql/shared"),
    # A rep sees the look-alikes of their own contacts (a warning); merging is marketing's.
    Op("contact-duplicates", "GET", OWNERS_READ, "contact:sql"),
    Op("contact-merge", "POST", CONTACT_EDITORS_ONLY, "contact:sql"),
    Op("duplicate-list", "GET", MERGERS_ONLY),
    Op("duplicate-detail", "GET", MERGERS_ONLY, "pair"),
    Op("duplicate-dismiss", "POST", MERGERS_ONLY, "pair"),
    Op("duplicate-scan-list", "GET", MERGERS_ONLY),
    Op("duplicate-scan-list", "POST", "401 403 202 403 403 202 202"),
    Op("duplicate-scan-detail", "GET", MERGERS_ONLY, "scan"),
    Op("merge-list", "GET", MERGERS_ONLY),
    Op("merge-detail", "GET", MERGERS_ONLY, "merge"),
    Op("merge-undo", "POST", MERGERS_ONLY, "merge"),
    # --- campaigns --------------------------------------------------------------------
    Op("campaign-list", "GET", EVERY_ROLE_READS),
    Op("campaign-list", "POST", CONTACT_EDITORS_ONLY),
    Op("campaign-detail", "GET", EVERY_ROLE_READS, "campaign"),
    Op("campaign-detail", "PATCH", "401 403 200 403 403 200 200", "campaign"),
    Op("campaign-detail", "PUT", CONTACT_EDITORS_ONLY, "campaign"),
    Op("campaign-detail", "DELETE", "401 403 204 403 403 204 204", "campaign"),
    # --- scoring ----------------------------------------------------------------------
    Op("event-list", "POST", CONTACT_EDITORS_ONLY),
    Op("scoring-rule-list", "GET", EVERY_ROLE_READS),
    Op("scoring-rule-list", "POST", CONTACT_EDITORS_ONLY),
    Op("scoring-rule-detail", "GET", EVERY_ROLE_READS, "rule"),
    Op("scoring-rule-detail", "PATCH", "401 403 200 403 403 200 200", "rule"),
    Op("scoring-rule-detail", "PUT", CONTACT_EDITORS_ONLY, "rule"),
    Op("scoring-rule-detail", "DELETE", "401 403 204 403 403 204 204", "rule"),
    Op("scoring-ruleset-list", "GET", EVERY_ROLE_READS),
    Op("scoring-ruleset-list", "POST", "401 403 201 403 403 201 201"),  # a draft of the live set
    Op("scoring-ruleset-detail", "GET", EVERY_ROLE_READS, "ruleset"),
    Op("scoring-ruleset-detail", "PATCH", "401 403 200 403 403 200 200", "ruleset"),
    Op("scoring-ruleset-detail", "PUT", "401 403 200 403 403 200 200", "ruleset"),
    Op("scoring-ruleset-detail", "DELETE", "401 403 204 403 403 204 204", "ruleset"),
    Op("scoring-ruleset-publish", "POST", CONTACT_EDITORS_ONLY, "ruleset"),  # needs a reason
    Op("scoring-ruleset-shadow", "POST", SCORING_EDITORS_ONLY, "ruleset"),
    Op("scoring-ruleset-stop-shadow", "POST", SCORING_EDITORS_ONLY, "shadow"),
    Op("scoring-ruleset-comparison", "GET", SCORING_EDITORS_ONLY, "shadow"),
    Op("scoring-ruleset-preview", "GET", SCORING_EDITORS_ONLY, "ruleset"),
    Op("scoring-settings", "GET", EVERY_ROLE_READS),
    Op("scoring-settings", "PATCH", "401 403 200 403 403 200 200"),
    Op("scoring-settings", "PUT", "401 403 200 403 403 200 200"),
    Op("scoring-recompute-list", "GET", EVERY_ROLE_READS),
    Op("scoring-recompute-list", "POST", "401 403 202 403 403 202 202"),
    Op("scoring-recompute-detail", "GET", EVERY_ROLE_READS, "recompute"),
    # --- scoring from evidence: marketing and managers, reading and starting alike -----
    Op("evidence-backtest", "POST", "401 403 202 403 403 202 202"),
    Op("evidence-signals", "POST", "401 403 202 403 403 202 202"),
    Op("evidence-suggestion", "POST", "401 403 202 403 403 202 202"),
    Op("evidence-analysis-list", "GET", SCORING_EDITORS_ONLY),
    Op("evidence-analysis-detail", "GET", SCORING_EDITORS_ONLY, "analysis"),
    Op("evidence-analysis-adopt", "POST", CONTACT_EDITORS_ONLY, "analysis:suggestion"),
    # --- SLA --------------------------------------------------------------------------
    # --- sales activities and tasks (sales): the services decide who writes -------------
    Op("activity-list", "GET", EVERY_ROLE_READS),
    Op("activity-list", "POST", ANY_ROLE_WRITES),
    Op("activity-detail", "GET", AUTHOR_SCOPE_READS, "activity"),
    Op("activity-detail", "PATCH", "401 403 403 200 404 200 200", "activity"),
    Op("activity-detail", "PUT", "401 403 400 400 404 400 400", "activity"),
    Op("activity-detail", "DELETE", "401 403 403 204 404 204 204", "activity"),
    Op("contact-activities", "GET", OWNERS_READ, "contact:sql", key="contact_pk"),
    Op("task-list", "GET", EVERY_ROLE_READS),
    Op("task-list", "POST", ANY_ROLE_WRITES),
    Op("task-detail", "GET", AUTHOR_SCOPE_READS, "task"),
    Op("task-detail", "PATCH", "401 403 403 200 404 200 200", "task"),
    Op("task-detail", "PUT", "401 403 400 400 404 400 400", "task"),
    Op("task-detail", "DELETE", "401 403 403 204 404 204 204", "task"),
    Op("task-complete", "POST", "401 403 403 200 404 200 200", "task"),
    Op("sla-policy-list", "GET", EVERY_ROLE_READS),
    Op("sla-policy-list", "POST", MANAGERS_ONLY_WRITE),
    Op("sla-policy-detail", "GET", EVERY_ROLE_READS, "policy"),
    Op("sla-policy-detail", "PATCH", MANAGERS_ONLY, "policy"),
    Op("sla-policy-detail", "PUT", MANAGERS_ONLY_WRITE, "policy"),
    # A policy that ran clocks stays (its breaches point at it): switch it off instead.
    Op("sla-policy-detail", "DELETE", "401 403 403 403 403 409 409", "policy"),
    Op("sla-breach-list", "GET", EVERY_ROLE_READS),
    # A rep sees the breaches on their own watch; another rep's is not there for them.
    Op("sla-breach-detail", "GET", "401 403 200 200 404 200 200", "breach"),
    Op("sla-assignment-rule-list", "GET", EVERY_ROLE_READS),
    Op("sla-assignment-rule-list", "POST", MANAGERS_ONLY_WRITE),
    Op("sla-assignment-rule-detail", "GET", EVERY_ROLE_READS, "assignment_rule"),
    Op("sla-assignment-rule-detail", "PATCH", MANAGERS_ONLY, "assignment_rule"),
    Op("sla-assignment-rule-detail", "PUT", MANAGERS_ONLY_WRITE, "assignment_rule"),
    Op("sla-assignment-rule-detail", "DELETE", "401 403 403 403 403 204 204", "assignment_rule"),
    # Availability is keyed by the rep: a rep reads and sets their own, a manager everyone's.
    Op("sla-availability-list", "GET", EVERY_ROLE_READS),
    Op("sla-availability-detail", "GET", "401 403 404 200 404 200 200", "rep"),
    Op("sla-availability-detail", "PATCH", "401 403 404 200 404 200 200", "rep"),
    Op("sla-availability-detail", "PUT", "401 403 404 400 404 400 400", "rep"),
    # Notifications are their recipient's alone (the owner rep here), managers included.
    Op("sla-notification-list", "GET", EVERY_ROLE_READS),
    Op("sla-notification-detail", "GET", "401 403 404 200 404 404 404", "notification"),
    Op("sla-notification-read", "POST", "401 403 404 200 404 404 404", "notification"),
    # --- companies: every role reads them, managers give them an owner ----------------
    Op("company-list", "GET", EVERY_ROLE_READS),
    Op("company-detail", "GET", EVERY_ROLE_READS, "company"),
    Op("company-detail", "PATCH", MANAGERS_ONLY, "company"),
    Op("company-detail", "PUT", MANAGERS_ONLY_WRITE, "company"),
    # --- reports and targets ----------------------------------------------------------
    Op("report-funnel", "GET", REPORT_READERS),
    Op("report-handoff", "GET", REPORT_READERS),
    Op("report-velocity", "GET", REPORT_READERS),
    Op("report-targets", "GET", REPORT_READERS),
    Op("report-trends", "GET", REPORT_READERS),
    Op("report-response-time", "GET", REPORT_READERS),
    Op("target-list", "GET", EVERY_ROLE_READS),
    Op("target-list", "POST", MANAGERS_ONLY_WRITE),
    Op("target-detail", "GET", EVERY_ROLE_READS, "target"),
    Op("target-detail", "PATCH", MANAGERS_ONLY, "target"),
    Op("target-detail", "PUT", MANAGERS_ONLY_WRITE, "target"),
    Op("target-detail", "DELETE", "401 403 403 403 403 204 204", "target"),
    # --- integrations -----------------------------------------------------------------
    Op("form-list", "GET", IMPORTERS_ONLY),
    Op("form-list", "POST", CONTACT_EDITORS_ONLY),
    Op("form-detail", "GET", IMPORTERS_ONLY, "form"),
    Op("form-detail", "PATCH", IMPORTERS_ONLY, "form"),
    Op("form-detail", "PUT", CONTACT_EDITORS_ONLY, "form"),
    Op("form-detail", "DELETE", "401 403 204 403 403 204 204", "form"),
    Op("import-list", "GET", IMPORTERS_ONLY),
    Op("import-list", "POST", CONTACT_EDITORS_ONLY, format="multipart"),
    Op("import-detail", "GET", IMPORTERS_ONLY, "import"),
    Op("import-cancel", "POST", IMPORTERS_ONLY, "import"),
    Op("import-errors-csv", "GET", IMPORTERS_ONLY, "import"),
    Op("contacts-export", "GET", EVERY_ROLE_READS),  # each sees the rows they may see
    Op("webhook-list", "GET", MANAGERS_ONLY),
    Op("webhook-list", "POST", MANAGERS_ONLY_WRITE),
    Op("webhook-detail", "GET", MANAGERS_ONLY, "webhook"),
    Op("webhook-detail", "PATCH", MANAGERS_ONLY, "webhook"),
    Op("webhook-detail", "PUT", MANAGERS_ONLY_WRITE, "webhook"),
    Op("webhook-detail", "DELETE", "401 403 403 403 403 204 204", "webhook"),
    Op("webhook-rotate-secret", "POST", MANAGERS_ONLY, "webhook"),
    Op("webhook-delivery-list", "GET", MANAGERS_ONLY),
    Op("webhook-delivery-detail", "GET", MANAGERS_ONLY, "delivery"),
    Op("webhook-delivery-redeliver", "POST", "401 403 403 403 403 201 201", "delivery"),
    # --- audit ------------------------------------------------------------------------
    Op("audit-entry-list", "GET", MANAGERS_ONLY),
    Op("audit-entry-detail", "GET", MANAGERS_ONLY, "audit"),
    # --- the API's own pages: the contract is public, its data is not -----------------
    Op("api-root", "GET", "401 200 200 200 200 200 200"),
    Op("schema", "GET", "200 200 200 200 200 200 200"),
    Op("api-docs", "GET", "200 200 200 200 200 200 200"),
]


def answer(world: World, op: Op, persona: str) -> int:
    client = APIClient()
    if world.users[persona] is not None:
        client.force_authenticate(world.users[persona])
    body = {k: world.users["other"].pk if k == "owner" else v for k, v in op.body.items()}
    url = reverse(op.route, kwargs={op.key: world.pk(op.on)} if op.on else None)
    if op.method == "GET":
        return client.get(url).status_code
    return getattr(client, op.method.lower())(url, body, format=op.format).status_code


@pytest.mark.parametrize("op", API, ids=str)
def test_each_persona_gets_the_documented_answer(world, op):
    if op.on:
        world.pk(op.on)  # built once, outside the per-persona rollbacks
    got = {p: world.as_of(p, lambda p=p: answer(world, op, p)) for p in PERSONAS}
    assert got == dict(zip(PERSONAS, map(int, op.codes.split()), strict=True))


def test_every_api_operation_has_a_row():
    """A new endpoint (or a new method on one) must say here who may call it."""
    covered = {(op.route, op.method) for op in API}
    missing = {
        (route.name, method)
        for route in routes()
        if route.path.startswith("api/v1/")
        for method in (route.methods or {"GET"}) - {"HEAD", "OPTIONS"}
        if (route.name, method) not in covered
    }
    assert not missing, f"add rows to tests/security/test_api_permissions.py: {sorted(missing)}"
