"""Everything at once, on PostgreSQL: clients posting overlapping event batches (the same
event ids in several batches, the same contacts, new contacts by e-mail), people of every
role making stage moves on those contacts, and a recompute running through them meanwhile.

Afterwards every event is stored once, every score is what a fresh full recompute gives, and
every contact's history is a walk of the move table from its first stage to its current one.
The narrower races (one batch twice, two accepts) have their own tests beside their apps."""

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads.models import Contact, Transition
from leads.stages import MOVES, Move, Role, Stage
from scoring import services
from scoring.models import Activity, ContactRuleScore, Rule, ScoringSettings
from tests.factories import ContactFactory, UserFactory
from tests.scoring.helpers import T0

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

POSTERS, BATCHES, BATCH_SIZE = 6, 4, 50
ACTIONS_EACH = 40
TYPES = ("email_opened", "page_viewed", "demo_requested", "form_submitted")
# What a page offers on a contact in each stage, and what each role's people may click: they
# act on what they saw a moment ago, so a move that no longer fits is refused (409, or 403
# for a contact someone else took) and must change nothing.
OFFERED = {
    Stage.CONTACT: ("fast-track", "mark-mql", "disqualify"),
    Stage.LEAD: ("fast-track", "mark-mql", "disqualify"),
    Stage.RECYCLED: ("fast-track", "mark-mql", "disqualify"),
    Stage.MQL: ("accept", "reject", "claim", "assign"),
    Stage.SQL: ("qualify", "lose", "assign"),
    Stage.QSO: ("win", "lose", "assign"),
}
SALES_MOVES = ("accept", "reject", "qualify", "win", "lose", "claim", "fast-track")
MAY = {
    Role.SALES: SALES_MOVES,
    Role.MANAGERS: (*SALES_MOVES, "assign"),
    Role.MARKETING: ("mark-mql", "disqualify"),
}


def body(action: str, rng: random.Random, reps) -> dict:
    return {
        "reject": {"reason": "Not now", "recycle": rng.random() < 0.7},
        "qualify": {"budget": "1000.00", "currency": "EUR", "close_by": "2027-01-31"},
        "win": {"amount": "500.00"},
        "lose": {"reason": "No budget"},
        "fast-track": {"reason": "Asked for a call"},
        "disqualify": {"reason": "A competitor"},
        "assign": {"owner": rng.choice(reps).pk},
    }.get(action, {})


@pytest.fixture
def funnel(settings):
    """Contacts in the first stages (some MQLs already owned), four people, point rules, and
    a recompute that works in small ranges so that it interleaves with everything else."""
    settings.SCORING_CHUNK_SIZE = 6
    Rule.objects.all().delete()
    ScoringSettings.objects.update_or_create(
        pk=1,
        defaults={
            "mql_threshold": 40,
            "min_fit": None,
            "min_engagement": None,
            "hot_threshold": 80,
            "half_life_days": None,
        },
    )
    engagement = {"dimension": "engagement"}
    services.rule_create(name="Opened", points=4, event_type="email_opened", **engagement)
    services.rule_create(name="Page", points=2, event_type="page_viewed", **engagement)
    services.rule_create(
        name="Demo", points=30, dimension="engagement", event_type="demo_requested", max_times=1
    )
    services.rule_create(
        name="Form", points=5, dimension="fit", event_type="form_submitted", max_times=2
    )
    services.rule_create(
        name="Big", points=10, dimension="fit", attribute="company_size", operator="gte", value=100
    )
    reps = [UserFactory(username=f"rep{n}", role=Role.SALES) for n in (1, 2)]
    people = [
        *reps,
        UserFactory(username="manager", role=Role.MANAGERS),
        UserFactory(username="marketer", role=Role.MARKETING),
    ]
    owners = [reps[0], reps[1], None]  # of the MQLs, in turn: a rep's, or the shared queue's
    contacts = [
        ContactFactory(
            stage=stage,
            owner=owners[n % 3] if stage == Stage.MQL else None,
            company_size=500 if n % 2 else 20,
        )
        for n, stage in enumerate([Stage.CONTACT, Stage.LEAD, Stage.MQL] * 8)
    ]
    return {"reps": reps, "people": people, "contacts": contacts}


