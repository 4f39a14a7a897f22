"""Redis goes away while the app is in use. Two gunicorn servers reach Redis (broker and
cache) through TCP proxies: one proxy refuses connections (Redis stopped), the other accepts
them and never answers (Redis hung, celery #4296). Both servers take events, stage moves, an
import and a recompute meanwhile: every request answers as usual, and fast. Once the proxies
forward again, a worker running one beat tick does the deferred work, found again from
database state, exactly once."""

import threading
import time
from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from integrations.models import Delivery, Event, ImportJob, Webhook
from integrations.services.imports import imports_stalled
from leadfunnel.celery import app
from leads.api_keys import api_key_create
from leads.models import Contact, JobStatus, Transition
from leads.stages import Move, Role, Stage
from scoring.models import RecomputeJob, Rule, ScoringSettings
from scoring.services import recompute_stalled, rule_create
from sla import sweep
from sla.models import AssignmentMode, AssignmentRule, PendingAssignment
from tests.factories import ContactFactory, UserFactory

from .conftest import wait_for
from .proxy import Mode

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

OUTAGES = (Mode.REFUSE, Mode.BLACKHOLE)
# A refused connection fails a publish in about 0.5 s (the publish retry policy), a hung one
# in about 6 s (the socket timeouts), and the cache's read 2 s: once, for the breakers fail
# the next ones at once. Without them the hung server's five requests (a dozen publishes,
# a cache read and write each) would take over a minute.
SLOWEST = {Mode.REFUSE: 3.0, Mode.BLACKHOLE: 12.0}
ALL_TOGETHER = {Mode.REFUSE: 4.0, Mode.BLACKHOLE: 16.0}


@pytest.fixture
def world(receiver):
    """For each outage two leads and an MQL; a round-robin that deals MQLs to the rep; a
    webhook on every stage change; rules: a visit engages, a demo request makes an MQL."""
    Rule.objects.all().delete()  # the migration's default rules, if no test flushed them yet
    ScoringSettings.objects.update_or_create(
        pk=1, defaults={"mql_threshold": 60, "min_fit": None, "min_engagement": None}
    )
    rule_create(name="Visit", points=1, dimension="engagement", event_type="page_viewed")
    rule_create(name="Demo", points=70, dimension="engagement", event_type="demo_requested")
    marketer = UserFactory(username="marketer", role=Role.MARKETING)
    rep = UserFactory(username="rep", role=Role.SALES)
    rule = AssignmentRule.objects.create(name="Everyone", mode=AssignmentMode.ROUND_ROBIN)
    rule.reps.set([rep])
    Webhook.objects.create(url=receiver.url, events=[Event.CONTACT_STAGE_CHANGED])
    return {
        "rep": rep,
        "tokens": {
            "marketer": api_key_create(user=marketer)[1],
            "rep": api_key_create(user=rep)[1],
        },
        **{
            outage: {
                "lead": ContactFactory(stage=Stage.LEAD),
                "other_lead": ContactFactory(stage=Stage.LEAD),
                "mql": ContactFactory(stage=Stage.MQL, owner=rep),
            }
            for outage in OUTAGES
        },
    }


def timed(client: httpx.Client, method: str, path: str, token: str, **kwargs):
    started = time.monotonic()
    response = client.request(method, path, headers={"Authorization": f"Token {token}"}, **kwargs)
    return response, time.monotonic() - started


def warm_up(client: httpx.Client, token: str) -> None:
    """Load the views' code while Redis is up: the timings measure the outage, not a cold
    start."""
    for path in ("/api/v1/contacts/", "/api/v1/imports/", "/api/v1/scoring/recompute/"):
        assert timed(client, "GET", path, token)[0].status_code == 200
    assert timed(client, "POST", "/api/v1/events/", token, json=[{}])[0].status_code == 400


def post_everything(client: httpx.Client, tokens: dict, contacts: dict, tag: str) -> dict:
    """Each request of the outage, as ``name: (response, seconds)``."""
    marketer, rep = tokens["marketer"], tokens["rep"]
    at = timezone.now().isoformat()
    events = [
        {"id": f"demo-{tag}", "type": "demo_requested", "occurred_at": at},
        {"id": f"visit-{tag}", "type": "page_viewed", "occurred_at": at},
    ]
    events[0]["contact"] = contacts["lead"].pk
    events[1]["email"] = f"new-{tag}@example.com"
    rows = "".join(f"imported-{tag}-{n}@example.com,N{n}\r\n" for n in range(3))
    csv = ("c.csv", "email,first name\r\n" + rows)
    return {
        "events": timed(client, "POST", "/api/v1/events/", marketer, json=events),
        "accept": timed(client, "POST", f"/api/v1/contacts/{contacts['mql'].pk}/accept/", rep),
        "mark_mql": timed(
            client, "POST", f"/api/v1/contacts/{contacts['other_lead'].pk}/mark-mql/", marketer
        ),
        "import": timed(client, "POST", "/api/v1/imports/", marketer, files={"file": csv}),
        "recompute": timed(client, "POST", "/api/v1/scoring/recompute/", marketer, json={}),
    }


