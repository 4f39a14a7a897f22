"""The stage stays follow every move in the move's own transaction, and a rebuild from the
history gives exactly the same rows: the proof that the projection is exact."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from leads import services, signals
from leads.models import Transition
from leads.stages import Move, Stage
from reporting.models import StageStay
from reporting.services import stays_rebuild
from tests.factories import CampaignFactory, ContactFactory
from tests.utils import receiving

from .conftest import at

pytestmark = pytest.mark.django_db

COLUMNS = (
    "contact_id",
    "stage",
    "entry_id",
    "entered_at",
    "exit_id",
    "left_at",
    "exit_move",
    "exit_stage",
    "exit_by_id",
    "duration",
    "owner_id",
    "campaign_id",
)


def stays() -> list[tuple]:
    return list(StageStay.objects.order_by("entry_id").values_list(*COLUMNS))


def test_each_stage_change_closes_the_open_stay_and_opens_the_next(walk, rep):
    contact = walk(at("2026-01-05", 9)).lead(at("2026-01-05", 10)).mql(at("2026-01-06", 10))
    contact.accept(at("2026-01-06", 14))
    lead, mql, sql = StageStay.objects.filter(contact=contact.contact).order_by("entry_id")
    assert (lead.stage, lead.duration, lead.exit_move) == ("lead", timedelta(days=1), "mark_mql")
    assert (mql.stage, mql.duration, mql.exit_move, mql.exit_stage) == (
        "mql",
        timedelta(hours=4),
        "accept",
        "sql",
    )
    assert mql.exit_by_id == rep.pk
    assert (sql.stage, sql.exit_id, sql.left_at, sql.duration) == ("sql", None, None, None)


def test_an_assignment_or_a_claim_does_not_end_a_stay_but_moves_its_owner(walk, rep, other_rep):
    contact = walk(at("2026-01-05")).mql(at("2026-01-06"), owner=rep)
    contact.assign(at("2026-01-07"), other_rep)
    (mql,) = StageStay.objects.filter(contact=contact.contact)
    assert mql.exit_id is None
    assert mql.owner_id == other_rep.pk


def test_a_skipped_stage_has_no_stay(walk):
    contact = walk(at("2026-01-05")).lead(at("2026-01-05", 13)).fast_track(at("2026-01-07"))
    stages = list(
        StageStay.objects.filter(contact=contact.contact).values_list("stage", flat=True)
    )
    assert stages == ["lead", "sql"]


def test_a_recycled_contact_that_comes_back_has_a_second_mql_stay(walk):
    contact = walk(at("2026-01-05")).lead(at("2026-01-05", 13)).mql(at("2026-01-06"))
    contact.reject(at("2026-01-07"), reason="No interest").lead(at("2026-02-01")).mql(
        at("2026-02-02")
    )
    stages = list(
        StageStay.objects.filter(contact=contact.contact).values_list("stage", flat=True)
    )
    assert stages == ["lead", "mql", "recycled", "lead", "mql"]


def test_changing_the_campaign_of_a_contact_moves_its_stays(walk, marketer):
    before, after = CampaignFactory(), CampaignFactory()
    contact = walk(at("2026-01-05"), campaign=before).lead(at("2026-01-06")).contact
    services.contact_update(contact=contact, by=marketer, campaign=after)
    assert set(
        StageStay.objects.filter(contact=contact).values_list("campaign_id", flat=True)
    ) == {after.pk}


def test_a_move_that_fails_after_the_stay_was_written_leaves_no_stay(walk):
    contact = walk(at("2026-01-05")).contact
    failing = receiving(signals.transitions_recorded, raising=RuntimeError("later receiver"))
    with failing, pytest.raises(RuntimeError):
        services.contact_engage(contact=contact, at=at("2026-01-06"))
    assert not StageStay.objects.filter(contact=contact).exists()
    assert not Transition.objects.filter(contact=contact).exists()


def test_bulk_moves_record_their_stays(marketer):
    contacts = ContactFactory.create_batch(3)
    when = {c.pk: at("2026-01-05", 8 + n) for n, c in enumerate(contacts)}
    services.contacts_move_bulk(move=Move.ENGAGE, at_by_id=when, reason="Event batch")
    assert sorted(StageStay.objects.values_list("contact_id", "stage", "entered_at")) == sorted(
        (pk, "lead", moment) for pk, moment in when.items()
    )


def test_the_rebuild_from_the_history_gives_the_very_rows_kept_move_by_move(walk, rep, other_rep):
    """Skips, recycles, reassignment, erasure, simultaneous and back-dated moves, a campaign
    change: kept incrementally, then rebuilt from the transitions alone."""
    campaign = CampaignFactory()
    walk(at("2026-01-05"), campaign=campaign).lead(at("2026-01-05", 13)).mql(
        at("2026-01-06")
    ).accept(at("2026-01-06", 15)).qualify(at("2026-01-20")).win(at("2026-02-03"))
    same_time = at("2026-01-07", 9)
    walk(at("2026-01-07")).lead(same_time).mql(same_time).reject(at("2026-01-08"), recycle=False)
    walk(at("2026-01-08")).lead(at("2026-01-09")).fast_track(at("2026-01-10")).lose(
        at("2026-01-30")
    )
    recycled = walk(at("2026-01-09"), campaign=campaign).lead(at("2026-01-10"))
    recycled.mql(at("2026-01-11")).reject(at("2026-01-12")).lead(at("2026-01-15")).mql(
        at("2026-01-16"), owner=other_rep
    )
    # A late event: the move is recorded after the previous one but dated before it.
    late = walk(at("2026-01-10")).lead(at("2026-01-20")).mql(at("2026-01-19"))
    late.assign(at("2026-01-21"), other_rep).erase()
    ContactFactory()  # never moved: no stay
    kept = stays()
    assert len(kept) == Transition.objects.exclude(move__in=[Move.ASSIGN, Move.CLAIM]).count()

    assert stays_rebuild() == len(kept)

    assert stays() == kept


def test_the_rebuild_command_replaces_stays_lost_by_a_bulk_load(walk):
    walk(at("2026-01-05")).lead(at("2026-01-06")).mql(at("2026-01-07"))
    kept = stays()
    StageStay.objects.all().delete()  # as after loading transitions with COPY

    call_command("rebuild_stays", stdout=StringIO())

    assert stays() == kept


def test_a_contact_never_has_two_open_stays(walk):
    contact = walk(at("2026-01-05")).lead(at("2026-01-06")).contact
    entry = Transition.objects.create(
        contact=contact,
        move=Move.MARK_MQL,
        from_stage=Stage.LEAD,
        to_stage=Stage.MQL,
        at=at("2026-01-07"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        StageStay.objects.create(
            contact=contact, stage=Stage.MQL, entry=entry, entered_at=entry.at
        )
