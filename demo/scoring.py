"""A history of activity events for the demo contacts, sent through the scoring service.

Events fit what happened to each contact: the ones that became MQLs showed a buying signal
(a demo request, a webinar, a trial) shortly before, the others only opened e-mails and read
pages. No event goes to a contact never engaged or to a recycled one, so loading them moves
no stage: the demo funnel stays the one ``demo.funnel`` walked. Keys are stable, so a second
run adds nothing.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from leads.models import Company, Contact
from leads.stages import Stage
from scoring.companies import companies_score
from scoring.models import Rule, ScoringSettings
from scoring.releases import released
from scoring.services import EventIn, events_ingest, rule_update, settings_update

BUYING_SIGNALS = ("demo_requested", "webinar_registered", "trial_started")
# At most three of these stay under the default minimum engagement of an MQL (20): a lead
# that only browsed is not promoted by loading its history.
BROWSING = (
    ("email_opened", None),
    ("page_viewed", "/"),
    ("page_viewed", "/blog/lead-scoring"),
    ("page_viewed", "/customers"),
)
QUIET = {Stage.CONTACT, Stage.RECYCLED}


def _history(contact: Contact, rng: random.Random, now: datetime) -> list[EventIn]:
    handed_over = contact.mql_at or contact.sql_at
    end = handed_over or now
    span = max(3600.0, (end - contact.created_at).total_seconds())
    moments = sorted(
        contact.created_at + timedelta(seconds=rng.random() * span)
        for _ in range(rng.randint(1, 3))
    )
    events = [(at, *rng.choice(BROWSING)) for at in moments]
    if handed_over:
        events.append(
            (
                handed_over - timedelta(minutes=rng.randint(5, 300)),
                rng.choice(BUYING_SIGNALS),
                None,
            )
        )
        events.append(
            (handed_over - timedelta(hours=rng.randint(6, 48)), "page_viewed", "/pricing")
        )
    return [
        EventIn(
            key=f"demo-{contact.pk}-{n}",
            type=kind,
            occurred_at=min(at, now),
            contact_id=contact.pk,
            campaign_id=contact.campaign_id,
            properties={"url": url} if url else {},
        )
        for n, (at, kind, url) in enumerate(events)
    ]


def ensure_activity(seed: int = 2026) -> int:
    """Send each demo contact's events (in batches, as an integration would); returns how
    many were new."""
    rng = random.Random(seed)
    now = timezone.now()
    events: list[EventIn] = []
    for contact in Contact.objects.active().exclude(stage__in=QUIET).order_by("pk"):
        events += _history(contact, rng, now)
    accepted = 0
    for start in range(0, len(events), 1000):
        accepted += events_ingest(events=events[start : start + 1000], now=now).accepted
    return accepted


def ensure_rule_names() -> None:
    """Give the default rules (``scoring/migrations/0002``) their names in the demo's
    language; a rule marketing has renamed has no translation and keeps its name."""
    renamed = {rule: gettext(rule.name) for rule in Rule.objects.order_by("pk")}
    renamed = {rule: name for rule, name in renamed.items() if name != rule.name}
    if renamed:
        with released(reason=gettext("Rule names in the team's language")):
            for rule, name in renamed.items():
                rule_update(rule=rule, name=name)


MQA_ACCOUNTS = 5


def ensure_companies() -> list[int]:
    """Group the demo contacts into companies and score them, with an MQA line that the
    best few accounts pass (handed to their reps with a call task); a line set before is
    kept. Returns the companies that became MQAs."""
    settings = ScoringSettings.load()
    if settings.mqa_threshold is None:
        companies_score()
        best = list(
            Company.objects.filter(contact_count__gt=0)
            .order_by("-score")
            .values_list("score", flat=True)[:MQA_ACCOUNTS]
        )
        if best:
            settings_update(mqa_threshold=max(1, best[-1]))
    return companies_score()
