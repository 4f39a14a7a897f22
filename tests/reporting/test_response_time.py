"""The speed-to-lead report on hand-computed scenarios: time from each MQL hand-off to the
first touch (an outbound call, e-mail or meeting, or an answer), its bands and their SQL
rate, in wall-clock and working minutes."""

from datetime import timedelta
from decimal import Decimal

import pytest

from reporting.periods import Period
from reporting.selectors import GroupBy, response_time_report
from sales import services as sales_services
from sla import services as sla_services
from sla.models import ClockKind

from .conftest import at

pytestmark = pytest.mark.django_db
MARCH = Period.of(at("2026-03-01").date(), at("2026-03-31").date())


def touch(walk_, when, **fields):
    fields = {"kind": "call", "direction": "outbound", "outcome": "no_answer", **fields}
    sales_services.activities_log(
        by=walk_.contact.owner or walk_.rep,
        entries=[{"contact": walk_.contact, "occurred_at": when, **fields}],
    )


@pytest.fixture
def march(walk, rep, other_rep):
    """Seven hand-offs on Monday 2 March at 10:00 (UTC):
    a: called after 3 min, then accepted                 lt_5m   SQL
    b: e-mailed after 20 min (a note at 1 min: no touch)  5m_30m
    c: inbound call at 10 min, outbound at 45 min         30m_1h
    d: accepted after 2 h, never called                   1h_4h   SQL
    e: called after 5 h                                   4h_24h
    f: called after 30 h (other rep)                      gte_24h
    g: never touched                                      none
    """
    start = at("2026-03-02", 10)
    walks = {}
    for name in "abcdefg":
        walks[name] = walk(start - timedelta(days=1)).lead(start - timedelta(hours=1))
        walks[name].mql(start, other_rep if name == "f" else rep)
    touch(walks["a"], start + timedelta(minutes=3))
    walks["a"].accept(start + timedelta(minutes=50))
    touch(walks["b"], start + timedelta(minutes=1), kind="note", direction="", outcome="")
    touch(walks["b"], start + timedelta(minutes=20), kind="email", outcome="sent")
    touch(walks["c"], start + timedelta(minutes=10), direction="inbound", outcome="connected")
    touch(walks["c"], start + timedelta(minutes=45))
    walks["d"].accept(start + timedelta(hours=2))
    touch(walks["e"], start + timedelta(hours=5))
    touch(walks["f"], start + timedelta(hours=30))
    return walks


def counts(line):
    return {key: band.count for key, band in line.bands.items()}


def test_each_hand_off_falls_in_the_band_of_its_first_touch(march):
    total = response_time_report(period=MARCH).total
    assert (total.handed_off, total.touched) == (7, 6)
    assert counts(total) == {
        "lt_5m": 1,
        "5m_30m": 1,
        "30m_1h": 1,
        "1h_4h": 1,
        "4h_24h": 1,
        "gte_24h": 1,
        "none": 1,
    }
    # Minutes to first touch: 3, 20, 45, 120, 300, 1800: median 82.5, p90 1050.
    assert total.median_minutes == 82.5
    assert total.p90_minutes == 1050.0
    assert total.bands["lt_5m"].sql_rate == 1.0 and total.bands["1h_4h"].sql_rate == 1.0
    assert total.bands["5m_30m"].sql_rate == 0.0 and total.bands["none"].sql_rate == 0.0


def test_per_rep_each_is_judged_on_their_own_hand_offs(march, rep, other_rep):
    report = response_time_report(period=MARCH, group_by=GroupBy.OWNER)
    by_rep = {line.key: line for line in report.groups}
    assert by_rep[str(rep.pk)].handed_off == 6 and by_rep[str(other_rep.pk)].handed_off == 1
    assert by_rep[str(other_rep.pk)].median_minutes == 1800.0
    assert counts(by_rep[str(other_rep.pk)])["gte_24h"] == 1


def test_working_minutes_skip_the_night_when_the_policy_has_business_hours(walk, rep):
    sla_services.policy_create(
        by=None,
        name="Call within 4 working hours",
        clock=ClockKind.MQL_RESPONSE,
        hours=Decimal(4),
        business_hours=True,
        time_zone="UTC",
        start_hour=9,
        end_hour=18,
    )
    friday_5pm = at("2026-03-06", 17)
    late = walk(friday_5pm - timedelta(days=1)).lead(friday_5pm - timedelta(hours=1))
    late.mql(friday_5pm)
    touch(late, at("2026-03-09", 10))  # Monday 10:00: 2 working hours, 65 wall-clock
    total = response_time_report(period=MARCH).total
    assert total.median_minutes == 65 * 60
    assert total.working_median_minutes == 120.0
    assert response_time_report(period=MARCH).business_hours


def test_the_report_over_http_and_as_csv(api, manager, march):
    client = api.as_user(manager)
    answer = client.get(
        "/api/v1/reports/response-time/", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert answer.status_code == 200
    total = answer.json()["total"]
    assert total["handed_off"] == 7 and total["bands"]["gte_24h"] == {"count": 1, "sql_rate": 0.0}
    csv = client.get(
        "/api/v1/reports/response-time/",
        {"start": "2026-03-01", "end": "2026-03-31", "group_by": "owner", "format": "csv"},
    )
    assert csv.status_code == 200 and b"bands.lt_5m.count" in csv.content


def test_reps_do_not_read_the_report(api, rep):
    answer = api.as_user(rep).get(
        "/api/v1/reports/response-time/", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert answer.status_code == 403


def test_the_dashboard_panel_charts_the_bands_and_ranks_the_reps(client, manager, march, rep):
    from tests.web.test_dashboard import chart

    client.force_login(manager)
    answer = client.get("/dashboard/panels/speed/?start=2026-03-01&end=2026-03-31")
    assert answer.status_code == 200
    spec = chart(answer, "speed")
    assert spec["series"][0]["values"] == [1, 1, 1, 1, 1, 1, 1]
    leaders = answer.context["leaders"]
    assert leaders[0].key == str(rep.pk)  # median 82.5 min before the other rep's 1,800
    assert "Fastest reps" in answer.content.decode()
