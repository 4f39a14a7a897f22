"""The reports' rollups (reporting.rollups) against the rows they summarise.

Random walks through the lifecycle services, with touches from several campaigns, and
everything else that moves a contact between cells: reassignment, a change of campaign,
back-dated activity, a UTM value mapped to a campaign, a touch removed, erasure, merges and
their undo, a contact deleted. Then every funnel (under each attribution model), trends,
targets and hand-off figure read from the rollups is compared with the same report counted
from the rows, before and after the changes are folded, and the folded cells with a rebuild
from scratch."""

import random
from datetime import date, timedelta
from io import StringIO

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command

from leadfunnel.celery import app
from leads import services as leads
from leads.merging import contacts_merge, merge_undo
from leads.models import Contact, Touch, TouchSource
from leads.touches import TouchIn, touches_record, utm_map
from reporting import rollups
from reporting.models import (
    CreditChange,
    CreditCount,
    CreditMonth,
    ReachedCampaignCount,
    ReachedCampaignMonth,
    ReachedChange,
    ReachedCount,
    ReachedMonth,
    Target,
)
from reporting.periods import Period
from reporting.selectors import (
    GroupBy,
    Mode,
    Scope,
    funnel_report,
    handoff_report,
    targets_report,
    trends_report,
)
from reporting.selectors import funnel as funnel_module
from reporting.selectors import handoff as handoff_module
from reporting.selectors import targets as targets_module
from reporting.selectors.attribution import MULTI_TOUCH
from tests.factories import CampaignFactory
from tests.reporting.test_random_walks import Walker

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PERIODS = [
    Period.of(date(2026, 3, 1), date(2026, 3, 31)),
    Period.of(date(2026, 2, 20), date(2026, 4, 10)),
    Period.of(date(2026, 3, 9), date(2026, 3, 9)),
]


UNMAPPED = "spring-sale"  # a utm_campaign value no campaign claims until the shuffle


def touch_at_random(rng: random.Random, walker: Walker, campaigns) -> None:
    """Up to four touches from the contact's first day to its last move, a few of them
    carrying a UTM value no campaign claims yet; one INSERT, as an event batch writes."""
    first = walker.contact.created_at
    span = max((walker.at - first).total_seconds(), 3600)
    touches = []
    for _ in range(rng.randint(0, 4)):
        at = first + timedelta(seconds=rng.uniform(-3 * 86400, span))
        if rng.random() < 0.2:
            utm = TouchIn(walker.contact.pk, at, TouchSource.EVENT, utm_campaign=UNMAPPED)
            touches.append(utm)
        else:
            campaign = rng.choice(campaigns).pk
            touches.append(TouchIn(walker.contact.pk, at, TouchSource.EVENT, campaign))
    touches_record(touches)


def shuffle_the_cells(rng: random.Random, walkers: list[Walker], manager, campaigns) -> None:
    """What else moves contacts between cells, chosen at random."""
    contacts = [Contact.objects.get(pk=w.contact.pk) for w in walkers]
    rng.shuffle(contacts)
    utm_map(campaign=campaigns[0], values=[UNMAPPED], by=manager)  # their credit moves
    Touch.objects.filter(pk__in=Touch.objects.order_by("?").values("pk")[:3]).delete()
    for contact in contacts[:5]:  # a marketer corrects the campaign
        leads.contact_update(contact=contact, by=manager, campaign=rng.choice(campaigns))
    for contact in contacts[5:10]:  # older activity synced later
        leads.contacts_seen(at_by_id={contact.pk: contact.first_seen_at - timedelta(days=9)})
    for contact in contacts[10:13]:
        leads.contact_erase(contact=Contact.objects.get(pk=contact.pk), by=manager)
    named = Walker(rng, [manager], manager)  # a rejection's reason that names the person
    leads.contact_engage(contact=named.contact, at=named.later())
    leads.contact_mark_mql(contact=named.contact, by=None, at=named.later())
    named.assign(walkers[0].reps[0])
    reason = f"{named.contact.email} asked us to stop"
    leads.contact_reject(
        contact=named.contact, by=named.contact.owner, reason=reason, at=named.later()
    )
    leads.contact_erase(contact=Contact.objects.get(pk=named.contact.pk), by=manager)
    pairs = list(zip(contacts[13:19:2], contacts[14:20:2], strict=True))
    merges = [
        contacts_merge(survivor=Contact.objects.get(pk=a.pk), other=b, by=manager)
        for a, b in pairs
    ]
    merge_undo(merge=merges[0], by=manager)
    Walker(rng, [], manager).contact.delete()  # a contact with no history yet
    touched = Walker(rng, [], manager)  # one with touches: they go first, then the contact
    touches_record([TouchIn(touched.contact.pk, touched.at, TouchSource.EVENT, campaigns[1].pk)])
    touched.contact.delete()


