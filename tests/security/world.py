"""The cast and the objects of the permission tables: one account per persona, and each
kind of object an endpoint or a page acts on, built on demand.

Personas, in the tables' column order:
    anon  no account           none  logged in, no role (a staff account: the admin too)
    mkt   marketing (staff)    own   sales, owner of the contact
    other sales, not the owner mgr   managers (staff)
    su    superuser
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from capture.models import Form
from evidence.models import Analysis, Kind
from integrations.models import Delivery, Event, Webhook
from integrations.services import imports
from leads import duplicates, merging
from leads import services as leads_services
from leads.models import Company, Contact, Definition, DuplicatePair, DuplicateScan
from leads.stages import Role, Stage
from reporting.models import Target
from sales import services as sales_services
from scoring.models import RecomputeJob, Rule
from scoring.releases import ruleset_draft, shadow_start
from sla import services as sla_services
from sla.models import AssignmentRule, Breach, ClockKind, Notification
from sla.sweep import sla_sweep
from tests.evidence.factories import suggestion_done
from tests.factories import CampaignFactory, ContactFactory, UserFactory

PERSONAS = ("anon", "none", "mkt", "own", "other", "mgr", "su")


class World:
    """Builds each object the first time a row asks for it (``world.pk("rule")``)."""

    def __init__(self) -> None:
        self.users = {
            "anon": None,
            "none": UserFactory(username="sec-none", is_staff=True),
            "mkt": UserFactory(username="sec-mkt", role=Role.MARKETING, is_staff=True),
            "own": UserFactory(username="sec-own", role=Role.SALES),
            "other": UserFactory(username="sec-other", role=Role.SALES),
            "mgr": UserFactory(username="sec-mgr", role=Role.MANAGERS, is_staff=True),
            "su": UserFactory(username="sec-su", is_staff=True, is_superuser=True),
        }
        self._built: dict[str, int | str] = {}

    def pk(self, kind: str) -> int | str:
        if kind not in self._built:
            self._built[kind] = BUILDERS[kind.partition(":")[0]](self, kind.partition(":")[2])
        return self._built[kind]

    @cached_property
    def breach(self) -> Breach:
        """A missed MQL deadline on the owner's watch (made by the sweep, as in real life)."""
        start = timezone.now() - timedelta(days=5)
        sla_services.policy_create(
            by=None, name="MQL in 2 days", clock=ClockKind.MQL_RESPONSE, hours=Decimal(48)
        )
        contact = ContactFactory(stage=Stage.LEAD)
        leads_services.contact_mark_mql(contact=contact, by=None, at=start)
        leads_services.contact_assign(contact=contact, by=None, owner=self.users["own"], at=start)
        sla_sweep(now=timezone.now())
        return Breach.objects.get(contact=contact)

    def as_of(self, persona: str, act: Callable[[], int]) -> int:
        """``act()``'s answer, with everything it changed rolled back for the next persona."""
        with transaction.atomic():
            status = act()
            transaction.set_rollback(True)
        return status


def _contact(world: World, spec: str) -> int:
    """``contact:<stage>`` is the owner's; ``contact:<stage>/shared`` has no owner."""
    stage, _, shared = spec.partition("/")
    owner = None if shared else world.users["own"]
    return ContactFactory(stage=Stage(stage or Stage.MQL), owner=owner).pk


def _activity(world: World, spec: str) -> int:
    """A call the owner logged on their SQL contact."""
    contact = Contact.objects.get(pk=world.pk("contact:sql"))
    entry = {"contact": contact, "kind": "call", "direction": "outbound", "outcome": "connected"}
    activities, _ = sales_services.activities_log(by=world.users["own"], entries=[entry])
    return activities[0].pk


def _task(world: World, spec: str) -> int:
    """The owner's open task on their SQL contact."""
    contact = Contact.objects.get(pk=world.pk("contact:sql"))
    return sales_services.task_create(
        by=world.users["own"], contact=contact, title="Call back", due_at=timezone.now()
    ).pk


