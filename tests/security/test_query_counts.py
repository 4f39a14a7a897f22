"""Every list of the API and of the pages reads a page of 20 rows with as many database
queries as a page of 2: none makes a query per row (an N+1), which a million contacts
would turn into seconds per page.

Each list has a row in ``API_LISTS`` or ``PAGE_LISTS``: how to add rows its reader sees
(the rows of a detail route too: a contact's history, its score, its timeline). A new GET
route of the API that is neither a detail route, a counted list nor in ``NOT_LISTS`` fails
``test_every_api_list_is_counted``; a new ``*_list`` page, ``test_every_list_page_is_counted``.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from capture.models import Form
from evidence.models import Analysis, Kind, Status
from integrations.models import (
    Delivery,
    DeliveryAttempt,
    Event,
    ImportJob,
    ImportRejection,
    Webhook,
)
from leads import merging
from leads.models import Contact, DuplicatePair, DuplicateScan, JobStatus, Transition
from leads.stages import Move, Role, Stage
from reporting.models import Target
from sales import services as sales_services
from scoring.companies import companies_score
from scoring.models import Activity, ContactRuleScore, RecomputeJob, Rule
from scoring.releases import ruleset_draft
from sla.models import (
    AssignmentRule,
    Breach,
    BreachAction,
    Clock,
    ClockKind,
    Notification,
    NotificationKind,
    RepAvailability,
    SlaPolicy,
)
from tests.factories import CampaignFactory, ContactFactory, UserFactory

from .tables import routes

SHORT, LONG = 2, 20


class Cast:
    """The readers (a manager, a rep) and the objects that rows hang from, built once."""

    def __init__(self) -> None:
        self.mgr = UserFactory(username="count-mgr", role=Role.MANAGERS)
        self.rep = UserFactory(username="count-rep", role=Role.SALES)
        self.made = 0  # rows made so far: unique names, months and lines

    def serial(self) -> int:
        self.made += 1
        return self.made

    @cached_property
    def contact(self) -> Contact:
        return ContactFactory(stage=Stage.SQL, owner=self.rep)

    @cached_property
    def policy(self) -> SlaPolicy:
        return SlaPolicy.objects.create(
            name="MQL in 2 days", clock=ClockKind.MQL_RESPONSE, hours=48, escalate_to=self.mgr
        )

    @cached_property
    def webhook(self) -> Webhook:
        return Webhook.objects.create(url="https://crm.example.com/hook", events=[])

    @cached_property
    def job(self) -> ImportJob:
        return _import_job(self)


def _contacts(cast: Cast, n: int, owner: Callable[[int], Any] | None = None) -> None:
    """MQLs due in a day, each with its own campaign, every other one the rep's (the rest
    in the shared queue): rows of every contact list and queue, with what they show."""
    due = timezone.now() + timedelta(days=1)
    for k in range(n):
        ContactFactory(
            stage=Stage.MQL,
            owner=owner(k) if owner else (cast.rep if k % 2 else None),
            campaign=CampaignFactory(),
            sla_due_at=due,
        )


def _my_queue(cast: Cast, n: int) -> None:
    """The rep's MQLs, the shared queue and the rep's open deals."""
    _contacts(cast, n)
    _contacts(cast, n, owner=lambda k: cast.rep)
    for _ in range(n):
        ContactFactory(stage=Stage.SQL, owner=cast.rep, campaign=CampaignFactory())


def _team_queue(cast: Cast, n: int) -> None:
    """An MQL per rep: the queue's rows and its summary per rep."""
    _contacts(cast, n, owner=lambda k: UserFactory(role=Role.SALES))


def _history(cast: Cast, n: int) -> None:
    for _ in range(n):
        Transition.objects.create(
            contact=cast.contact,
            move=Move.ASSIGN,
            from_stage=Stage.SQL,
            to_stage=Stage.SQL,
            at=timezone.now(),
            actor=UserFactory(role=Role.MANAGERS),
            data={"owner": cast.rep.pk},
        )


