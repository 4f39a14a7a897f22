"""Activity events through the HTTP API, against PostgreSQL's COPY of the same rows.

A real server (gunicorn, 2 sync workers, production settings with DEBUG off) on a free local
port; a client with a few threads posts batches of 1,000 events (a tenth of them naming the
contact by e-mail) over 100,000 contacts, scored by 20 active rules. Then the same rows are
COPYed into the same table in this process. Printed: events/s through the API (stored and
scored), rows/s by COPY, and how many times slower the API is. Then a draft is put in shadow
(built first, timed) and as many events again are posted: the ratio of the two ingest times
is what the shadow costs (bar: 1.5x).
"""

import http.client
import json
import os
import queue
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .results import Result

BATCH = 1000
BATCHES = 60
CLIENT_THREADS = 3
CONTACTS = 100_000
TYPES = {
    "email_opened": 30,
    "page_viewed": 35,
    "email_clicked": 10,
    "content_downloaded": 8,
    "form_submitted": 5,
    "webinar_registered": 5,
    "trial_started": 3,
    "demo_requested": 2,
    "podcast_listened": 2,  # no rule: stored, scored by none
}
URLS = ("/", "/pricing", "/pricing#enterprise", "/blog/lead-scoring", "/careers", "/trial/start")


def _events(rng: random.Random, people: list[tuple[int, str]], tag: str, now: datetime):
    """``BATCHES`` batches of events as a sender posts them, with their contact ids."""
    names, weights = list(TYPES), list(TYPES.values())
    batches = []
    for b in range(BATCHES):
        batch = []
        for n in range(BATCH):
            contact_id, email = rng.choice(people)
            kind = rng.choices(names, weights)[0]
            event = {
                "id": f"{tag}-{b}-{n}",
                "type": kind,
                "occurred_at": (now - timedelta(seconds=rng.uniform(0, 30 * 86400))).isoformat(),
                "properties": {"url": rng.choice(URLS)} if kind == "page_viewed" else {},
            }
            event |= {"email": email} if rng.random() < 0.1 else {"contact": contact_id}
            batch.append((contact_id, event))
        batches.append(batch)
    return batches


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int) -> subprocess.Popen:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "leadfunnel.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "leadfunnel.wsgi:application",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _post_all(port: int, token: str, bodies: list[bytes]) -> tuple[float, list[float], int]:
    """Post every body from ``CLIENT_THREADS`` keep-alive connections; returns the wall
    time, each request's latency, and the events accepted."""
    todo: queue.Queue[bytes] = queue.Queue()
    for body in bodies:
        todo.put(body)
    latencies: list[float] = []
    accepted: list[int] = []
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            try:
                body = todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            connection.request("POST", "/api/v1/events/", body, headers)
            response = connection.getresponse()
            reply = response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {reply[:500]!r}")
            accepted.append(json.loads(reply)["accepted"])

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, sum(accepted)


def _copy(batches, now: datetime) -> float:
    """COPY the same rows (under other keys) into the same table; returns the seconds.

    The copies are deleted afterwards: they were never scored, and a recompute would
    count them.
    """
    from django.db.models import Max

    from scoring.models import Activity

    from .copy import copy_rows
    from .generate import ACTIVITY_COLUMNS

    rows = [
        (
            f"{event['id']}-copy",
            contact_id,
            event["type"],
            datetime.fromisoformat(event["occurred_at"]),
            None,
            json.dumps(event["properties"]),
            now,
        )
        for batch in batches
        for contact_id, event in batch
    ]
    before = Activity.objects.aggregate(last=Max("pk"))["last"] or 0
    started = time.perf_counter()
    copy_rows("scoring_activity", ACTIVITY_COLUMNS, rows)
    seconds = time.perf_counter() - started
    Activity.objects.filter(pk__gt=before, key__endswith="-copy").delete()
    return seconds


def _token() -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from leads.api_keys import api_key_create

    user, created = get_user_model().objects.get_or_create(username="bench-marketer")
    if created:
        user.groups.add(Group.objects.get(name="marketing"))
    return api_key_create(user=user, name="bench")[1]


def _shadow_started() -> tuple[object, float]:
    """A draft of the bench's rules with other thresholds, in shadow, built: the seconds
    the build took (every contact scored by it, as the worker does)."""
    from scoring import releases, shadow

    draft = releases.ruleset_draft(by=None, name="Bench shadow")
    draft = releases.ruleset_update(ruleset=draft, mql_threshold=40, hot_threshold=150)
    job = releases.shadow_start(ruleset=draft, by=None)
    started = time.perf_counter()
    shadow.build_run(job_id=job.pk)
    return draft, time.perf_counter() - started


def _shadow_ended(draft) -> None:
    from scoring import releases

    releases.shadow_stop(ruleset=draft)
    releases.ruleset_delete(ruleset=draft)


def run(contacts: int) -> list[Result]:
    from leads.models import Contact, Transition
    from scoring.models import Rule

    from .generate import ensure_bench_rules

    rules = ensure_bench_rules()
    people = list(Contact.objects.active().order_by("pk").values_list("pk", "email")[:CONTACTS])
    now = datetime.now(UTC)
    tag = f"bench-{now:%Y%m%d%H%M%S}"
    rng = random.Random(11)
    batches = _events(rng, people, tag, now)
    shadowed = _events(rng, people, f"{tag}-shadow", now)
    warmup = _events(rng, people, f"{tag}-warmup", now)[:2]

    def bodies(of):
        return [json.dumps([e for _, e in batch]).encode() for batch in of]

    port = _free_port()
    server = _start_server(port)
    try:
        token = _token()
        _post_all(port, token, bodies(warmup))
        started = datetime.now(UTC)
        seconds, latencies, accepted = _post_all(port, token, bodies(batches))
        moves = Transition.objects.filter(recorded_at__gte=started, actor__isnull=True).count()
        draft, build_seconds = _shadow_started()
        try:
            shadow_seconds, shadow_latencies, shadow_accepted = _post_all(
                port, token, bodies(shadowed)
            )
        finally:
            _shadow_ended(draft)
    finally:
        server.terminate()
        server.wait(timeout=30)
    copy_seconds = _copy(batches, now)
    events = BATCH * BATCHES
    api_rate, copy_rate = accepted / seconds, events / copy_seconds
    shadow_rate = shadow_accepted / shadow_seconds
    p50 = statistics.median(latencies) * 1000
    return [
        Result(
            "events API: batches of 1,000, stored and scored",
            api_rate,
            "events/s",
            "",
            f"{accepted:,} events, {len(people):,} contacts, {rules} active rules, "
            f"{moves:,} stage moves, p50 {p50:,.0f} ms/batch, {CLIENT_THREADS} client threads",
        ),
        Result("COPY of the same rows into scoring_activity", copy_rate, "rows/s"),
        Result(
            "events API vs COPY",
            copy_rate / api_rate,
            "x slower",
            "< 15x",
            f"{Rule.objects.filter(active=True).count()} active rules",
        ),
        Result(
            "events API with a version in shadow",
            shadow_rate,
            "events/s",
            "",
            f"{shadow_accepted:,} events, p50 "
            f"{statistics.median(shadow_latencies) * 1000:,.0f} ms/batch; the shadow's "
            f"build took {build_seconds:,.1f} s",
        ),
        Result(
            "ingest time with a shadow vs without",
            api_rate / shadow_rate,
            "x",
            "<= 1.5x",
            "the same workload, the published set scored alone, then with a shadow",
        ),
    ]
