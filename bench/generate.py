"""
Realistic synthetic data at any size: campaigns, sales reps, contacts walked through the
funnel with their stage history and their activity events, loaded with COPY; then every
score computed by a recompute (so the scores, breakdowns and MQL marks are the real ones).

    python -m bench.generate --contacts 1000000 --events-per-contact 7

Everything in the leads tables is replaced (TRUNCATE ... CASCADE empties the tables of other
apps that point at contacts). Deterministic for a given --seed.

Conversion has known causes (``DRIVERS``): asking for a demo, viewing the pricing page, a
company of 200+ people and not being a student change the odds of each step decided by
people: becoming an MQL, being accepted by sales, winning the deal. Everything else a contact
does or is (e-mails, webinars, downloads, other pages, industry, country) is noise, so the
evidence analyses can be checked against the truth.
"""

import argparse
import json
import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from . import setup_django

FIRST = (
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Inès",
    "Jonas",
    "Karin",
    "Luca",
    "Mina",
    "Noah",
    "Olga",
    "Pablo",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
)
LAST = (
    "Martin",
    "Bernard",
    "Schmidt",
    "Rossi",
    "García",
    "Smith",
    "Dubois",
    "Novak",
    "Jansen",
    "Costa",
    "Weber",
    "Moreau",
    "Silva",
    "Nielsen",
    "Kowalski",
    "Murphy",
    "Laurent",
    "Fischer",
)
# Names and companies varied enough that people share a name about as often as in a real
# base; every TWIN_EVERY-th contact is the one before it again, its first name mistyped and
# its phone number written the national way, for the duplicate scan to find.
FIRST_MORE = ("Aline", "Bruno", "Carla", "Diego", "Emma", "Félix", "Gina", "Hans", "Ivan", "Jade")
FIRST_MORE += ("Kofi", "Lena", "Marco", "Nora", "Omar", "Paula", "Rémi", "Sara", "Théo", "Uma")
FIRST_MORE += ("Victor", "Wanda", "Yann", "Zoé", "Anke", "Boris", "Clara", "Denis", "Eva", "Gaël")
FIRST_MORE += ("Hélène", "Igor", "Julia", "Karl", "Louise", "Milan", "Nadia", "Oscar", "Pia")
FIRST_MORE += ("Rita",)
SURNAME_MIDS = ("", "an", "el", "ov", "ar", "in", "ul", "es", "or", "ig", "am", "et", "ur", "ab")
SURNAME_MIDS += ("ol", "ik", "em", "at", "us", "ad", "on", "ir", "ey", "ag", "im")
SURNAME_ENDS = ("", "o", "i", "er", "son", "ez", "ini", "ot", "eau", "ard")
SURNAME_ENDS += ("en", "ski", "ek", "as", "elli", "y", "ier", "on", "a", "us")
COMPANY_STARTS = ("Nord", "Tec", "Alp", "Sol", "Vert", "Astr", "Blu", "Cor", "Data", "Ever")
COMPANY_STARTS += ("Flux", "Gran", "Hexa", "Indi", "Kalo", "Lum", "Mira", "Nex", "Opti", "Pix")
COMPANY_ENDS = ("via", "sol", "ica", "ware", "lab", "nova", "tek", "mind", "flow", "gate")
COMPANY_ENDS += ("line", "core", "wise", "ium", "path", "point", "sys", "onis", "ly", "med")
COMPANY_FORMS = ("SAS", "SA", "SARL", "GmbH", "Ltd", "Inc")
TWIN_EVERY = 100
INDUSTRIES = ("Software", "Manufacturing", "Retail", "Finance", "Healthcare", "Logistics")
COUNTRIES = ("FR", "DE", "GB", "ES", "NL", "US", "BE", "IT", "SE", "PL")
TITLES = (
    "CMO",
    "Head of Marketing",
    "Marketing Manager",
    "VP Sales",
    "Sales Director",
    "RevOps Manager",
    "CEO",
    "Growth Lead",
    "Student",
    "Intern",
)
SIZES = (3, 8, 25, 60, 150, 400, 1200, 6000)
REJECT_REASONS = ("Bad fit", "No interest", "Unreachable", "Duplicate")
LOSS_REASONS = ("No budget", "Chose a competitor", "Project postponed")