def _activities(cast: Cast, n: int) -> None:
    """Calls the rep logged on their contact."""
    entry = {"contact": cast.contact, "kind": "call", "direction": "outbound", "owner": cast.rep}
    sales_services.activities_log(by=cast.mgr, entries=[entry] * n)


def _tasks(cast: Cast, n: int) -> None:
    """Tasks of the rep due now, each on a contact of its own."""
    for _ in range(n):
        contact = ContactFactory(stage=Stage.MQL, owner=cast.rep)
        sales_services.task_create(
            by=cast.rep, contact=contact, title="Call", due_at=timezone.now()
        )


def _timeline(cast: Cast, n: int) -> None:
    """Stage moves, marketing events, sales activities and tasks of one contact: the contact
    page's timeline."""
    _history(cast, n)
    _activities(cast, n)
    for _ in range(n):
        sales_services.task_create(
            by=cast.rep, contact=cast.contact, title="Call", due_at=timezone.now()
        )
    for _ in range(n):
        Activity.objects.create(
            key=f"event-{cast.serial()}",
            contact=cast.contact,
            type="page_viewed",
            occurred_at=timezone.now(),
            campaign=CampaignFactory(),
            properties={"url": "/pricing"},
        )


def _rule(cast: Cast) -> Rule:
    return Rule.objects.create(
        name=f"Rule {cast.serial()}", dimension="engagement", points=5, event_type="page_viewed"
    )


def _score_rows(cast: Cast, n: int) -> None:
    for _ in range(n):
        ContactRuleScore.objects.create(contact=cast.contact, rule=_rule(cast), times=1, value=1)


def _breach(cast: Cast) -> Breach:
    contact = ContactFactory(stage=Stage.MQL, owner=cast.rep)
    now = timezone.now()
    clock = Clock.objects.create(
        contact=contact,
        policy=cast.policy,
        kind=ClockKind.MQL_RESPONSE,
        started_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
        breached_at=now,
    )
    return Breach.objects.create(
        contact=contact,
        clock=clock,
        policy=cast.policy,
        kind=clock.kind,
        owner=cast.rep,
        due_at=clock.due_at,
        breached_at=now,
        action=BreachAction.ESCALATE,
        handed_to=UserFactory(role=Role.MANAGERS),
    )


def _notifications(cast: Cast, n: int) -> None:
    for _ in range(n):
        Notification.objects.create(
            user=cast.mgr, breach=_breach(cast), kind=NotificationKind.BREACH
        )


def _policies(cast: Cast, n: int) -> None:
    # Switched off: one policy per clock may be active.
    for _ in range(n):
        SlaPolicy.objects.create(
            name=f"Policy {cast.serial()}",
            clock=ClockKind.MQL_RESPONSE,
            hours=24,
            active=False,
            escalate_to=UserFactory(role=Role.MANAGERS),
        )


def _assignment_rules(cast: Cast, n: int) -> None:
    for _ in range(n):
        rule = AssignmentRule.objects.create(name=f"Rule {cast.serial()}")
        rule.reps.set([UserFactory(role=Role.SALES), cast.rep])


def _reps(cast: Cast, n: int) -> None:
    for _ in range(n):
        RepAvailability.objects.create(rep=UserFactory(role=Role.SALES), away=True, note="Leave")