def event_pool(contacts: list[Contact]) -> list[dict]:
    """Eight events per contact (a quarter sent by e-mail), and three for each of four
    people unknown yet: their e-mail creates them."""
    pool = []
    for contact in contacts:
        for n in range(8):
            event = {
                "id": f"c{contact.pk}-{n}",
                "type": TYPES[(contact.pk + n) % len(TYPES)],
                "occurred_at": (T0 + timedelta(minutes=n)).isoformat(),
            }
            event.update({"email": contact.email} if n % 4 == 3 else {"contact": contact.pk})
            pool.append(event)
    for person in range(4):
        for n in range(3):
            pool.append(
                {
                    "id": f"new{person}-{n}",
                    "type": TYPES[n],
                    "occurred_at": (T0 + timedelta(minutes=n)).isoformat(),
                    "email": f"new{person}@example.com",
                }
            )
    return pool


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def together(jobs) -> list:
    """Run the callables in threads, each with its own connection, released at once; their
    results (or the exception each raised) in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # reported by the test, not lost in a thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def poster(user, batches):
    def post():
        client = client_for(user)
        replies = []
        for batch in batches:
            response = client.post("/api/v1/events/", batch, format="json")
            replies.append((response.status_code, response.json(), len(batch)))
        return replies

    return post


def actor(user, role, reps, seed):
    """A person working their queue: a contact they can see, a move its page offers."""

    def act():
        rng, client, codes = random.Random(seed), client_for(user), Counter()
        for _ in range(ACTIONS_EACH):
            pk, stage = rng.choice(
                list(Contact.objects.visible_to(user).values_list("pk", "stage"))
            )
            moves = [m for m in OFFERED.get(stage, ()) if m in MAY[role]] or MAY[role]
            action = rng.choice(moves)
            path = f"/api/v1/contacts/{pk}/{action}/"
            response = client.post(path, body(action, rng, reps), format="json")
            codes[response.status_code] += 1
        return codes

    return act


def recomputer():
    job = services.recompute_start(by=None, full=True, enqueue=False)
    return services.recompute_run(job_id=job.pk).status


def scores_and_counters():
    contacts = Contact.objects.values_list("pk", "score", "fit_score", "engagement_score")
    counters = ContactRuleScore.objects.values_list("contact", "rule", "times", "value")
    return sorted(contacts), sorted((c, r, t, round(v, 9)) for c, r, t, v in counters)


def walk_errors(contact: Contact, stage: Stage, owner: int | None) -> list[str]:
    """Where the contact's history is not a walk of the move table from its first ``stage``
    and ``owner`` to the ones it has now. The moves lock the contact, so their ids follow
    the order they were made in."""
    errors = []
    for t in Transition.objects.filter(contact=contact).order_by("pk"):
        rule = MOVES[Move(t.move)]
        targets = {Stage.RECYCLED, Stage.DISQUALIFIED} if t.move == Move.REJECT else {rule.target}
        allowed = {t.from_stage} if rule.target is None else targets
        if t.from_stage != stage:
            errors.append(f"#{t.pk} {t.move} from {t.from_stage}, but the contact was {stage}")
        if t.from_stage not in rule.sources or t.to_stage not in allowed:
            errors.append(f"#{t.pk} {t.move} {t.from_stage} -> {t.to_stage} is not a move")
        stage = t.to_stage
        if t.move in (Move.ASSIGN, Move.CLAIM):
            if t.data["previous_owner"] != owner:
                errors.append(f"#{t.pk} {t.move} from owner {t.data['previous_owner']}: {owner}")
            owner = t.data["owner"]
    if (contact.stage, contact.owner_id) != (stage, owner):
        errors.append(f"is {contact.stage} of {contact.owner_id}; history: {stage} of {owner}")
    return errors


def test_overlapping_batches_moves_and_a_recompute_at_once_leave_scores_and_histories_valid(
    funnel,
):
    contacts, reps, people = funnel["contacts"], funnel["reps"], funnel["people"]
    first = {c.pk: (Stage(c.stage), c.owner_id) for c in contacts}
    pool, rng = event_pool(contacts), random.Random(7)
    batches = [[rng.sample(pool, BATCH_SIZE) for _ in range(BATCHES)] for _ in range(POSTERS)]
    marketer = people[-1]
    roles = [Role.SALES, Role.SALES, Role.MANAGERS, Role.MARKETING]

    results = together(
        [
            *(poster(marketer, mine) for mine in batches),
            *(
                actor(person, role, reps, seed)
                for seed, (person, role) in enumerate(zip(people, roles, strict=True))
            ),
            recomputer,
        ]
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    replies = [reply for posted in results[:POSTERS] for reply in posted]
    assert {code for code, _, _ in replies} == {200}
    assert all(r["accepted"] + r["duplicates"] == size for _, r, size in replies)
    sent = {event["id"] for mine in batches for batch in mine for event in batch}
    assert sum(r["accepted"] for _, r, _ in replies) == len(sent) == Activity.objects.count()
    assert set(Activity.objects.values_list("key", flat=True)) == sent
    codes = sum(results[POSTERS:-1], Counter())
    assert set(codes) <= {200, 403, 409}, codes
    assert codes[200] > 0 and codes[409] > 0, codes
    assert results[-1] == "done"
    new = Contact.objects.filter(email__startswith="new")
    assert new.count() == len({e["email"] for e in pool if e["id"].startswith("new")})

    storm = scores_and_counters()
    fresh = services.recompute_run(
        job_id=services.recompute_start(by=None, full=True, enqueue=False).pk
    )
    assert fresh.promoted == 0  # incremental scoring missed no crossing
    assert scores_and_counters() == storm

    first |= dict.fromkeys(new.values_list("pk", flat=True), (Stage.CONTACT, None))
    walks = {
        c.pk: problems for c in Contact.objects.all() if (problems := walk_errors(c, *first[c.pk]))
    }
    assert walks == {}
    assert Transition.objects.count() > len(contacts)  # the storm did move people
