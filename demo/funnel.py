"""Campaigns and a few hundred contacts walked through the funnel over the last months.

Every stage change goes through ``leads.services`` with a back-dated time, so the demo
history looks like what a team would have after half a year of work. Names and reasons are
written in the demo's language (``LANGUAGE_CODE``), as that team would have typed them.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from faker import Faker

from leads import services
from leads.forms import REJECT_REASONS
from leads.models import Campaign, Channel, Contact
from sales import services as sales

# name, channel, spend, days ago it started, how long it ran (None: still running), weight,
# and how likely its leads are to move on at each step (MQL, SQL, QSO, client).
CAMPAIGNS = (
    (
        gettext_noop("Spring e-book: Pipeline math"),
        Channel.EBOOK,
        2400,
        170,
        60,
        30,
        (0.35, 0.30, 0.35, 0.30),
    ),
    (
        gettext_noop("Webinar: Scoring that sales trusts"),
        Channel.WEBINAR,
        5200,
        140,
        30,
        18,
        (0.5, 0.5, 0.4, 0.35),
    ),
    (
        gettext_noop("Demo requests (website)"),
        Channel.DEMO_REQUEST,
        9000,
        180,
        None,
        14,
        (0.9, 0.75, 0.55, 0.45),
    ),
    (
        gettext_noop("Google Ads: lead scoring software"),
        Channel.PAID_SEARCH,
        12500,
        160,
        None,
        22,
        (0.45, 0.45, 0.4, 0.3),
    ),
    (
        gettext_noop("LinkedIn: RevOps leaders"),
        Channel.PAID_SOCIAL,
        7800,
        120,
        90,
        12,
        (0.4, 0.4, 0.35, 0.3),
    ),
    (gettext_noop("Newsletter"), Channel.EMAIL, 600, 180, None, 10, (0.3, 0.35, 0.3, 0.25)),
    (
        gettext_noop("SaaS Connect trade show"),
        Channel.EVENT,
        15000,
        75,
        3,
        8,
        (0.6, 0.55, 0.5, 0.4),
    ),
    (
        gettext_noop("Outbound: mid-market SaaS"),
        Channel.OUTBOUND,
        4000,
        100,
        None,
        9,
        (0.55, 0.5, 0.4, 0.3),
    ),
)

INDUSTRIES = ("Software", "Manufacturing", "Retail", "Finance", "Healthcare", "Logistics")
COUNTRIES = ("FR", "DE", "GB", "ES", "NL", "US", "BE", "IT")
TITLES = (
    "Head of Marketing",
    "CMO",
    "Marketing Manager",
    "Sales Director",
    "VP Sales",
    "Growth Lead",
    "RevOps Manager",
    "CEO",
    "Student",
    "Marketing Intern",
)
LOSS_REASONS = (
    gettext_noop("No budget"),
    gettext_noop("Chose a competitor"),
    gettext_noop("Project postponed"),
    gettext_noop("No decision"),
)
NEXT_STEPS = (
    gettext_noop("Send the proposal"),
    gettext_noop("Book the demo"),
    gettext_noop("Call back about the budget"),
    gettext_noop("Follow up"),
)


def ensure_campaigns(today: date) -> list[tuple[Campaign, int, tuple]]:
    campaigns = []
    for name, channel, spend, ago, length, weight, odds in CAMPAIGNS:
        started = today - timedelta(days=ago)
        campaign, _ = Campaign.objects.get_or_create(
            name=gettext(name),
            defaults={
                "channel": channel,
                "spend": Decimal(spend),
                "currency": "EUR",
                "started_on": started,
                "ended_on": started + timedelta(days=length) if length else None,
            },
        )
        campaigns.append((campaign, weight, odds))
    return campaigns


def _walk(
    contact: Contact, odds: tuple, reps: list, manager, marketer, rng: random.Random, now
) -> None:
    """Move one contact as far as chance and time allow, each step a few days later."""
    at = contact.created_at + timedelta(hours=rng.randint(1, 48))
    if at >= now:
        return
    services.contact_engage(contact=contact, at=at)
    if rng.random() > odds[0]:
        return
    at += timedelta(days=rng.randint(1, 20))
    if at >= now:
        return
    services.contact_mark_mql(contact=contact, by=None, at=at, reason=gettext("Score crossed 60"))
    rep = rng.choice(reps)
    services.contact_assign(contact=contact, by=manager, owner=rep, at=at)
    if at >= now - timedelta(days=4):
        # A recent MQL: still waiting in the rep's queue, some already overdue, some tried.
        if rng.random() < 0.4:
            _call(contact, rep, at + (now - at) * rng.uniform(0.1, 0.9), rng, connects=0.0)
        return
    decided = at + timedelta(hours=rng.choice((2, 6, 20, 30, 44, 60, 90)))
    # The first touch comes before the decision, sooner or later: the speed-to-lead report.
    _call(contact, rep, at + (decided - at) * rng.uniform(0.02, 0.9), rng, connects=0.6)
    at = decided
    if rng.random() > odds[1]:
        services.contact_reject(
            contact=contact,
            by=rep,
            reason=str(rng.choice(REJECT_REASONS)),
            recycle=rng.random() < 0.7,
            at=at,
        )
        return
    services.contact_accept(contact=contact, by=rep, at=at)
    accepted, at = at, at + timedelta(days=rng.randint(3, 25))
    if at >= now:
        # Still an SQL: a discovery call since the accept, and the next step planned, due
        # soon or already overdue.
        _call(contact, rep, accepted + (now - accepted) * rng.uniform(0.1, 0.8), rng, 0.7)
        due = now + timedelta(hours=rng.randint(-30, 72))
        title = gettext(rng.choice(NEXT_STEPS))
        sales.task_create(by=rep, contact=contact, title=title, kind="call", due_at=due)
        return
    if rng.random() > odds[2]:
        services.contact_lose(
            contact=contact, by=rep, reason=gettext(rng.choice(LOSS_REASONS)), at=at
        )
        return
    budget = Decimal(rng.randrange(3_000, 60_000, 500))
    services.contact_qualify(
        contact=contact,
        by=rep,
        budget=budget,
        currency="EUR",
        close_by=(at + timedelta(days=90)).date(),
        at=at,
    )
    at += timedelta(days=rng.randint(7, 40))
    if at >= now:
        return
    if rng.random() > odds[3]:
        services.contact_lose(
            contact=contact, by=rep, reason=gettext(rng.choice(LOSS_REASONS)), at=at
        )
        return
    amount = (budget * Decimal(rng.uniform(0.7, 1.1))).quantize(Decimal("1"))
    services.contact_win(contact=contact, by=rep, amount=amount, at=at)


def _call(contact: Contact, rep, at, rng: random.Random, connects: float) -> None:
    """One outbound call by the rep, connected with odds ``connects``."""
    connected = rng.random() < connects
    outcome = "connected" if connected else rng.choice(("no_answer", "voicemail"))
    entry = {"contact": contact, "kind": "call", "direction": "outbound", "outcome": outcome}
    minutes = rng.randint(4, 25) if connected else 1
    sales.activities_log(
        by=rep, entries=[{**entry, "occurred_at": at, "duration_minutes": minutes}]
    )


FREE_MAIL = "gmail.com"


def ensure_contacts(users: dict, count: int, seed: int = 2026) -> int:
    """Create the demo contacts that do not exist yet; returns how many were created."""
    rng = random.Random(seed)
    fake = Faker(["en_GB", "fr_FR", "de_DE", "es_ES"])
    fake.seed_instance(seed)
    now = timezone.now()
    campaigns = ensure_campaigns(now.date())
    weights = [weight for _, weight, _ in campaigns]
    reps = [users["rep"], users["rep2"], users["rep3"]]
    people = []
    # Several people per company, as accounts are; one in ten writes from a free-mail
    # address and is grouped by the company it gave (the Companies page).
    employers = [fake.company() for _ in range(max(1, count // 5))]
    for index in range(count):
        first, last = fake.first_name(), fake.last_name()
        company = rng.choice(employers)
        domain = "".join(ch for ch in company.lower() if ch.isalnum())[:20] or "example"
        host = FREE_MAIL if rng.random() < 0.1 else f"{domain}.example"
        people.append((index, first, last, company, f"{first}.{last}.{index}@{host}"))
    existing = set(
        Contact.objects.filter(email__in=[p[4] for p in people]).values_list("email", flat=True)
    )
    created = 0
    for index, first, last, company, email in people:
        campaign, _, odds = rng.choices(campaigns, weights=weights)[0]
        # Skewed towards recent days: a live base has more fresh leads than old ones.
        age_days = max(1, (now.date() - campaign.started_on).days) * rng.random() ** 1.6
        title = rng.choice(TITLES)
        fields = {
            "first_name": first,
            "last_name": last,
            "company": company,
            "job_title": title,
            "company_size": rng.choice((5, 12, 40, 80, 150, 400, 1200, 5000)),
            "industry": rng.choice(INDUSTRIES),
            "country": rng.choice(COUNTRIES),
            "phone": fake.phone_number()[:40],
            "campaign": campaign,
            "created_at": now - timedelta(days=age_days),
        }
        if email in existing:
            continue
        contact = services.contact_create(by=None, email=email, **fields)
        created += 1
        if index % 10 == 0:
            continue  # typed in by hand, never engaged: stays a plain contact
        _walk(contact, odds, reps, users["manager"], users["marketer"], rng, now)
    return created
