"""
Load: the API as production serves it (gunicorn, production settings, DEBUG off) under
``LOAD_CLIENTS`` concurrent clients (50) for ``LOAD_SECONDS`` (60), after a short warm-up.

    python -m bench --only load
    LOAD_SECONDS=10 LOAD_CLIENTS=10 python -m bench --only load    # a quick try

Each client is a loop on one ``httpx.AsyncClient`` that sends its next request as soon as
the last one is answered, picked from ``MIX``: contact list pages with the filters and
orderings of docs/api.md (a manager's, and a rep's scope), single contact reads (detail,
history, score), event batches of 50 to 100 new events on existing contacts, and stage
actions (a manager marks leads as MQL and gives them to reps; each rep accepts or rejects
the MQLs they own). Every client picks its contact at random from a shared pool, so two
may race for one: the loser's 409 is an expected answer, counted apart. 5xx, other 4xx,
timeouts and connection errors are errors.

Server: ``LOAD_WORKERS`` (4) sync workers on the 2 cores. A request is Python on a core,
then a wait on PostgreSQL (whose backends share the same cores): with 2 workers a core
idles while its worker waits, with 4 each core has a worker ready while the other waits,
and more only queue for the cores (with the load client, PostgreSQL and its parallel
workers) and stretch p99. Measured here, 50 clients for 20 s on the shared machine: 2
workers 9 req/s, 3 (the Dockerfile's) 16, 4 19, 6 15. The throttle classes still run on
every request (their cache read and write are part of its cost) but the limit is raised
(``THROTTLE_USER``): 50 clients share 27 accounts, and the manager's token alone could pass
6,000/min. The busiest token's rate is printed against that production limit.

Writes, and how they are put back: the contacts the load test may change (the MQLs the
reps own, 2,000 sampled leads for the manager, 5,000 sampled SQL/QSO/client/lost
contacts for the events, whose stage events cannot move) and their rows in the tables a
move or an event writes (``RESTORED``) are copied before the run and restored after it,
whatever happened, then checked (a hash of every row) and vacuumed, so the benchmarks
after this one see the same data, visibility map included. API tokens created for the
run are deleted. The sequences keep the ids the run used.
"""

import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from .results import Result

# kind: (weight, method). GETs are reads, POSTs writes.
MIX = {
    "list": (30, "GET"),
    "contact": (15, "GET"),
    "history": (10, "GET"),
    "score": (10, "GET"),
    "events": (8, "POST"),
    "accept": (7, "POST"),
    "reject": (7, "POST"),
    "mark-mql": (7, "POST"),
    "assign": (6, "POST"),
}
READ_MIX = {kind: spec for kind, spec in MIX.items() if spec[1] == "GET"}  # the warm-up
MARKED_LEADS = 2000
EVENT_CONTACTS = 5000
READ_CONTACTS = 5000
EVENT_TYPES = {
    "email_opened": 30,
    "page_viewed": 35,
    "email_clicked": 10,
    "content_downloaded": 8,
    "form_submitted": 5,
    "webinar_registered": 5,
    "trial_started": 3,
    "demo_requested": 2,
    "podcast_listened": 2,
}
URLS = ("/", "/pricing", "/blog/lead-scoring", "/careers", "/trial/start")
# Stages no event can move a contact out of (engage and mark-MQL start elsewhere).
UNMOVED_BY_EVENTS = ("sql", "qso", "client", "lost")
TIMEOUT_SECONDS = 10.0
PRODUCTION_THROTTLE_PER_MIN = 6000


