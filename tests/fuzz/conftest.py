"""The world the fuzzer meets: a live server, personas with API tokens, and real objects
behind the ``{id}``s.

One server and one database for the whole module, emptied once at its end: pytest-django's
``live_server`` empties the database after every test, about a second on PostgreSQL each
time, most of the module's time budget with one test per operation. So that an operation
that deletes or moves its objects leaves the next one something to work on, every
operation gets objects of its own, made before the first request.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import count

import pytest
import requests
from django.core.management import call_command
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from leads.api_keys import api_key_create
from leads.models import Contact
from leads.stages import MOVES, Move, Stage
from reporting.models import Target
from scoring.models import Rule
from scoring.releases import ruleset_draft
from sla.models import AssignmentRule
from tests.factories import CampaignFactory, ContactFactory
from tests.security.world import World

SCHEMA_URL = "/api/v1/schema/?format=json"
METHODS = {"get", "post", "put", "patch", "delete"}

# Who sends the requests: a superuser may do everything; each role walks its permission
# paths (a rep also meets contacts outside their queue: 403).
PERSONAS = ("su", "mgr", "mkt", "own")

# The stages of the contacts of an operation that is no move (a move gets its start stages).
CONTACT_STAGES = (
    Stage.CONTACT,
    Stage.LEAD,
    Stage.MQL,
    Stage.SQL,
    Stage.QSO,
    Stage.CLIENT,
    Stage.RECYCLED,
    Stage.LOST,
)

# Objects that no operation deletes, one of each for the whole module (``World`` kinds).
SHARED = {
    "/api/v1/audit/": "audit",
    "/api/v1/evidence/analyses/": "analysis",
    "/api/v1/imports/": "import",
    "/api/v1/scoring/recompute/": "recompute",
    "/api/v1/sla/availability/": "rep",
    "/api/v1/sla/breaches/": "breach",
    "/api/v1/sla/notifications/": "notification",
    "/api/v1/sla/policies/": "policy",
    "/api/v1/webhooks/deliveries/": "delivery",
}


class Own:
    """The objects an operation may delete or change: new ones for each operation."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.serial = count(1)

    def contacts(self, path: str) -> list[int]:
        """For a move, contacts in each stage it starts from, three of each so that a few
        successful moves leave some; on the rep's watch, and on nobody's (the shared queue,
        for an MQL)."""
        move = path.removeprefix("/api/v1/contacts/{id}/").strip("/").replace("-", "_")
        stages = MOVES[Move(move)].sources if move in Move.values else CONTACT_STAGES
        owner = self.world.users["own"]
        built = [
            ContactFactory.build(stage=stage, owner=who)
            for stage in sorted(stages)
            for who in (owner, None)
            for _ in range(3)
        ]
        return [contact.pk for contact in Contact.objects.bulk_create(built)]

    def campaigns(self, path: str) -> list[int]:
        return [CampaignFactory().pk]

    def rules(self, path: str) -> list[int]:
        event = Rule(name="Pricing", dimension="engagement", points=5, event_type="page_viewed")
        profile = Rule(
            name="Size",
            dimension="fit",
            points=10,
            attribute="company_size",
            operator="gte",
            value=50,
        )
        return [rule.pk for rule in Rule.objects.bulk_create([event, profile])]

    def rulesets(self, path: str) -> list[int]:
        return [ruleset_draft(by=None).pk for _ in range(3)]

    def assignment_rules(self, path: str) -> list[int]:
        return [AssignmentRule.objects.create(name=f"All reps {next(self.serial)}").pk]

    def targets(self, path: str) -> list[int]:
        # One target per stage and month: a month of its own for each operation.
        n = next(self.serial)
        month = date(2000 + n // 12, n % 12 + 1, 1)
        return [Target.objects.create(stage="mql", month=month, goal=9).pk]

    def webhooks(self, path: str) -> list[int]:
        return [self.world.pk(f"webhook:{next(self.serial)}")]


OWN = {
    "/api/v1/campaigns/": Own.campaigns,
    "/api/v1/contacts/": Own.contacts,
    "/api/v1/scoring/rules/": Own.rules,
    "/api/v1/scoring/rulesets/": Own.rulesets,
    "/api/v1/sla/assignment-rules/": Own.assignment_rules,
    "/api/v1/targets/": Own.targets,
    "/api/v1/webhooks/": Own.webhooks,
}


@dataclass
class ApiWorld:
    url: str
    tokens: dict[str, str]
    ids: dict[str, list[int]]  # per operation ("POST /api/v1/contacts/{id}/accept/")
    # Per field of a body or a query that names another object: real ones to name.
    references: dict[str, list[int | str]]


def _references(world: World) -> dict[str, list[int | str]]:
    reps = [world.users["own"].pk, world.users["other"].pk]
    return {
        "campaign": [world.pk("campaign")],
        "contact": [world.pk("contact")],
        "owner": reps,
        "reps": reps,
        "escalate_to": [world.users["mgr"].pk],
        "actor": [world.users["su"].pk],
        "policy": [world.pk("policy")],
        "webhook": [world.pk("webhook")],
        # A draft to add rules to, and a version to copy.
        "ruleset": [world.pk("ruleset")],
        "from": [world.pk("ruleset")],
        # Contacts of their own to merge away: the ones above stay live for the rest.
        "other": [ContactFactory().pk for _ in range(20)],
    }


def _ids(world: World, own: Own, path: str) -> list[int]:
    """Real ids for the ``{id}`` of an operation on ``path`` (none without one)."""
    if "{id}" not in path:
        return []
    for prefix, kind in SHARED.items():
        if path.startswith(prefix):
            return [world.pk(kind)]
    for prefix, build in OWN.items():
        if path.startswith(prefix):
            return build(own, path)
    return []


@pytest.fixture(scope="module")
def api_world(django_db_setup, django_db_blocker) -> Iterator[ApiWorld]:
    """The live server (pytest-django's, as ``live_server`` starts it) on the test database,
    which the seeds and the requests commit to, emptied when the module is done and given
    back what the migrations put in it (the role groups, the scoring settings' row), as
    ``serialized_rollback`` does: the tests after these expect a freshly migrated database."""
    with django_db_blocker.unblock():
        migrated = connection.creation.serialize_db_to_string()
        server = LiveServer("localhost")
        try:
            world, paths = World(), requests.get(server.url + SCHEMA_URL, timeout=10).json()
            own = Own(world)
            ids = {
                f"{method.upper()} {path}": _ids(world, own, path)
                for path, operations in paths["paths"].items()
                for method in operations.keys() & METHODS
            }
            tokens = {name: api_key_create(user=world.users[name])[1] for name in PERSONAS}
            yield ApiWorld(url=server.url, tokens=tokens, ids=ids, references=_references(world))
        finally:
            server.stop()
            # As TransactionTestCase does: the sequences go on past the ids the fuzzing
            # used, so the migrations' rows put back keep theirs without a clash.
            call_command(
                "flush",
                interactive=False,
                verbosity=0,
                reset_sequences=False,
                inhibit_post_migrate=True,
            )
            connection.creation.deserialize_db_from_string(migrated)