def _pair(world: World, spec: str) -> int:
    """Two live contacts with one phone number, suggested as one person."""
    first, second = (ContactFactory(phone="+33 6 12 34 56 78") for _ in range(2))
    duplicates.pairs_refresh([second.pk])
    return DuplicatePair.objects.get(first=first, second=second).pk


def _merge(world: World, spec: str) -> int:
    """Marketing merged two records of one person, an hour ago."""
    survivor, other = ContactFactory(), ContactFactory()
    return merging.contacts_merge(survivor=survivor, other=other, by=world.users["mkt"]).pk


def _import(world: World, spec: str) -> int:
    upload = SimpleUploadedFile("people.csv", b"email,first_name\r\nann@example.com,Ann\r\n")
    return imports.import_create(by=world.users["mkt"], file=upload, start=False).pk


def _delivery(world: World, spec: str) -> int:
    hook = Webhook.objects.get(pk=world.pk("webhook"))
    return Delivery.objects.create(
        webhook=hook,
        event=Event.CONTACT_CREATED,
        occurred_at=timezone.now(),
        contact_id=world.pk("contact:sql"),
        status=Delivery.Status.DELIVERED,
    ).pk


def _analysis(world: World, spec: str) -> int:
    """``analysis`` is a queued backtest; ``analysis:suggestion`` a finished suggestion."""
    if spec == "suggestion":
        return suggestion_done(by=world.users["mkt"]).pk
    params = {"start": "2026-01-01", "end": "2026-03-31", "candidates": []}
    return Analysis.objects.create(kind=Kind.BACKTEST, params=params).pk


def _form() -> Form:
    return Form.objects.create(name="Contact us", consent_text="You may call me.")


BUILDERS: dict[str, Callable[[World, str], int | str]] = {
    "contact": _contact,
    "campaign": lambda w, s: CampaignFactory().pk,
    "rule": lambda w, s: (
        Rule.objects.create(
            name="Pricing", dimension="engagement", points=5, event_type="page_viewed"
        ).pk
    ),
    "ruleset": lambda w, s: ruleset_draft(by=w.users["mkt"]).pk,
    "shadow": lambda w, s: (
        shadow_start(ruleset=ruleset_draft(by=w.users["mkt"]), by=w.users["mkt"]).ruleset_id
    ),
    "recompute": lambda w, s: RecomputeJob.objects.create(requested_by=w.users["mkt"]).pk,
    "policy": lambda w, s: w.breach.policy_id,
    "breach": lambda w, s: w.breach.pk,
    "notification": lambda w, s: (
        Notification.objects.filter(breach=w.breach, user=w.users["own"]).get().pk
    ),
    "assignment_rule": lambda w, s: AssignmentRule.objects.create(name="All reps").pk,
    "rep": lambda w, s: w.users["own"].pk,
    "target": lambda w, s: Target.objects.create(stage="mql", month=date(2026, 3, 1), goal=9).pk,
    "import": _import,
    "activity": _activity,
    "task": _task,
    "webhook": lambda w, s: Webhook.objects.create(url="https://crm.example.com/h", events=[]).pk,
    "company": lambda w, s: (
        Company.objects.create(key="acme.com", name="Acme", contact_count=1).pk
    ),
    "delivery": _delivery,
    "audit": lambda w, s: (w.pk("rule"), AuditEntry.objects.latest("id").pk)[1],
    "term": lambda w, s: Definition.Term.MQL.value,
    "analysis": _analysis,
    "pair": _pair,
    "merge": _merge,
    "scan": lambda w, s: DuplicateScan.objects.create(requested_by=w.users["mkt"]).pk,
    "form": lambda w, s: _form().pk,
    "form_key": lambda w, s: _form().key,
    "token": lambda w, s: "forged",
}