def _setting(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


# --- What the clients work on ----------------------------------------------------------


@dataclass
class Plan:
    """The tokens, and the contacts each kind of request picks from. The pools of the stage
    actions are shared by every client and follow the moves (``_moved``)."""

    manager: str
    marketer: str
    reps: dict[str, int]  # token -> user id
    campaigns: list[int]
    reads: list[int]  # any contact, for the manager
    rep_reads: dict[str, list[int]]  # token -> contacts the rep owns
    event_contacts: list[int]
    leads: list[int]  # for mark-mql
    marked: list[int] = field(default_factory=list)  # MQLs marked by the run, for assign
    mqls: dict[str, list[int]] = field(default_factory=dict)  # token -> MQLs the rep owns
    created_tokens: list[int] = field(default_factory=list)

    def touched(self) -> list[int]:
        """Every contact a write may change: the ones ``RESTORED`` copies."""
        mqls = (pk for pool in self.mqls.values() for pk in pool)
        return sorted({*mqls, *self.leads, *self.event_contacts})


def _token(user, created: list[int]) -> str:
    """A new API key of the user; its id is listed in ``created`` (deleted after the run)."""
    from leads.api_keys import api_key_create

    row, key = api_key_create(user=user, name="bench")
    created.append(row.pk)
    return key


def _plan() -> Plan:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from leads.models import Campaign, Contact, Stage

    users = get_user_model().objects
    marketer, made = users.get_or_create(username="bench-marketer")  # as bench_events
    if made:
        marketer.groups.add(Group.objects.get(name="marketing"))
    created: list[int] = []
    reps = {
        _token(rep, created): rep.pk
        for rep in users.filter(username__startswith="bench-rep-").order_by("pk")
    }
    contacts = Contact.objects.active()
    mqls: dict[str, list[int]] = {token: [] for token in reps}
    by_user = {pk: token for token, pk in reps.items()}
    for pk, owner in contacts.filter(stage=Stage.MQL, owner__in=reps.values()).values_list(
        "pk", "owner_id"
    ):
        mqls[by_user[owner]].append(pk)
    rep_reads: dict[str, list[int]] = defaultdict(list)
    owned = contacts.filter(owner__in=reps.values(), stage__in=UNMOVED_BY_EVENTS)
    for pk, owner in owned.order_by("?").values_list("pk", "owner_id")[:READ_CONTACTS]:
        rep_reads[by_user[owner]].append(pk)
    return Plan(
        manager=_token(users.get(username="bench-manager"), created),
        marketer=_token(marketer, created),
        reps=reps,
        campaigns=list(Campaign.objects.values_list("pk", flat=True)),
        reads=list(contacts.order_by("?").values_list("pk", flat=True)[:READ_CONTACTS]),
        rep_reads=dict(rep_reads),
        event_contacts=list(
            contacts.filter(stage__in=UNMOVED_BY_EVENTS)
            .order_by("?")
            .values_list("pk", flat=True)[:EVENT_CONTACTS]
        ),
        leads=list(
            contacts.filter(stage=Stage.LEAD, owner=None)
            .order_by("?")
            .values_list("pk", flat=True)[:MARKED_LEADS]
        ),
        mqls=mqls,
        created_tokens=created,
    )


# --- Requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    url: str
    token: str
    body: object = None
    contact: int | None = None


def _list_query(rng: random.Random, plan: Plan) -> tuple[str, str]:
    """A contact list page (token, query string): the manager's filters, or a rep's."""
    if rng.random() < 0.35:
        query = rng.choice(
            ("stage=mql&ordering=sla_due_at", "stage=sql&ordering=-score", "ordering=-score")
        )
        return rng.choice(list(plan.reps)), query
    rep = rng.choice(list(plan.reps.values()))
    since = (datetime.now(UTC) - timedelta(days=rng.randint(7, 180))).strftime("%Y-%m-%d")
    query = rng.choice(
        (
            "stage=mql&ordering=-score",
            f"owner={rep}&stage=sql",
            f"owner={rep}&stage=mql&ordering=sla_due_at",
            f"score_min={rng.randint(40, 90)}&ordering=-score",
            f"channel=webinar&created_after={since}T00:00:00Z",
            f"campaign={rng.choice(plan.campaigns)}&stage=lead&ordering=-created_at",
            f"created_after={since}T00:00:00Z&score_max=20",
            f"q=Company%20{rng.randint(1, 49_999)}",
            "sla_overdue=true&ordering=sla_due_at",
        )
    )
    return plan.manager, query


def _events(rng: random.Random, plan: Plan, tag: str, serial: int) -> list[dict]:
    names, weights = list(EVENT_TYPES), list(EVENT_TYPES.values())
    now = datetime.now(UTC)
    batch = []
    for n in range(rng.randint(50, 100)):
        kind = rng.choices(names, weights)[0]
        batch.append(
            {
                "id": f"{tag}-{serial}-{n}",
                "type": kind,
                "occurred_at": (now - timedelta(seconds=rng.uniform(0, 30 * 86400))).isoformat(),
                "contact": rng.choice(plan.event_contacts),
                "properties": {"url": rng.choice(URLS)} if kind == "page_viewed" else {},
            }
        )
    return batch


def _stage_action(kind: str, rng: random.Random, plan: Plan) -> Request | None:
    """A move the contact's stage allows when it was picked (None: its pool is empty)."""
    path = "/api/v1/contacts/{}/" + kind + "/"
    if kind in ("accept", "reject"):
        owners = [token for token, pool in plan.mqls.items() if pool]
        if not owners:
            return None
        token = rng.choice(owners)
        pk = rng.choice(plan.mqls[token])
        body = {"reason": "Bad fit", "recycle": True} if kind == "reject" else {}
        return Request(kind, "POST", path.format(pk), token, body, pk)
    pool = plan.leads if kind == "mark-mql" else plan.marked
    if not pool:
        return None
    pk = rng.choice(pool)
    body = {"owner": rng.choice(list(plan.reps.values()))} if kind == "assign" else {}
    return Request(kind, "POST", path.format(pk), plan.manager, body, pk)


def _next(rng: random.Random, plan: Plan, tag: str, serial: int, kinds: dict) -> Request:
    kind = rng.choices(list(kinds), [weight for weight, _ in kinds.values()])[0]
    if kind in ("accept", "reject", "mark-mql", "assign"):
        return _stage_action(kind, rng, plan) or _next(rng, plan, tag, serial, READ_MIX)
    if kind == "events":
        return Request(
            kind, "POST", "/api/v1/events/", plan.marketer, _events(rng, plan, tag, serial)
        )
    if kind == "list":
        token, query = _list_query(rng, plan)
        return Request(kind, "GET", f"/api/v1/contacts/?{query}", token)
    if rng.random() < 0.35:  # a rep opens one of their own contacts
        token = rng.choice([t for t, pool in plan.rep_reads.items() if pool])
        pk = rng.choice(plan.rep_reads[token])
    else:
        token, pk = plan.manager, rng.choice(plan.reads)
    suffix = "" if kind == "contact" else f"{kind}/"
    return Request(kind, "GET", f"/api/v1/contacts/{pk}/{suffix}", token)


def _moved(plan: Plan, request: Request, status: int) -> None:
    """Keep the pools in step: a contact answered (moved, or 409: moved by another client)
    leaves its pool; an MQL marked waits for assign, one assigned joins its rep's MQLs."""
    if request.contact is None or (status != 200 and status != 409):
        return
    pk = request.contact
    if request.kind in ("accept", "reject"):
        _discard(plan.mqls[request.token], pk)
    elif request.kind == "mark-mql":
        _discard(plan.leads, pk)
        if status == 200:
            plan.marked.append(pk)
    elif request.kind == "assign":
        _discard(plan.marked, pk)
        if status == 200:
            owner = next(t for t, user in plan.reps.items() if user == request.body["owner"])
            plan.mqls[owner].append(pk)


def _discard(pool: list[int], pk: int) -> None:
    if pk in pool:
        pool.remove(pk)


# --- The clients ---------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw: latencies (ms) of the answered requests per kind, statuses,
    errors, and the requests per token."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    per_token: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())


async def _client(http, plan: Plan, tally: Tally, deadline: float, seed: int, kinds: dict):
    rng = random.Random(seed)
    tag = f"load-{secrets.token_hex(4)}-{seed}"
    serial = 0
    while time.monotonic() < deadline:
        serial += 1
        request = _next(rng, plan, tag, serial, kinds)
        headers = {"Authorization": f"Token {request.token}"}
        started = time.perf_counter()
        try:
            response = await http.request(
                request.method, request.url, json=request.body, headers=headers
            )
        except httpx.TimeoutException:
            tally.errors[f"{request.kind}: timeout"] += 1
            continue
        except httpx.TransportError as exc:
            tally.errors[f"{request.kind}: {type(exc).__name__}"] += 1
            continue
        elapsed = (time.perf_counter() - started) * 1000
        tally.per_token[request.token] += 1
        status = response.status_code
        if status >= 300 and status != 409:
            tally.errors[f"{request.kind}: {status}"] += 1
            continue
        tally.statuses[status] += 1
        tally.latencies[request.kind].append(elapsed)
        _moved(plan, request, status)


async def _drive(port: int, plan: Plan, clients: int, seconds: float, kinds: dict) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        limits=limits,
        timeout=TIMEOUT_SECONDS,
        headers={"Accept": "application/json"},
    ) as http:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(_client(http, plan, tally, deadline, seed, kinds) for seed in range(clients))
        )
        tally.seconds = time.monotonic() - started
    return tally