def figures(monkeypatch, *, from_rollup: bool) -> list:
    """Every funnel, trends, targets and hand-off figure over the periods, modes and
    groupings."""
    for module in (funnel_module, targets_module, handoff_module):
        monkeypatch.setattr(module, "rollups_ready", lambda tz, r=from_rollup: r)
    found = []
    for period in PERIODS:
        for group_by in (None, *GroupBy):
            report = handoff_report(period=period, group_by=group_by)
            found.append([vars(line) for line in [*report.groups, report.total]])
        for mode in Mode:
            for group_by in (None, *GroupBy):
                report = funnel_report(period=period, mode=mode, group_by=group_by)
                found.append([(g.key, g.counts, g.cost) for g in [*report.groups, report.total]])
                for model in MULTI_TOUCH:
                    report = funnel_report(
                        period=period, mode=mode, group_by=group_by, attribution=model
                    )
                    found.append([_credited(g) for g in [*report.groups, report.total]])
            found.append([m.counts for m in trends_report(period=period, mode=mode).months])
        found.append([(t.stage, t.actual) for t in targets_report(period=period).targets])
    return found


def _credited(line) -> tuple:
    """A funnel line under a multi-touch model: the rollup keeps each contact's share to
    twelve places, the statement in floating point, so credits agree to nine."""
    counts = {stage: round(float(credit), 9) for stage, credit in line.counts.items()}
    return line.key, counts, line.cost


def folded_cells(model=ReachedCount) -> set:
    cells = model.objects.exclude(n=0)
    return set(cells.values_list("mode", "stage", "day", "campaign_id", "owner_id", "n"))


def folded_unowned(model=ReachedCampaignCount) -> set:
    cells = model.objects.exclude(n=0)
    return set(cells.values_list("mode", "stage", "day", "campaign_id", "n"))


def folded_credits(model=CreditCount) -> set:
    cells = model.objects.exclude(n=0)
    keys = ("model", "mode", "stage", "day", "credited_id", "n")
    return set(cells.values_list(*keys))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_gives_every_figure_the_contacts_give(
    seed, monkeypatch, rep, other_rep, manager
):
    campaigns = CampaignFactory.create_batch(3)
    for stage in ("lead", "mql", "client"):
        Target.objects.create(stage=stage, month=date(2026, 3, 1), goal=10)
    rng = random.Random(seed)
    walkers = []
    for _ in range(40):
        walker = Walker(rng, [rep, other_rep], manager)
        leads.contact_update(contact=walker.contact, by=manager, campaign=rng.choice(campaigns))
        walker.walk()
        touch_at_random(rng, walker, campaigns)
        walkers.append(walker)
    rollups.rollups_fold()  # so that the shuffle's changes fold into cells that exist
    shuffle_the_cells(rng, walkers, manager, campaigns)
    assert rollups.rollups_ready(PERIODS[0].tz)

    counted = figures(monkeypatch, from_rollup=False)
    assert ReachedChange.objects.exists() and CreditChange.objects.exists()
    assert figures(monkeypatch, from_rollup=True) == counted

    assert rollups.rollups_fold() > 0
    assert not ReachedChange.objects.exists() and not CreditChange.objects.exists()
    assert figures(monkeypatch, from_rollup=True) == counted
    reasons = handoff_report(period=PERIODS[1]).total.reasons  # erased out of the rollup too
    assert any("asked us to stop" in reason for reason in reasons)
    assert not any("@" in reason for reason in reasons)

    incremental = (
        folded_cells(),
        folded_cells(ReachedMonth),
        folded_unowned(),
        folded_unowned(ReachedCampaignMonth),
        folded_credits(),
        folded_credits(CreditMonth),
    )
    rollups.rollups_rebuild()
    assert (
        folded_cells(),
        folded_cells(ReachedMonth),
        folded_unowned(),
        folded_unowned(ReachedCampaignMonth),
        folded_credits(),
        folded_credits(CreditMonth),
    ) == incremental