# channel: (weight, cost per lead in EUR, odds lead->MQL, MQL->SQL, SQL->QSO, QSO->client)
CHANNELS = {
    "ebook": (30, 8, 0.30, 0.25, 0.35, 0.25),
    "webinar": (15, 25, 0.45, 0.45, 0.40, 0.30),
    "demo_request": (8, 90, 0.90, 0.75, 0.55, 0.45),
    "paid_search": (20, 40, 0.40, 0.40, 0.40, 0.30),
    "paid_social": (12, 35, 0.35, 0.35, 0.35, 0.25),
    "email": (8, 3, 0.25, 0.30, 0.30, 0.25),
    "event": (4, 120, 0.55, 0.50, 0.45, 0.35),
    "outbound": (3, 60, 0.50, 0.45, 0.40, 0.30),
}

CONTACT_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "job_title",
    "company_size",
    "industry",
    "country",
    "attributes",
    "campaign_id",
    "owner_id",
    "stage",
    "stage_changed_at",
    "score",
    "fit_score",
    "engagement_score",
    "sla_due_at",
    "lead_at",
    "mql_at",
    "sql_at",
    "qso_at",
    "client_at",
    "budget",
    "currency",
    "close_by",
    "won_amount",
    "created_at",
    "first_seen_at",
    "updated_at",
    "erased_at",
    "email_key",
    "name_key",
    "phone_key",
)
TRANSITION_COLUMNS = (
    "contact_id",
    "move",
    "from_stage",
    "to_stage",
    "at",
    "recorded_at",
    "actor_id",
    "reason",
    "data",
)
ACTIVITY_COLUMNS = (
    "key",
    "contact_id",
    "type",
    "occurred_at",
    "campaign_id",
    "properties",
    "received_at",
)
# What people do, and how often (weights): mostly opens and page views. None of it changes
# anyone's odds: the drivers below do.
ACTIVITY_TYPES = {
    "email_opened": 35,
    "page_viewed": 35,
    "email_clicked": 10,
    "content_downloaded": 8,
    "form_submitted": 4,
    "webinar_registered": 3,
    "trial_started": 1,
}
URLS = (
    "/",
    "/blog/lead-scoring",
    "/blog/sla",
    "/careers",
    "/product",
    "/customers",
)
# The true drivers of conversion, named as the evidence signals name them, and what each adds
# to the log-odds of lead -> MQL, MQL -> SQL and QSO -> client.
DRIVERS = {
    "event:demo_requested": 1.6,
    "property:page_viewed:url=/pricing": 1.2,
    "profile:company_size>=200": 0.8,
    "profile:job_title=Student": -2.0,
}
DEMO_SHARE, PRICING_SHARE = 0.07, 0.25
# People are active for a while after they arrive, at the same pace whatever their age: a
# contact created last week has a week of events so far, not a year's squeezed into a week.
ACTIVE_DAYS = 60
# One rule on top of the 19 default ones: the benchmarks score with 20 active rules.
BENCH_RULE = {
    "name": "Bench: trial page viewed",
    "dimension": "engagement",
    "points": 5,
    "event_type": "page_viewed",
    "attribute": "url",
    "operator": "startswith",
    "value": "/trial",
    "max_times": 3,
}


@dataclass(frozen=True)
class Traits:
    """What drives a contact's conversion, drawn before its walk down the funnel."""

    title: str
    size: int
    demo: bool
    pricing_views: int

    @classmethod
    def draw(cls, rng: random.Random) -> "Traits":
        demo = rng.random() < DEMO_SHARE
        views = rng.randint(1, 3) if rng.random() < PRICING_SHARE else 0
        return cls(rng.choice(TITLES), rng.choice(SIZES), demo, views)

    def log_odds(self) -> float:
        shown = {
            "event:demo_requested": self.demo,
            "property:page_viewed:url=/pricing": self.pricing_views > 0,
            "profile:company_size>=200": self.size >= 200,
            "profile:job_title=Student": self.title == "Student",
        }
        return sum(effect for key, effect in DRIVERS.items() if shown[key])

    def odds(self, channel_odds: tuple) -> tuple:
        """The channel's odds of each step, moved by the drivers (all but SQL -> QSO, which
        only the budget decides)."""
        p_mql, p_sql, p_qso, p_client = channel_odds
        shift = self.log_odds()
        return _shifted(p_mql, shift), _shifted(p_sql, shift), p_qso, _shifted(p_client, shift)