# --- The server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(port: int, workers: int, log: Path):
    """gunicorn with the production settings on ``port``, stopped on the way out; its
    output goes to ``log`` (a 5xx's traceback is there)."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "leadfunnel.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # no TLS in front of it here
        "DEBUG": "false",
        "THROTTLE_USER": "1000000/min",
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "leadfunnel.wsgi:application"),
        *("--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
    ]
    root = Path(__file__).resolve().parent.parent
    with log.open("w") as output:
        server = subprocess.Popen(
            command, env=env, cwd=root, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(port, server, log)
            yield
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while server.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start: see {log}")


# --- Putting the data back -----------------------------------------------------------------

# The tables a stage move or a scored event writes, each with its column naming the contact.
RESTORED = (
    ("leads_contact", "id"),
    ("leads_transition", "contact_id"),
    ("reporting_stagestay", "contact_id"),
    ("scoring_activity", "contact_id"),
    ("scoring_contactscore", "contact_id"),
    ("scoring_contactrulescore", "contact_id"),
    ("sla_clock", "contact_id"),
    ("sla_pendingassignment", "contact_id"),
    ("integrations_delivery", "contact_id"),
)


def _rows_hash(cursor, table: str, column: str, keys: list[str]) -> str:
    cursor.execute(
        f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY {', '.join(keys)}), '')) "
        f"FROM {table} t WHERE {column} IN (SELECT id FROM bench_load_ids)"
    )
    return cursor.fetchone()[0]


@contextmanager
def _restored(contact_ids: list[int]):
    """Copy the rows of ``contact_ids`` in ``RESTORED`` (temporary tables of this
    connection), and put them back on the way out: rows added deleted, rows changed or
    deleted written back. Raises if a table's rows then differ from the copy."""
    from django.db import connection, transaction

    from .generate import vacuum

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_load_ids (id bigint PRIMARY KEY)")
        cursor.execute("INSERT INTO bench_load_ids SELECT unnest(%s::bigint[])", [contact_ids])
        shape, before = {}, {}
        for table, column in RESTORED:
            keys = connection.introspection.get_primary_key_columns(cursor, table)
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            shape[table] = (keys, columns)
            cursor.execute(
                f"CREATE TEMPORARY TABLE bench_load_{table} AS SELECT * FROM {table} "
                f"WHERE {column} IN (SELECT id FROM bench_load_ids)"
            )
            before[table] = _rows_hash(cursor, table, column, keys)
    try:
        yield
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            for table, column in RESTORED:
                _restore(cursor, table, column, *shape[table])
        with connection.cursor() as cursor:
            changed = [
                table
                for table, column in RESTORED
                if _rows_hash(cursor, table, column, shape[table][0]) != before[table]
            ]
            for table, _ in RESTORED:
                cursor.execute(f"DROP TABLE bench_load_{table}")
            cursor.execute("DROP TABLE bench_load_ids")
        vacuum(*(table for table, _ in RESTORED))
        if changed:
            raise RuntimeError(f"bench_load could not restore {changed}")