def test_a_report_limited_to_a_rep_or_a_channel_reads_the_same_from_the_rollup(
    monkeypatch, rep, other_rep, manager
):
    rng = random.Random(7)
    campaign = CampaignFactory(channel="webinar")
    for _ in range(25):
        walker = Walker(rng, [rep, other_rep], manager)
        if rng.random() < 0.5:
            leads.contact_update(contact=walker.contact, by=manager, campaign=campaign)
        walker.walk()
    for scope in (Scope(owner=rep.pk), Scope(channel="webinar"), Scope(campaign=campaign.pk)):
        both = []
        for from_rollup in (False, True):
            monkeypatch.setattr(funnel_module, "rollups_ready", lambda tz, r=from_rollup: r)
            report = funnel_report(period=PERIODS[1], scope=scope, group_by=GroupBy.MONTH)
            both.append([(g.key, g.counts) for g in [*report.groups, report.total]])
        assert both[0] == both[1]
        assert any(both[0][-1][1].values())


def test_a_score_update_writes_no_change_to_the_rollup(manager):
    contact = Walker(random.Random(1), [], manager).contact
    before = ReachedChange.objects.count()
    Contact.objects.filter(pk=contact.pk).update(score=42, fit_score=40, engagement_score=2)
    assert ReachedChange.objects.count() == before


def test_a_rollup_built_for_another_time_zone_is_not_read(settings, manager):
    settings.TIME_ZONE = "America/New_York"
    assert not rollups.rollups_ready(Period.of(date(2026, 3, 1), date(2026, 3, 2)).tz)
    rollups.rollups_rebuild()
    assert rollups.rollups_ready(Period.of(date(2026, 3, 1), date(2026, 3, 2)).tz)


def test_a_fold_waits_for_no_one_while_another_holds_the_lock(manager):
    """A second fold (or a fold during a rebuild) returns at once; the changes stay."""
    from django.db import connections

    Walker(random.Random(1), [], manager)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [rollups._LOCK])
            assert rollups.rollups_fold() == 0
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert ReachedChange.objects.exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_folds_the_changes_on_the_beat_schedule(redis_broker, finished, manager):
    walker = Walker(random.Random(3), [], manager)
    leads.contact_engage(contact=walker.contact, at=walker.later())
    pending = ReachedChange.objects.count()
    task_name = settings.CELERY_BEAT_SCHEDULE["reporting-fold-rollups"]["task"]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task(task_name)
        assert finished(task_name).wait(timeout=30)
    assert pending and not ReachedChange.objects.exists()
    first_seen = Contact.objects.get(pk=walker.contact.pk).first_seen_at.date()
    assert folded_cells() == {
        (mode, stage, day, None, None, 1)
        for mode, stage, day in [
            ("cohort", "contact", first_seen),
            ("cohort", "lead", first_seen),
            ("period", "contact", first_seen),
            ("period", "lead", walker.at.date()),
        ]
    }


def test_the_rebuild_command_counts_the_cells_again_from_the_rows(manager):
    walker = Walker(random.Random(5), [], manager)
    leads.contact_engage(contact=walker.contact, at=walker.later())
    for model in (ReachedCount, ReachedCampaignCount, ReachedChange, CreditCount, CreditChange):
        model.objects.all().delete()  # as if the triggers had missed the writes
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    # 4 funnel cells; and the contact's credit, all to no campaign: 5 models x 4 cells
    assert "Rebuilt 24 rollup cells" in out.getvalue()
    reached = {(mode, stage) for mode in ("cohort", "period") for stage in ("contact", "lead")}
    assert set(ReachedCount.objects.values_list("mode", "stage")) == reached
    assert set(ReachedCampaignCount.objects.values_list("mode", "stage")) == reached
    credits = CreditCount.objects.values_list("model", "mode", "stage", "credited_id", "n")
    assert set(credits) == {
        (model.value, mode, stage, None, 1) for model in MULTI_TOUCH for mode, stage in reached
    }
