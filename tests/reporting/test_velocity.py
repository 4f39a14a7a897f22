"""The velocity report against hand-computed times: time in stage, the wait for the first
sales action (a claim or an assignment is not one), and the share handled within the SLA."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q

from leads import services
from reporting.aggregates import grouped, percentile_cont, sorts_in_memory, spreads_in_python
from reporting.models import StageStay
from reporting.periods import Period
from reporting.selectors import GroupBy, velocity_report
from tests.sla.conftest import make_policy

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = at("2026-03-23", 12)


@pytest.fixture
def march(walk, rep, other_rep):
    """MQL waits of 2 h, 10 h, 60 h and 5 h (a claim first), one waiting 72 h, one 10 h,
    under a 48 h policy (each hand-off due 48 h after it was made)."""
    make_policy(hours=48)
    walk(at("2026-03-01")).lead(at("2026-03-02", 9)).mql(at("2026-03-03", 9)).accept(
        at("2026-03-03", 11)
    ).qualify(at("2026-03-13", 11))  # m1
    walk(at("2026-03-01")).lead(at("2026-03-02", 10)).mql(at("2026-03-04", 10)).reject(
        at("2026-03-04", 20)
    )  # m2
    walk(at("2026-03-01")).lead(at("2026-03-03", 9)).mql(
        at("2026-03-05", 9), owner=other_rep
    ).accept(at("2026-03-07", 21))  # m3: late
    walk(at("2026-03-01")).lead(at("2026-03-04", 9)).mql(
        at("2026-03-20", 12), owner=other_rep
    )  # m4
    walk(at("2026-03-01")).lead(at("2026-03-05", 9)).mql(at("2026-03-23", 2))  # m5: pending
    walk(at("2026-03-01")).lead(at("2026-03-06", 9)).fast_track(at("2026-03-07", 9))  # m6
    m7 = walk(at("2026-03-01")).lead(at("2026-03-08", 9))
    services.contact_mark_mql(contact=m7.contact, by=None, at=at("2026-03-09", 9))
    services.contact_claim(contact=m7.contact, by=rep, at=at("2026-03-09", 10))
    m7.accept(at("2026-03-09", 14))


def velocity(**options):
    period = Period.of(date(2026, 3, 1), date(2026, 3, 31))
    return velocity_report(period=period, sla_hours=48.0, now=NOW, **options)


def spread(line) -> tuple:
    return (line.count, line.median_hours, line.p90_hours)


def test_time_in_each_stage_has_its_median_and_90th_percentile(march):
    stages = velocity().total.stages
    # Leads: 24, 24, 24, 48, 48, 387, 425 h; p90 sits 40% of the way from 387 to 425.
    assert spread(stages["lead"]) == (7, 48.0, 402.2)
    assert stages["lead"].still_there == 0
    assert spread(stages["mql"]) == (4, 7.5, 45.0)
    assert stages["mql"].still_there == 2
    assert (spread(stages["sql"]), stages["sql"].still_there) == ((1, 240.0, 240.0), 3)
    assert (spread(stages["qso"]), stages["qso"].still_there) == ((0, None, None), 1)


def test_the_wait_runs_from_the_hand_off_to_the_first_accept_or_reject(march):
    total = velocity().total
    # 2, 5 (claimed after 1 h, accepted after 5), 10 and 60 hours.
    assert spread(total.first_action) == (4, 7.5, 45.0)
    assert total.verdict == "within_sla"


def test_sla_compliance_counts_in_time_late_overdue_and_pending(march):
    sla = velocity().total.sla
    assert (sla.handed_off, sla.in_time, sla.late, sla.overdue, sla.pending) == (6, 3, 1, 1, 1)
    assert sla.share_within_sla == 0.6  # 3 / (3 + 1 + 1): the pending one is not judged yet


def test_per_rep_figures_judge_each_rep_on_the_hand_offs_made_to_them(march):
    groups = {line.label: line for line in velocity(group_by=GroupBy.OWNER).groups}
    assert list(groups) == ["rep", "rep2"]
    mine, theirs = groups["rep"], groups["rep2"]
    assert spread(mine.first_action) == (3, 5.0, 9.0)
    assert (mine.sla.share_within_sla, mine.verdict) == (1.0, "within_sla")
    assert spread(theirs.first_action) == (1, 60.0, 60.0)
    assert (theirs.sla.late, theirs.sla.overdue, theirs.sla.share_within_sla) == (1, 1, 0.0)
    assert theirs.verdict == "over_sla"


@pytest.mark.parametrize("group_by", list(GroupBy))
def test_the_total_is_the_same_whatever_the_grouping(march, group_by):
    assert velocity(group_by=group_by).total == velocity().total


def test_no_handoff_means_no_verdict_and_no_share(db):
    total = velocity().total
    assert total.verdict is None
    assert total.sla.share_within_sla is None
    assert spread(total.stages["lead"]) == (0, None, None)


def test_percentile_cont_interpolates_between_the_two_nearest_ranks():
    assert percentile_cont([1.0], 0.9) == 1.0
    assert percentile_cont([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile_cont([10.0, 20.0, 30.0, 40.0, 50.0], 0.9) == 46.0
    assert percentile_cont([], 0.5) is None


@pytest.mark.postgres
def test_python_percentiles_give_the_very_numbers_of_postgresql(db):
    """SQLite computes percentiles in Python: on the same durations (to the microsecond,
    some over a day, some negative) they equal PostgreSQL's percentile_cont bit for bit."""
    rng = random.Random(5)
    StageStay.objects.bulk_create(
        StageStay(
            contact_id=n,
            stage=("lead", "mql", "sql")[n % 3],
            entry_id=n,
            entered_at=NOW,
            exit_id=10_000 + n,
            duration=timedelta(microseconds=rng.randint(-(10**9), 10**13)),
        )
        for n in range(1, 400)
    )
    stays = StageStay.objects.all()
    found = grouped(stays, ["stage"], spreads={"spread": Q()})
    in_postgres = {(row["stage"],): row["spread"] for row in found}
    assert in_postgres == spreads_in_python(stays, ["stage"], "duration")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # no test transaction around: SET LOCAL must end
def test_a_report_sorts_in_memory_for_its_own_transaction_only(settings):
    settings.REPORTS_WORK_MEM = "32MB"

    def work_mem() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return cursor.fetchone()[0]

    before = work_mem()
    with sorts_in_memory():
        assert work_mem() == "32MB"
    assert work_mem() == before