def during_outages(urls: dict[Mode, str], proxies: dict, world) -> dict[Mode, dict]:
    """Both servers' requests at the same time, each while its Redis is away."""
    answers: dict[Mode, dict] = {}

    def use(outage: Mode) -> None:
        with httpx.Client(base_url=urls[outage], timeout=60) as client:
            warm_up(client, world["tokens"]["marketer"])
            proxies[outage].switch(outage)
            answers[outage] = post_everything(client, world["tokens"], world[outage], outage.value)
            proxies[outage].switch(Mode.ON)

    threads = [threading.Thread(target=use, args=(outage,)) for outage in OUTAGES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def deferred_work_done() -> bool:
    return (
        not PendingAssignment.objects.exists()
        and not Delivery.objects.exclude(status=Delivery.Status.DELIVERED).exists()
        and ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 2
        and RecomputeJob.objects.filter(status=JobStatus.DONE).exists()
    )


def test_requests_answer_while_redis_refuses_or_hangs_and_the_sweeps_do_the_work_once_back(
    redis_url, proxy, processes, receiver, world
):
    proxies = {outage: proxy(redis_url) for outage in OUTAGES}
    db = httpx.URL(redis_url).path
    worker = processes.worker(IMPORT_STALLED_SECONDS="0", RECOMPUTE_STALLED_SECONDS="0")
    urls = dict(
        zip(
            OUTAGES,
            processes.servers(
                *({"REDIS_URL": f"redis://{proxies[o].address}{db}"} for o in OUTAGES)
            ),
            strict=True,
        )
    )

    answers = during_outages(urls, proxies, world)

    for outage in OUTAGES:
        codes = {name: response.status_code for name, (response, _) in answers[outage].items()}
        bodies = {name: response.text[:300] for name, (response, _) in answers[outage].items()}
        assert codes == {
            "events": 200,
            "accept": 200,
            "mark_mql": 200,
            "import": 201,
            "recompute": 202,
        }, bodies
        assert answers[outage]["events"][0].json() == {"accepted": 2, "duplicates": 0}
        assert answers[outage]["import"][0].json()["status"] == "queued"
        assert answers[outage]["recompute"][0].json()["status"] == "pending"
        seconds = {name: round(elapsed, 2) for name, (_, elapsed) in answers[outage].items()}
        assert max(seconds.values()) < SLOWEST[outage], (outage, seconds)
        assert sum(seconds.values()) < ALL_TOGETHER[outage], (outage, seconds)
    # The work the failed publishes would have started waits in the database.
    waiting = {world[o][name].pk for o in OUTAGES for name in ("lead", "other_lead")}
    assert set(PendingAssignment.objects.values_list("contact", flat=True)) == waiting
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 8

    for entry in settings.CELERY_BEAT_SCHEDULE.values():  # one beat tick, Redis back
        app.send_task(entry["task"])
    wait_for(deferred_work_done, timeout=60, what="the deferred work", log=worker.log)

    expected = set()
    for outage in OUTAGES:
        contacts = world[outage]
        for contact in (contacts["lead"], contacts["other_lead"]):
            contact.refresh_from_db()
            assert (contact.stage, contact.owner) == (Stage.MQL, world["rep"])
            assert Transition.objects.filter(contact=contact, move=Move.ASSIGN).count() == 1
        new = Contact.objects.get(email=f"new-{outage.value}@example.com")
        expected |= {
            (contacts["lead"].pk, Move.MARK_MQL),
            (contacts["other_lead"].pk, Move.MARK_MQL),
            (contacts["mql"].pk, Move.ACCEPT),
            (new.pk, Move.ENGAGE),
        }
    sent = receiver.bodies
    moves = {(body["data"]["contact"]["id"], body["data"]["transition"]["move"]) for body in sent}
    assert moves == expected
    assert len(sent) == len({body["id"] for body in sent}) == 8
    jobs = ImportJob.objects.values_list("processed_rows", "created_count", "skipped_count")
    assert list(jobs) == [(3, 3, 0), (3, 3, 0)]
    assert Contact.objects.filter(email__startswith="imported-").count() == 6
    recompute = RecomputeJob.objects.get()  # the second request found the first one pending
    assert {answers[o]["recompute"][0].json()["id"] for o in OUTAGES} == {recompute.pk}
    assert (recompute.status, recompute.done) == (JobStatus.DONE, recompute.total)

    # A second tick, run here: nothing is left to do, and nothing is done twice.
    assert str(sweep.sla_sweep()) == "0 breach(es) recorded, 0 MQL(s) assigned"
    later = timezone.now() + timedelta(hours=1)
    assert imports_stalled(now=later) == recompute_stalled(now=later) == []
    assert len(receiver.bodies) == 8
