"""Signals that matter, on a hand-built history whose answer is known: a signal that drives
conversion gets a high lift and a noise signal none; what happens once sales took a lead is
no signal; small samples are flagged, not hidden."""

from datetime import UTC, datetime, timedelta
from datetime import date as day

import pytest

from evidence import conversion_signals as signals
from evidence import population, sql
from evidence.models import Target
from reporting.periods import Period

from .factories import person

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PERIOD = Period.of(day(2026, 1, 1), day(2026, 3, 31))
NOW = datetime(2026, 4, 15, tzinfo=UTC)
PERIOD_TO_NOW = Period.of(day(2026, 1, 1), day(2026, 4, 15))


@pytest.fixture
def history(rule):
    """200 leads: half asked for a demo, and 60% of them reached SQL against 10% of the
    others; half of each group opened an e-mail (noise); those who reached SQL registered
    for a webinar once sales had them; five started a trial."""
    rule("Demo requested", 50, event_type="demo_requested")
    rule("E-mail opened", 20, event_type="email_opened")
    for n in range(200):
        demo, opened = n < 100, n % 2 == 0
        converted = n % 100 < (60 if demo else 10)
        lead = T0 + timedelta(hours=7 * n)
        page = "/pricing" if demo else ("/blog" if opened else "/")
        events = [("page_viewed", lead, {"url": page})]
        events += [("demo_requested", lead + timedelta(hours=1))] * demo
        events += [("email_opened", lead + timedelta(hours=2))] * opened
        events += [("trial_started", lead + timedelta(hours=3))] * (n % 40 == 1)
        sql = lead + timedelta(days=2) if converted else None
        if sql:
            events.append(("webinar_registered", sql + timedelta(hours=5)))
        client = sql + timedelta(days=20) if sql and demo and n % 2 else None
        person(created=lead, events=events, lead=lead, mql=sql, sql=sql, client=client,
               job_title="CMO" if n % 3 else "Student")  # fmt: skip


def report(target=Target.SQL, min_support=30):
    return signals.signals_report(
        period=PERIOD, window_days=90, min_support=min_support, target=target, now=NOW
    )


def by_key(found):
    return {row["key"]: row for row in found["signals"]}


def test_a_signal_that_drives_conversion_gets_a_high_lift_and_ranks_first(history):
    found = report()
    demo = by_key(found)["event:demo_requested"]
    assert found["population"] == {"contacts": 200, "sql": 70, "client": 30}
    assert (demo["contacts"], demo["sql"]["converted_with"]) == (100, 60)
    assert demo["sql"]["lift"] == 6.0 and demo["sql"]["lift_interval"][0] > 3
    assert demo["sql"]["z"] > 7
    assert demo["rules"] == [
        {"id": demo["rules"][0]["id"], "name": "Demo requested", "points": 50}
    ]
    top = {row["key"] for row in found["signals"][:3]}  # three names of the same leads
    assert top == {
        "event:demo_requested",
        "recency:demo_requested:0",
        "property:page_viewed:url=/pricing",
    }


def test_a_noise_signal_gets_no_lift(history):
    opened = by_key(report())["event:email_opened"]
    assert opened["contacts"] == 100
    assert opened["sql"]["lift"] == 1.0 and opened["sql"]["z"] == 0.0
    low, high = opened["sql"]["lift_interval"]
    assert low < 1 < high


def test_what_happens_after_sales_took_a_lead_is_no_signal(history):
    keys = by_key(report())
    assert not any(key.startswith(("event:webinar", "recency:webinar")) for key in keys)


def test_small_samples_are_flagged_not_hidden(history):
    trial = by_key(report())["event:trial_started"]
    assert (trial["contacts"], trial["small_sample"]) == (5, True)
    assert not by_key(report())["event:demo_requested"]["small_sample"]


def test_the_other_outcome_and_profile_values_are_compared_too(history):
    found = by_key(report(Target.CLIENT))
    assert found["event:demo_requested"]["client"]["lift"] is None  # no client without one
    student = found["profile:job_title=Student"]
    assert student["family"] == "profile" and student["contacts"] == 67


def test_the_others_are_observed_as_long_as_the_leads_who_converted(history):
    observation = population.Observation(PERIOD, 90, NOW)
    assert set(population.times_to_sql(observation)) == {timedelta(days=2)}


def test_a_lead_not_yet_seen_as_long_as_the_others_is_left_out(history):
    """The others are observed two days after becoming leads: one who became a lead
    yesterday and has not converted is not compared yet; one who converted already is."""
    yesterday = NOW - timedelta(days=1)
    waiting = person(created=yesterday, events=[("email_opened", yesterday)])
    sql_at = yesterday + timedelta(hours=3)
    taken = person(created=yesterday, events=[("email_opened", yesterday)], mql=sql_at, sql=sql_at)
    with population.population(population.Observation(PERIOD_TO_NOW, 90, NOW)) as table:
        observed = {contact for (contact,) in sql.fetch(f"SELECT contact_id FROM {table}")}
    assert taken.pk in observed and waiting.pk not in observed
    assert len(observed) == 201
