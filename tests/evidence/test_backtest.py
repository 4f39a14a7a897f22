"""The backtest replays rule sets over the stored history, set-based: a replay of the rules
that really scored the history gives back the MQLs they made, to the second; a candidate
that was never saved is replayed the same way, and each figure is what the history says."""

import random
from datetime import UTC, datetime, timedelta
from datetime import date as day

import pytest

from evidence import backtest, replay, sql
from evidence.candidates import Candidate, Thresholds, current_candidate
from leads import services as leads
from leads.models import Contact
from leads.stages import Stage
from reporting.periods import Period
from reporting.selectors import GroupBy, Mode, funnel_report
from scoring.conditions import profile_queryset, property_queryset
from scoring.models import Activity, RecomputeJob, Rule
from scoring.services import EventIn, events_ingest
from tests.factories import ContactFactory

from .factories import person

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PERIOD = Period.of(day(2026, 1, 1), day(2026, 3, 31))
NOW = datetime(2026, 4, 15, tzinfo=UTC)


def crossings(candidate: Candidate, until: datetime = NOW) -> dict[int, datetime]:
    with replay.crossings([candidate], until) as table:
        rows = sql.fetch(f"SELECT contact_id, crossed_at FROM {replay.crossed(table, 0)} AS x")
    return {contact: _aware(at) for contact, at in rows}


def _aware(at) -> datetime:
    if isinstance(at, str):  # SQLite gives raw SQL its text
        at = datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@pytest.fixture