def _targets(cast: Cast, n: int) -> None:
    for _ in range(n):
        k = cast.serial()
        month = date(2020 + k // 12, k % 12 + 1, 1)
        Target.objects.create(stage=Stage.MQL, month=month, goal=10, created_by=cast.mgr)


def _import_job(cast: Cast) -> ImportJob:
    return ImportJob.objects.create(
        created_by=UserFactory(role=Role.MARKETING),
        campaign=CampaignFactory(),
        file_name=f"people-{cast.serial()}.csv",
        file_size=100,
        encoding="utf-8",
        delimiter=",",
        status=ImportJob.Status.DONE,
    )


def _rejections(cast: Cast, n: int) -> None:
    for _ in range(n):
        ImportRejection.objects.create(job=cast.job, line=cast.serial(), reason="No e-mail")


def _deliveries(cast: Cast, n: int) -> None:
    for _ in range(n):
        delivery = Delivery.objects.create(
            webhook=Webhook.objects.create(url="https://crm.example.com/h", events=[]),
            event=Event.CONTACT_CREATED,
            occurred_at=timezone.now(),
            contact_id=cast.contact.pk,
            status=Delivery.Status.DELIVERED,
        )
        for number in (1, 2):
            DeliveryAttempt.objects.create(
                delivery=delivery, number=number, at=timezone.now(), duration_ms=40, ok=True
            )


def _audit_entries(cast: Cast, n: int) -> None:
    rule_type = ContentType.objects.get_for_model(Rule)
    for _ in range(n):
        AuditEntry.objects.create(
            actor=UserFactory(role=Role.MARKETING),
            actor_name="marketer",
            action="changed",
            content_type=rule_type,
            object_id=str(cast.serial()),
            object_repr="Pricing page",
            before={"points": 5},
            after={"points": 10},
        )


def _analysis(cast: Cast) -> None:
    Analysis.objects.create(
        kind=Kind.BACKTEST,
        status=Status.DONE,
        fingerprint=f"question-{cast.serial()}",
        requested_by=UserFactory(role=Role.MARKETING),
        result={"columns": []},
    )


def _pairs(cast: Cast, n: int) -> None:
    """Suggested pairs: two contacts with one phone number each time."""
    for _ in range(n):
        phone = f"+3361234{cast.serial():04d}"
        first, second = ContactFactory(phone=phone), ContactFactory(phone=phone)
        DuplicatePair.objects.create(first=first, second=second, score=0.85, reasons=[])


def _look_alikes(cast: Cast, n: int) -> None:
    """Contacts with the name and company of the cast's contact."""
    c = cast.contact
    for _ in range(n):
        ContactFactory(first_name=c.first_name, last_name=c.last_name, company=c.company)


def _merges(cast: Cast, n: int) -> None:
    for _ in range(n):
        merging.contacts_merge(survivor=ContactFactory(), other=ContactFactory(), by=cast.mgr)


def _form(cast: Cast) -> None:
    """A form with a submission (the list counts them)."""
    form = Form.objects.create(name="Contact us", consent_text="You may call me.")
    now = timezone.now()
    form.submissions.create(email="a@example.com", consent_text="ok", consented_at=now,
                            address_hash="0" * 64, submitted_at=now)  # fmt: skip


def _many(make: Callable[[Cast], Any]) -> Callable[[Cast, int], None]:
    def add(cast: Cast, n: int) -> None:
        for _ in range(n):
            make(cast)

    return add


def _results(response) -> int:
    return len(response.json()["results"])


def _csv_rows(response) -> int:
    text = b"".join(response.streaming_content).decode()
    return len(list(csv.reader(io.StringIO(text)))) - 1  # the header


def _score_rules(response) -> int:
    body = response.json()
    return len(body["fit"]["rules"]) + len(body["engagement"]["rules"])


@dataclass(frozen=True)
class Listing:
    route: str
    add: Callable[[Cast, int], None]  # makes n more rows the reader sees
    reader: str = "mgr"
    on: str | None = None  # the Cast attribute whose pk a detail route takes
    key: str = "pk"  # the route's name for it
    rows: Callable[[Any], int] = _results  # the rows in the answer (CSV: read it whole)

    def __str__(self) -> str:
        return self.route


def _companies(cast: Cast, n: int) -> None:
    for i in range(n):
        ContactFactory(email=f"buyer@company-{cast.mgr.pk}-{i}-{n}.example")
    companies_score()


API_LISTS = [
    Listing("company-list", _companies),
    Listing("contact-list", _contacts),
    Listing("contact-list", _contacts, reader="rep"),  # a rep's scope: own + shared queue
    Listing("contact-history", _history, on="contact"),
    Listing("contact-score", _score_rows, on="contact", rows=_score_rules),
    Listing("contacts-export", _contacts, rows=_csv_rows),
    Listing("campaign-list", lambda cast, n: CampaignFactory.create_batch(n)),
    Listing("scoring-rule-list", _many(_rule)),
    Listing("scoring-ruleset-list", _many(lambda c: ruleset_draft(by=c.mgr))),
    Listing(
        "scoring-recompute-list",
        _many(lambda c: RecomputeJob.objects.create(requested_by=c.mgr, status=JobStatus.DONE)),
    ),
    Listing("sla-policy-list", _policies),
    Listing("sla-breach-list", _many(_breach)),
    Listing("sla-breach-list", _many(_breach), reader="rep"),
    Listing("sla-assignment-rule-list", _assignment_rules),
    Listing("sla-availability-list", _reps),
    Listing("sla-notification-list", _notifications),
    Listing("target-list", _targets),
    Listing("import-list", _many(_import_job)),
    Listing("import-errors-csv", _rejections, on="job", rows=_csv_rows),
    Listing(
        "webhook-list",
        _many(lambda c: Webhook.objects.create(url="https://a.example.com/h", events=[])),
    ),
    Listing("webhook-delivery-list", _deliveries),
    Listing("audit-entry-list", _audit_entries),
    Listing("evidence-analysis-list", _many(_analysis)),
    Listing("activity-list", _activities),
    Listing("contact-activities", _activities, on="contact", key="contact_pk"),
    Listing("task-list", _tasks),
    Listing("duplicate-list", _pairs),
    Listing("contact-duplicates", _look_alikes, on="contact", rows=lambda r: len(r.json())),
    Listing(
        "duplicate-scan-list",
        _many(lambda c: DuplicateScan.objects.create(requested_by=c.mgr, status=JobStatus.DONE)),
    ),
    Listing("merge-list", _merges),
    Listing("form-list", _many(lambda c: _form(c))),
]

# GET routes of the API that read no list: one object, aggregates computed by the database
# (a report's rows are groups, not objects), or the API's own description.
NOT_LISTS = {
    "api-root",
    "schema",
    "api-docs",
    "scoring-settings",
    "report-funnel",
    "report-handoff",
    "report-velocity",
    "report-targets",
    "report-trends",
    "report-response-time",
    # A version's findings: aggregates and a sample of 50, counted in tests/scoring/test_shadow.py.
    "scoring-ruleset-comparison",
    "scoring-ruleset-preview",
}


def _page(key: str) -> Callable[[Any], int]:
    """The rows a page shows: its paginated ``page`` or the list in ``key``."""

    def rows(response) -> int:
        shown = response.context[key]
        return len(shown.object_list if key == "page" else shown)

    return rows


def _rule_rows(response) -> int:
    return sum(len(rules) for _, rules in response.context["dimensions"])


def _breakdown_rows(response) -> int:
    score = response.context["score"]
    return len(score.fit.rules) + len(score.engagement.rules)


def _queue_rows(response) -> int:
    return sum(len(response.context[key]) for key in ("mine", "shared", "deals"))


PAGE_LISTS = [
    Listing("scoring:companies", _companies, rows=_page("page")),
    Listing("leads:contact_list", _contacts, rows=_page("page")),
    Listing("leads:contact_list", _contacts, reader="rep", rows=_page("page")),
    Listing("leads:my_queue", _my_queue, reader="rep", rows=_queue_rows),
    Listing("leads:team_queue", _team_queue, rows=_page("rows")),
    Listing("leads:contact_detail", _history, on="contact", rows=_page("timeline")),
    Listing("leads:duplicate_list", _pairs, rows=_page("pairs")),
    Listing("capture:form_list", _many(lambda c: _form(c)), rows=_page("forms")),
    Listing("sales:contact_timeline", _timeline, on="contact", rows=_page("entries")),
    Listing("sales:my_tasks", _tasks, reader="rep", rows=_page("tasks")),
    Listing("scoring:contact_score", _score_rows, on="contact", rows=_breakdown_rows),
    Listing(
        "leads:campaign_list", lambda c, n: CampaignFactory.create_batch(n), rows=_page("page")
    ),
    Listing("sla:breach_list", _many(_breach), rows=_page("page")),
    Listing("sla:breach_list", _many(_breach), reader="rep", rows=_page("page")),
    Listing("sla:policy_list", _policies, rows=_page("policies")),
    Listing("sla:notification_list", _notifications, rows=_page("page")),
    Listing("integrations:import_list", _many(_import_job), rows=_page("jobs")),
    Listing("reporting:target_list", _targets, rows=_page("page")),
    Listing("scoring:rule_list", _many(_rule), rows=_rule_rows),
]


def _counted(cast: Cast, listing: Listing, get: Callable[[str], Any]) -> list[tuple[int, list]]:
    """(rows shown, queries run) with SHORT rows, then with LONG; a first request before
    either, so one-off reads (content types, the reader's roles) count in neither."""
    kwargs = {listing.key: getattr(cast, listing.on).pk} if listing.on else None
    url = reverse(listing.route, kwargs=kwargs)
    listing.add(cast, SHORT)
    listing.rows(get(url))
    measured = []
    for more in (0, LONG - SHORT):
        listing.add(cast, more)
        with CaptureQueriesContext(connection) as queries:
            response = get(url)
            assert response.status_code == 200, response
            rows = listing.rows(response)  # a streamed answer runs its queries here
        measured.append((rows, [q["sql"] for q in queries.captured_queries]))
    return measured


def _assert_flat(measured: list[tuple[int, list]]) -> None:
    (short_rows, short_sql), (long_rows, long_sql) = measured
    assert long_rows - short_rows >= LONG - SHORT, "the rows added are not all shown"
    assert len(long_sql) <= len(short_sql), (
        f"{len(short_sql)} queries for {short_rows} rows, {len(long_sql)} for {long_rows}:\n"
        + "\n".join(long_sql)
    )


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


@pytest.mark.parametrize("listing", API_LISTS, ids=lambda x: f"{x}-{x.reader}")
def test_api_list_reads_twenty_rows_with_the_queries_of_two(cast, listing):
    client = APIClient()
    client.force_authenticate(getattr(cast, listing.reader))
    _assert_flat(_counted(cast, listing, client.get))


@pytest.mark.parametrize("listing", PAGE_LISTS, ids=lambda x: f"{x}-{x.reader}")
def test_list_page_renders_twenty_rows_with_the_queries_of_two(cast, listing):
    client = Client()
    client.force_login(getattr(cast, listing.reader))
    _assert_flat(_counted(cast, listing, client.get))


def test_every_api_list_is_counted():
    """A GET route of the API is a detail route, a counted list, or named in NOT_LISTS."""
    counted = {listing.route for listing in API_LISTS}
    unclassified = {
        route.name
        for route in routes()
        if route.path.startswith("api/v1/") and "GET" in route.methods
        if not route.name.endswith("-detail") and route.name not in counted | NOT_LISTS
    }
    assert not unclassified, f"add to API_LISTS (or NOT_LISTS): {sorted(unclassified)}"


def test_every_list_page_is_counted():
    counted = {listing.route for listing in PAGE_LISTS}
    pages = {
        route.name
        for route in routes()
        if route.name.endswith("_list") and not route.name.startswith("admin:")
    }
    assert pages <= counted, f"add to PAGE_LISTS: {sorted(pages - counted)}"