def _restore(cursor, table: str, column: str, keys: list[str], columns: list[str]) -> None:
    copy = f"bench_load_{table}"
    same_key = " AND ".join(f"s.{k} = t.{k}" for k in keys)
    cursor.execute(
        f"DELETE FROM {table} t WHERE t.{column} IN (SELECT id FROM bench_load_ids) "
        f"AND NOT EXISTS (SELECT 1 FROM {copy} s WHERE {same_key})"
    )
    values = [c for c in columns if c not in keys]
    if values:
        now = ", ".join(f"t.{c}" for c in values)
        then = ", ".join(f"s.{c}" for c in values)
        cursor.execute(
            f"UPDATE {table} t SET ({', '.join(values)}) = ROW({then}) FROM {copy} s "
            f"WHERE {same_key} AND ROW({now}) IS DISTINCT FROM ROW({then})"
        )
    cursor.execute(
        f"INSERT INTO {table} SELECT * FROM {copy} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same_key})"
    )


# --- The figures ---------------------------------------------------------------------------


def _percentiles(latencies: list[float]) -> tuple[float, float, float]:
    if len(latencies) < 2:
        value = latencies[0] if latencies else 0.0
        return value, value, value
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _answered(tally: Tally, method: str) -> list[float]:
    return [ms for kind, spec in MIX.items() if spec[1] == method for ms in tally.latencies[kind]]