def live_history(rule, marketer, rep):
    """Forty contacts scored live, one event at a time as it happened, by rules that decay,
    cap, take points away and add profile points; some then go down the funnel."""
    from scoring.models import ScoringSettings

    ScoringSettings.objects.update(mql_threshold=50, half_life_days=10, min_engagement=20)
    rule("Opened", 6, event_type="email_opened", max_times=4)
    rule("Pricing", 15, event_type="page_viewed", attribute="url", operator="contains",
         value="/pricing", max_times=2)  # fmt: skip
    rule("Careers", -10, dimension="fit", event_type="page_viewed", attribute="url",
         operator="startswith", value="/careers")  # fmt: skip
    rule("Webinar", 25, event_type="webinar_registered")
    rule("Big company", 20, dimension="fit", attribute="company_size", operator="gte", value=200)
    rng = random.Random(4)
    contacts = [
        ContactFactory(created_at=T0 - timedelta(days=1), company_size=rng.choice((10, 500)))
        for _ in range(40)
    ]
    events = []
    for contact in contacts:
        for n in range(rng.randint(2, 12)):
            kind = rng.choice(("email_opened", "page_viewed", "page_viewed", "webinar_registered"))
            url = rng.choice(("/pricing", "/careers", "/blog")) if kind == "page_viewed" else None
            at = T0 + timedelta(days=rng.uniform(0, 30))
            events.append(EventIn(f"{contact.pk}-{n}", kind, at, contact_id=contact.pk,
                                  properties={"url": url} if url else {}))  # fmt: skip
    for event in sorted(events, key=lambda e: e.occurred_at):
        events_ingest(events=[event], now=event.occurred_at)
    mqls = list(Contact.objects.filter(stage=Stage.MQL).order_by("mql_at"))
    assert 8 <= len(mqls) < len(contacts)  # the rules did sort people
    for n, contact in enumerate(mqls[: len(mqls) // 2]):
        contact.refresh_from_db()
        leads.contact_assign(contact=contact, by=None, owner=rep, at=contact.mql_at)
        leads.contact_accept(contact=contact, by=rep, at=contact.mql_at + timedelta(days=1))
        if n % 2 == 0:
            qualify_and_win(contact, rep)
    return contacts


def qualify_and_win(contact: Contact, rep) -> None:
    contact.refresh_from_db()
    at = contact.sql_at + timedelta(days=2)
    leads.contact_qualify(contact=contact, by=rep, budget=5000, currency="EUR",
                          close_by=day(2026, 9, 1), at=at)  # fmt: skip
    contact.refresh_from_db()
    leads.contact_win(contact=contact, by=rep, amount=4800, at=at + timedelta(days=3))


def test_a_replay_of_the_current_rules_gives_back_the_mqls_they_made(live_history):
    made = dict(Contact.objects.filter(mql_at__isnull=False).values_list("pk", "mql_at"))
    assert crossings(current_candidate()) == made


def test_a_backtest_of_the_current_rules_reproduces_the_stages_they_produced(live_history):
    report = backtest.backtest_report(candidates=[current_candidate()], period=PERIOD, now=NOW)
    actual, current = report["columns"]
    for key in ("mqls", "became", "precision", "months"):
        assert current[key] == actual[key], key
    assert current["recall"]["sql"]["rate"] == 1.0  # every SQL came through its MQL
    assert current["recall"]["client"]["median_days_gained"] == 0.0


def test_what_really_happened_counts_the_mqls_of_each_month_as_the_funnel_report(live_history):
    report = backtest.backtest_report(candidates=[], period=PERIOD, now=NOW)
    funnel = funnel_report(period=PERIOD, mode=Mode.PERIOD, group_by=GroupBy.MONTH)
    by_month = {line.key: line.counts["mql"] for line in funnel.groups}
    months = report["columns"][0]["months"]
    assert {m["month"]: m["mqls"] for m in months} == by_month
    assert sum(by_month.values()) > 0


def test_an_edited_candidate_is_replayed_without_saving_anything(live_history):
    rules_before = list(Rule.objects.values_list("pk", "points", "active"))
    current = current_candidate()
    stricter = Candidate(
        "Stricter",
        tuple(Rule(**{f: getattr(r, f) for f in ("name", "dimension", "points", "event_type",
                 "attribute", "operator", "value", "max_times")}) for r in current.rules),
        Thresholds(65, None, 20, 10),
    )  # fmt: skip
    report = backtest.backtest_report(candidates=[current, stricter], period=PERIOD, now=NOW)
    _, a, b = report["columns"]
    assert 0 < b["mqls"] < a["mqls"]
    assert set(crossings(stricter)) < set(crossings(current))
    assert list(Rule.objects.values_list("pk", "points", "active")) == rules_before
    assert not RecomputeJob.objects.exists()


def test_each_figure_of_a_candidate_is_what_the_history_says(rule, rep):
    """Three leads ask for a demo (the only rule): the first becomes a client, the second
    an SQL, the third nothing; a fourth, taken by sales without a demo, is missed."""
    rule("Demo", 100, event_type="demo_requested")
    demo = T0 + timedelta(days=3)
    person(created=T0, events=[("demo_requested", demo)], mql=demo + timedelta(days=4),
           sql=demo + timedelta(days=5), qso=demo + timedelta(days=9),
           client=demo + timedelta(days=20))  # fmt: skip
    person(created=T0, events=[("demo_requested", demo + timedelta(days=40))],
           mql=demo + timedelta(days=41), sql=demo + timedelta(days=42))  # fmt: skip
    person(created=T0, events=[("demo_requested", demo + timedelta(days=50))])
    person(created=T0, events=[("email_opened", demo)], mql=demo + timedelta(days=1),
           sql=demo + timedelta(days=2))  # fmt: skip
    person(created=T0, events=[("demo_requested", demo + timedelta(days=120))])  # after it
    candidate = current_candidate()
    report = backtest.backtest_report(candidates=[candidate], period=PERIOD, now=NOW)
    column = report["columns"][1]
    assert column["mqls"] == 3
    assert column["became"] == {"sql": 2, "qso": 1, "client": 1}
    assert column["precision"]["sql"] == round(2 / 3, 4)
    assert column["recall"]["sql"] == {
        "reached": 3, "caught": 2, "rate": round(2 / 3, 4), "median_days_gained": 1.0
    }  # fmt: skip
    assert column["recall"]["client"] == {
        "reached": 1, "caught": 1, "rate": 1.0, "median_days_gained": 4.0
    }  # fmt: skip
    assert [m["mqls"] for m in column["months"]] == [1, 2, 0]
    assert report["columns"][0]["mqls"] == 3  # the real MQLs: the first, second and fourth


def test_a_crossing_after_sales_took_the_contact_is_no_mql(rule, rep):
    rule("Demo", 100, event_type="demo_requested")
    person(created=T0, events=[("email_opened", T0), ("demo_requested", T0 + timedelta(days=9))],
           mql=T0 + timedelta(days=1), sql=T0 + timedelta(days=2))  # fmt: skip
    column = backtest.backtest_report(candidates=[current_candidate()], period=PERIOD, now=NOW)[
        "columns"
    ][1]
    assert column["mqls"] == 0
    assert column["recall"]["sql"]["caught"] == 0


def test_engagement_fades_with_the_half_life_between_events(rule):
    """Two 40-point webinars 30 days apart with a 30-day half-life: 40 * 0.5 + 40 = 60."""
    rule("Webinar", 40, event_type="webinar_registered")
    second = T0 + timedelta(days=30)
    contact = person(
        created=T0, events=[("webinar_registered", T0), ("webinar_registered", second)]
    )
    fading = Candidate("Fading", current_candidate().rules, Thresholds(60, half_life_days=30))
    assert crossings(fading) == {contact.pk: second}
    faster = Candidate("Faster", current_candidate().rules, Thresholds(60, half_life_days=20))
    assert crossings(faster) == {}


def test_a_profile_that_passes_alone_crosses_when_the_contact_was_created(rule):
    rule("Big company", 70, dimension="fit", attribute="company_size", operator="gte", value=200)
    big = person(created=T0, company_size=500)
    person(created=T0, company_size=20)
    assert crossings(current_candidate()) == {big.pk: T0}


def test_a_history_longer_than_the_decay_can_span_is_replayed_from_each_contacts_own_start(rule):
    """A one-day half-life over three years: 1,000 halvings and more from the first stored
    event, so each contact's decay is counted from its own first event."""
    rule("Webinar", 40, event_type="webinar_registered")
    long_ago = T0 - timedelta(days=1100)
    contacts = {
        person(created=start, events=[("webinar_registered", start),
                                      ("webinar_registered", start + timedelta(days=1))]).pk:
        start + timedelta(days=1)
        for start in (long_ago, T0)
    }  # fmt: skip
    fast = Candidate("Fast", current_candidate().rules, Thresholds(60, half_life_days=1))
    assert replay._reference(NOW, [fast.thresholds.half_life_seconds]) is None
    assert crossings(fast) == contacts


CONDITIONS = [
    {"event_type": "page_viewed", "attribute": "url", "operator": "contains", "value": "pricing"},
    {"event_type": "page_viewed", "attribute": "url", "operator": "startswith", "value": "/car"},
    {"event_type": "page_viewed", "attribute": "url", "operator": "eq", "value": "/"},
    {"event_type": "page_viewed", "attribute": "url", "operator": "in", "value": ["/a", "/"]},
    {"event_type": "form_submitted"},
    {"attribute": "company_size", "operator": "gte", "value": 50},
    {"attribute": "job_title", "operator": "contains", "value": "head of"},
    {"attribute": "phone", "operator": "is_set", "value": True},
    {"attribute": "email_domain", "operator": "in", "value": ["gmail.com"]},
    {"attribute": "attributes.plan", "operator": "ne", "value": "free"},
]


def test_one_scan_tests_each_condition_as_scoring_does(plain_scoring):
    """The replay tests every rule in one pass (``scoring.conditions.rule_match``); each
    rule holds for exactly the rows scoring's own querysets give it."""
    for url, size, title, phone, email, plan in [
        ("/pricing", 10, "Head of Sales", "", "a@gmail.com", "free"),
        ("/careers", 80, "CEO", "+33 1", "b@acme.example", "pro"),
        ("/", None, "", "", "c@acme.example", None),
    ]:
        attributes = {"plan": plan} if plan else {}
        person(created=T0, events=[("page_viewed", T0, {"url": url}), ("form_submitted", T0)],
               company_size=size, job_title=title, phone=phone, email=email,
               attributes=attributes)  # fmt: skip
    rules = [Rule(name=f"r{n}", dimension="fit", points=1, **c) for n, c in enumerate(CONDITIONS)]
    for rows, kind in ((Activity.objects.order_by(), True), (Contact.objects.order_by(), False)):
        chosen = [rule for rule in rules if rule.is_event_rule == kind]
        slots = replay._Slots(chosen)
        scan, params = slots.flags(rows, ("id",), every=True)
        flags = {row[0]: row[1:] for row in sql.fetch(scan, params)}
        for rule in chosen:
            n = slots.of(rule)
            matched = {pk for pk, row in flags.items() if row[n]}
            expected = (property_queryset if kind else profile_queryset)(
                rule, rows.filter(type=rule.event_type) if kind else rows
            )
            assert matched == set(expected.values_list("pk", flat=True)), rule.name