def _shifted(p: float, log_odds: float) -> float:
    return 1 / (1 + math.exp(-(math.log(p / (1 - p)) + log_odds)))


@dataclass
class Walk:
    """One contact's way down the funnel: its final state and the moves that led there."""

    stage: str = "contact"
    reached: dict = field(default_factory=dict)
    moves: list = field(default_factory=list)
    owner: int | None = None
    budget: int | None = None
    won: int | None = None
    close_by: date | None = None

    def move(self, move, to, at, actor=None, reason="", data="{}"):
        self.moves.append((move, self.stage, to, at, actor, reason, data))
        self.stage = to
        self.reached.setdefault(to, at)
        self.changed_at = at


def walk(
    rng: random.Random,
    created: datetime,
    odds: tuple,
    reps: list[int],
    now: datetime,
    manager: int,
) -> Walk:
    w = Walk()
    w.changed_at = created
    at = created + timedelta(hours=rng.uniform(0.2, 72))
    if rng.random() < 0.08 or at >= now:
        return w  # imported or typed in, never engaged
    w.move("engage", "lead", at, reason="First engagement")
    p_mql, p_sql, p_qso, p_client = odds
    at += timedelta(days=rng.expovariate(1 / 12))
    if rng.random() > p_mql or at >= now:
        return w
    w.move("mark_mql", "mql", at, reason="Score crossed the MQL threshold")
    w.owner = rng.choice(reps)
    w.move("assign", "mql", at, manager, data=json.dumps({"owner": w.owner}))
    at += timedelta(hours=rng.lognormvariate(3.0, 1.0))  # median ~20 h, a long tail past 48 h
    if at >= now:
        return w
    if rng.random() > p_sql:
        to = "recycled" if rng.random() < 0.7 else "disqualified"
        w.move("reject", to, at, w.owner, rng.choice(REJECT_REASONS))
        return w
    w.move("accept", "sql", at, w.owner)
    at += timedelta(days=rng.expovariate(1 / 14))
    if at >= now:
        return w
    if rng.random() > p_qso:
        w.move("lose", "lost", at, w.owner, rng.choice(LOSS_REASONS))
        return w
    w.budget = rng.randrange(3_000, 80_000, 500)
    w.close_by = (at + timedelta(days=90)).date()
    data = json.dumps({"budget": str(w.budget), "currency": "EUR", "close_by": str(w.close_by)})
    w.move("qualify", "qso", at, w.owner, data=data)
    at += timedelta(days=rng.expovariate(1 / 30))
    if at >= now:
        return w
    if rng.random() > p_client:
        w.move("lose", "lost", at, w.owner, rng.choice(LOSS_REASONS))
        return w
    w.won = int(w.budget * rng.uniform(0.7, 1.1))
    w.move("win", "client", at, w.owner, data=json.dumps({"amount": str(w.won)}))
    return w


def activities(
    rng: random.Random,
    cid: int,
    created: datetime,
    w: Walk,
    traits: Traits,
    campaign: int,
    now: datetime,
    per_contact: int,
):
    """A contact's events over its first ``ACTIVE_DAYS`` (those not in the future yet), at
    random; and its drivers (a demo request, pricing page views) within a day of becoming a
    lead, before any hand-off."""
    if per_contact <= 0:
        return
    types, weights = list(ACTIVITY_TYPES), list(ACTIVITY_TYPES.values())
    span = ACTIVE_DAYS * 86400.0
    moments = [
        (created + timedelta(seconds=span * rng.random()), None)
        for _ in range(rng.randint(0, 2 * per_contact))
    ]
    start = w.reached.get("lead", created)
    handoff = w.reached.get("mql") or w.reached.get("sql") or now
    window = max(0.0, min(86400.0, (handoff - start).total_seconds()))
    drivers = [("demo_requested", None)] * traits.demo
    drivers += [("page_viewed", "/pricing")] * traits.pricing_views
    moments += [(start + timedelta(seconds=window * rng.random()), d) for d in drivers]
    for n, (at, driver) in enumerate(moments):
        kind, url = driver or (rng.choices(types, weights)[0], None)
        if at >= now:
            continue
        if kind == "page_viewed" and url is None:
            url = rng.choice(URLS)
        properties = json.dumps({"url": url}) if url else "{}"
        yield (f"gen-{cid}-{n}", cid, kind, at, campaign, properties, now)