def _results(tally: Tally, clients: int, seconds: float, workers: int, log: Path) -> list[Result]:
    reads, writes = _answered(tally, "GET"), _answered(tally, "POST")
    busiest = max(tally.per_token.values(), default=0) * 60 / tally.seconds
    cache = "Redis" if os.environ.get("REDIS_URL") else "per-worker memory"
    server = (
        f"gunicorn {workers} sync workers, throttle cache {cache}, busiest token "
        f"{busiest:,.0f}/min (production limit {PRODUCTION_THROTTLE_PER_MIN:,}/min)"
    )
    errors = sum(tally.errors.values())
    results = [
        Result(
            f"load: {clients} clients x {seconds:.0f} s, every request",
            tally.requests / tally.seconds,
            "req/s",
            "",
            f"{tally.requests:,} requests in {tally.seconds:.1f} s; {server}",
        ),
        Result(
            "load: errors (5xx, other 4xx, timeouts, connections)",
            errors,
            "requests",
            "0",
            ", ".join(f"{k} {n}" for k, n in tally.errors.most_common(5))
            + (f"; server log {log}" if errors else ""),
        ),
        Result("load: 409 (a move raced by another client)", tally.statuses[409], "requests"),
    ]
    for label, latencies, target in (("reads", reads, "< 250 ms"), ("writes", writes, "")):
        cuts = zip(("p50", "p95", "p99"), _percentiles(latencies), strict=True)
        results += [
            Result(
                f"load: {label} {name}",
                value,
                f"ms {name}",
                target if name == "p99" else "",
                f"{len(latencies):,} answered" if name == "p50" else "",
            )
            for name, value in cuts
        ]
    for kind in MIX:
        p50, p95, p99 = _percentiles(tally.latencies[kind])
        results.append(
            Result(
                f"load: {kind}",
                p99,
                "ms p99",
                "",
                f"{len(tally.latencies[kind]):,} answered, p50 {p50:,.0f} ms, p95 {p95:,.0f} ms",
            )
        )
    return results


def run(contacts: int) -> list[Result]:
    from django.db import connection

    from leads.models import ApiKey

    if connection.vendor != "postgresql":
        print("  bench_load needs PostgreSQL: skipped")
        return []
    clients = int(_setting("LOAD_CLIENTS", 50))
    seconds = _setting("LOAD_SECONDS", 60)
    warmup = _setting("LOAD_WARMUP_SECONDS", 5)
    workers = int(_setting("LOAD_WORKERS", 4))
    plan = _plan()
    log = Path(tempfile.gettempdir()) / f"bench-load-gunicorn-{os.getpid()}.log"
    port = _free_port()
    try:
        with _restored(plan.touched()), _server(port, workers, log):
            asyncio.run(_drive(port, plan, clients, warmup, READ_MIX))
            tally = asyncio.run(_drive(port, plan, clients, seconds, MIX))
    finally:
        ApiKey.objects.filter(pk__in=plan.created_tokens).delete()
    return _results(tally, clients, seconds, workers, log)