SALES_ACTIVITY_COLUMNS = (
    "contact_id",
    "kind",
    "direction",
    "outcome",
    "occurred_at",
    "duration_minutes",
    "subject",
    "body",
    "owner_id",
    "author_id",
    "external_id",
    "created_at",
    "updated_at",
)


def touches(rng: random.Random, cid: int, w: Walk, now: datetime):
    """The rep's first call after the hand-off, for most MQLs and before the rep decided:
    minutes to days later (median ~45 min, a long tail), connected about half the time."""
    moves = iter(w.moves)
    handed_off = next((move[3] for move in moves if move[0] == "assign"), None)
    if handed_off is None or rng.random() < 0.15:
        return
    decided = next((move[3] for move in moves), now)
    at = handed_off + timedelta(minutes=rng.lognormvariate(math.log(45), 1.6))
    if at >= decided:
        return  # the accept or reject came first: that was the first touch
    connected = rng.random() < 0.5
    outcome = "connected" if connected else rng.choice(("no_answer", "voicemail"))
    minutes = rng.randint(3, 30) if connected else 1
    yield (cid, "call", "outbound", outcome, at, minutes, "", "", w.owner, w.owner, None, now, now)


def ensure_team(reps: int) -> tuple[list[int], int]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    sales, managers = Group.objects.get(name="sales"), Group.objects.get(name="managers")
    ids = []
    for n in range(reps):
        user, created = User.objects.get_or_create(username=f"bench-rep-{n:02d}")
        if created:
            user.groups.add(sales)
        ids.append(user.pk)
    manager, created = User.objects.get_or_create(username="bench-manager")
    if created:
        manager.groups.add(managers)
    return ids, manager.pk


def make_campaigns(rng: random.Random, count: int, contacts: int, today: date, months: int):
    from leads.models import Campaign

    Campaign.objects.all().delete()
    names = list(CHANNELS)
    weights = [CHANNELS[c][0] for c in names]
    campaigns = []
    for n in range(count):
        channel = names[n % len(names)] if n < len(names) else rng.choices(names, weights)[0]
        started = today - timedelta(days=rng.randint(0, months * 30))
        length = rng.choice((14, 30, 60, 90, None))
        campaigns.append(
            Campaign(
                name=f"{channel.replace('_', ' ').title()} #{n + 1}",
                channel=channel,
                # Spend in line with the number of leads the campaign will bring.
                spend=round(CHANNELS[channel][1] * contacts / count * rng.uniform(0.6, 1.4), 2),
                currency="EUR",
                started_on=started,
                ended_on=min(today, started + timedelta(days=length)) if length else None,
            )
        )
    return Campaign.objects.bulk_create(campaigns)


def truncate() -> None:
    from django.db import connection

    from leads.models import Contact, Transition
    from scoring.models import Activity, ContactRuleScore, ContactScore

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The score tables have no foreign keys (see scoring.models): named, not cascaded.
            cursor.execute(
                "TRUNCATE leads_transition, leads_contact, scoring_contactscore, "
                "scoring_contactrulescore RESTART IDENTITY CASCADE"
            )
        else:
            ContactScore.objects.all().delete()
            ContactRuleScore.objects.all().delete()
            Activity.objects.all().delete()
            Transition.objects.all().delete()
            Contact.objects.all().delete()


class People:
    """Who the contacts are: the names the data set draws, with surnames more varied, a
    company and a phone; every ``TWIN_EVERY``-th one is the one before again, typed
    differently."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.last: tuple[str, str, str, int] = ("", "", "", 0)

    def next(self, cid: int, first: str, last: str) -> tuple[str, str, str, str, str]:
        rng = self.rng
        if cid % TWIN_EVERY == 0 and self.last[0]:
            first, last, company, number = self.last
            at = rng.randrange(len(first))
            typo = first[:at] + rng.choice("aeiou") + first[at + 1 :]
            digits = f"{number:08d}"
            national = "06 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
            return typo, last, company, national, f"+336{digits}"
        if rng.random() < 2 / 3:  # a third keep the first name the data set drew
            first = rng.choice(FIRST_MORE)
        last += rng.choice(SURNAME_MIDS) + rng.choice(SURNAME_ENDS)
        company = (
            f"{rng.choice(COMPANY_STARTS)}{rng.choice(COMPANY_ENDS)} {rng.choice(COMPANY_FORMS)}"
        )
        number = rng.randrange(10**8)
        self.last = (first, last, company, number)
        return first, last, company, f"+33 6 {number:08d}", f"+336{number:08d}"


def generate(**options: Any) -> dict:
    """Replace the leads tables with synthetic contacts (``_load``'s options); returns counts.

    The funnel rollup's trigger is off during the load and the rollup counted once at the
    end: a row-by-row trigger would make the COPY of a million contacts minutes slower."""
    from reporting.rollups import rollups_paused

    with rollups_paused():
        return _load(**options)


def _load(
    *,
    contacts: int,
    seed: int = 7,
    reps: int = 25,
    campaigns: int = 40,
    months: int = 12,
    # About 5.6 stored events per contact: 7 drawn over the first ACTIVE_DAYS, those still
    # in the future dropped, plus the drivers.
    events_per_contact: int = 7,
    log=print,
) -> dict:
    """Replace the leads tables with ``contacts`` synthetic contacts; returns counts."""
    from leads.models import Contact, Transition
    from reporting.services import stays_rebuild
    from sales.models import SalesActivity
    from sales.status import lead_status_refresh
    from scoring.models import Activity

    from .copy import copy_rows, reset_sequence
    from .touches import touches_spread

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    truncate()
    rep_ids, manager = ensure_team(reps)
    made = make_campaigns(rng, campaigns, contacts, now.date(), months)
    odds = {c.pk: CHANNELS[c.channel][2:] for c in made}
    transitions: list[tuple] = []
    events: list[tuple] = []
    calls: list[tuple] = []
    # The sales touches draw from a generator of their own: the rest of the data set stays
    # what it was before they were added (the figures in docs/benchmarks.md compare).
    call_rng = random.Random(seed + 1)
    people = People(random.Random(seed + 2))

    from leads import matching

    def contact_rows():
        for cid in range(1, contacts + 1):
            campaign = made[rng.randrange(len(made))]
            first_day = datetime.combine(campaign.started_on, datetime.min.time(), UTC)
            span = max(3600.0, (now - first_day).total_seconds())
            created = first_day + timedelta(seconds=span * rng.random())
            traits = Traits.draw(rng)
            w = walk(rng, created, traits.odds(odds[campaign.pk]), rep_ids, now, manager)
            for move in w.moves:
                transitions.append((cid, *move[:4], now, *move[4:]))
            events.extend(
                activities(rng, cid, created, w, traits, campaign.pk, now, events_per_contact)
            )
            calls.extend(touches(call_rng, cid, w, now))
            fit = rng.choice((-10, 0, 5, 10, 15, 20, 30))
            engagement = rng.randint(0, 40) + (40 if "mql" in w.reached else 0)
            r = w.reached
            mql = r.get("mql") or r.get("sql")
            lead = r.get("lead") or mql
            email = f"c{cid}@co{cid % 50_000}.example"
            # Drawn from the data set's generator as before, so that the rest stays the same.
            first_name, last_name = rng.choice(FIRST), rng.choice(LAST)
            first_name, last_name, company, phone, phone_key = people.next(
                cid, first_name, last_name
            )
            yield (
                cid,
                email,
                first_name,
                last_name,
                phone,
                company,
                traits.title,
                traits.size,
                rng.choice(INDUSTRIES),
                rng.choice(COUNTRIES),
                "{}",
                campaign.pk,
                w.owner,
                w.stage,
                w.changed_at,
                fit + engagement,
                fit,
                engagement,
                None,
                lead,
                mql,
                r.get("sql"),
                r.get("qso"),
                r.get("client"),
                w.budget,
                "EUR" if w.budget else "",
                w.close_by,
                w.won,
                created,
                created,
                now,
                None,
                matching.email_key(email),
                matching.name_key(first_name, last_name, company),
                phone_key,
            )

    loaded = 0
    batch = 200_000
    rows = contact_rows()
    while True:
        chunk = [row for _, row in zip(range(batch), rows, strict=False)]
        if not chunk:
            break
        loaded += copy_rows("leads_contact", CONTACT_COLUMNS, chunk)
        copy_rows("leads_transition", TRANSITION_COLUMNS, transitions)
        copy_rows("scoring_activity", ACTIVITY_COLUMNS, events)
        copy_rows("sales_salesactivity", SALES_ACTIVITY_COLUMNS, calls)
        log(f"  {loaded:>9,} contacts ({time.perf_counter() - started:5.1f} s)")
        transitions.clear()
        events.clear()
        calls.clear()
    reset_sequence("leads_contact")
    vacuum(
        "leads_contact",
        "leads_transition",
        "leads_campaign",
        "scoring_activity",
        "sales_salesactivity",
    )
    lead_status_refresh(Contact.objects.filter(stage__in=["mql", "sql"]))
    # The stage stays of the loaded history (COPY bypassed the lifecycle services), before
    # scoring moves contacts: each move then closes the stay the history opened.
    stays_rebuild()
    log(f"Scoring every contact with {ensure_bench_rules()} active rules ...")
    scoring_seconds = score_everyone()
    touch_count = touches_spread()

    counts = {
        "contacts": loaded,
        "transitions": Transition.objects.count(),
        "activities": Activity.objects.count(),
        "sales_activities": SalesActivity.objects.count(),
        "touches": touch_count,
        "campaigns": len(made),
        "scoring_seconds": round(scoring_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    log(f"Generated {counts}")
    return counts


def ensure_bench_rules() -> int:
    """The default rules plus ``BENCH_RULE``; returns how many rules are active."""
    from scoring import services
    from scoring.models import Rule

    if not Rule.objects.filter(name=BENCH_RULE["name"]).exists():
        services.rule_create(**BENCH_RULE)
    return Rule.objects.filter(active=True).count()


def score_everyone() -> float:
    """Run a recompute in this process (no broker); returns its duration in seconds.

    The generated history already decided every stage, so scoring it must move nobody:
    every contact starts marked as above the MQL and hot levels (the recompute lowers the
    marks of those below), and no crossing is found.
    """
    from django.db import connection
    from django.utils import timezone

    from scoring import services

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scoring_contactscore (contact_id, profile_fit, profile_engagement, "
            "event_fit, event_engagement, as_of, mql, hot) "
            "SELECT id, 0, 0, 0, 0, %s, TRUE, TRUE FROM leads_contact",
            [timezone.now()],
        )
    started = time.perf_counter()
    job = services.recompute_start(by=None, enqueue=False)
    services.recompute_run(job_id=job.pk)
    vacuum("scoring_contactscore", "scoring_contactrulescore", "leads_contact")
    return time.perf_counter() - started


def vacuum(*tables: str) -> None:
    """After a bulk load: planner statistics, and the visibility map that lets index-only
    scans skip the table (ANALYZE alone leaves every page to be checked)."""
    from django.db import connection

    # VACUUM cannot run in a transaction (a test's); the planner's statistics still can.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{command} {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reps", type=int, default=25)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--events-per-contact", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    generate(
        contacts=args.contacts,
        seed=args.seed,
        reps=args.reps,
        campaigns=args.campaigns,
        events_per_contact=args.events_per_contact,
    )


if __name__ == "__main__":
    main()
