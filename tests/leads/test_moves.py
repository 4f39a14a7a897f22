"""Every move from every stage: allowed ones land where they should, the rest change nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leads import services
from leads.errors import StageConflict
from leads.models import Contact, Transition
from leads.stages import Move, Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

S = Stage
# Written out here, independently of leads.stages: (stages it may start from, where it goes).
EXPECTED = {
    Move.ENGAGE: ({S.CONTACT, S.RECYCLED}, S.LEAD),
    Move.MARK_MQL: ({S.CONTACT, S.LEAD, S.RECYCLED}, S.MQL),
    Move.ACCEPT: ({S.MQL}, S.SQL),
    Move.FAST_TRACK: ({S.CONTACT, S.LEAD, S.RECYCLED}, S.SQL),
    Move.REJECT: ({S.MQL}, S.RECYCLED),
    Move.QUALIFY: ({S.SQL}, S.QSO),
    Move.WIN: ({S.QSO}, S.CLIENT),
    Move.LOSE: ({S.SQL, S.QSO}, S.LOST),
    Move.DISQUALIFY: ({S.CONTACT, S.LEAD, S.RECYCLED}, S.DISQUALIFIED),
    Move.ASSIGN: ({S.CONTACT, S.LEAD, S.MQL, S.SQL, S.QSO, S.RECYCLED}, None),
}


def make_move(move: Move, contact: Contact, by, rep):
    calls = {
        Move.ENGAGE: lambda: services.contact_engage(contact=contact, by=by),
        Move.MARK_MQL: lambda: services.contact_mark_mql(contact=contact, by=by),
        Move.ACCEPT: lambda: services.contact_accept(contact=contact, by=by),
        Move.FAST_TRACK: lambda: services.contact_fast_track(
            contact=contact, by=by, reason="Demo"
        ),
        Move.REJECT: lambda: services.contact_reject(contact=contact, by=by, reason="Bad fit"),
        Move.QUALIFY: lambda: services.contact_qualify(
            contact=contact,
            by=by,
            budget=Decimal("5000"),
            currency="eur",
            close_by=date(2027, 3, 1),
        ),
        Move.WIN: lambda: services.contact_win(contact=contact, by=by, amount=Decimal("4800")),
        Move.LOSE: lambda: services.contact_lose(contact=contact, by=by, reason="No budget"),
        Move.DISQUALIFY: lambda: services.contact_disqualify(
            contact=contact, by=by, reason="Spam"
        ),
        Move.ASSIGN: lambda: services.contact_assign(contact=contact, by=by, owner=rep),
    }
    return calls[move]()


@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("move", list(EXPECTED))
def test_move_is_allowed_exactly_from_its_source_stages(move, stage, manager, rep):
    contact = ContactFactory(stage=stage, owner=rep)
    sources, target = EXPECTED[move]
    if stage in sources:
        make_move(move, contact, manager, rep)
        contact.refresh_from_db()
        assert contact.stage == (target or stage)
        transition = Transition.objects.get(contact=contact)
        assert (transition.move, transition.from_stage, transition.actor) == (move, stage, manager)
    else:
        with pytest.raises(StageConflict) as conflict:
            make_move(move, contact, manager, rep)
        assert conflict.value.stage == stage
        contact.refresh_from_db()
        assert contact.stage == stage
        assert not Transition.objects.filter(contact=contact).exists()


def test_reject_without_recycling_disqualifies(rep):
    contact = ContactFactory(stage=Stage.MQL, owner=rep)
    services.contact_reject(contact=contact, by=rep, reason="Competitor", recycle=False)
    contact.refresh_from_db()
    assert contact.stage == Stage.DISQUALIFIED


def test_skipping_to_sql_counts_lead_and_mql_as_reached(rep):
    contact = ContactFactory(stage=Stage.CONTACT, owner=rep)
    services.contact_fast_track(contact=contact, by=rep, reason="Asked for a demo on the phone")
    contact.refresh_from_db()
    assert contact.lead_at == contact.mql_at == contact.sql_at == contact.stage_changed_at
    assert contact.qso_at is None


def test_first_reached_time_is_kept_when_a_recycled_lead_comes_back(rep):
    contact = ContactFactory()
    services.contact_mark_mql(contact=contact, by=None)
    first_mql = Contact.objects.get(pk=contact.pk).mql_at
    contact.owner = rep
    contact.save()
    services.contact_reject(contact=contact, by=rep, reason="Too early")
    services.contact_mark_mql(contact=contact, by=None)
    contact.refresh_from_db()
    assert contact.mql_at == first_mql
    assert contact.stage_changed_at > first_mql


@pytest.mark.parametrize("move", [Move.REJECT, Move.LOSE, Move.FAST_TRACK, Move.DISQUALIFY])
def test_moves_that_need_a_reason_refuse_a_blank_one(move, manager):
    stage = next(iter(EXPECTED[move][0]))
    contact = ContactFactory(stage=stage)
    service = {
        Move.REJECT: services.contact_reject,
        Move.LOSE: services.contact_lose,
        Move.FAST_TRACK: services.contact_fast_track,
        Move.DISQUALIFY: services.contact_disqualify,
    }[move]
    with pytest.raises(ValidationError) as error:
        service(contact=contact, by=manager, reason="   ")
    assert "reason" in error.value.message_dict
    contact.refresh_from_db()
    assert contact.stage == stage
    assert not contact.transitions.exists()


def test_a_rep_cannot_accept_another_reps_mql(rep, other_rep):
    contact = ContactFactory(stage=Stage.MQL, owner=other_rep)
    with pytest.raises(PermissionDenied):
        services.contact_accept(contact=contact, by=rep)
    contact.refresh_from_db()
    assert contact.stage == Stage.MQL


@pytest.mark.parametrize(
    ("role_fixture", "move", "stage"),
    [
        ("marketer", Move.ACCEPT, Stage.MQL),
        ("marketer", Move.WIN, Stage.QSO),
        ("rep", Move.MARK_MQL, Stage.LEAD),
        ("rep", Move.DISQUALIFY, Stage.LEAD),
        ("rep", Move.ASSIGN, Stage.MQL),
        ("marketer", Move.ASSIGN, Stage.MQL),
        ("nobody", Move.MARK_MQL, Stage.LEAD),
    ],
)
def test_roles_without_the_right_are_refused(role_fixture, move, stage, request, rep):
    actor = request.getfixturevalue(role_fixture)
    contact = ContactFactory(stage=stage, owner=rep)
    with pytest.raises(PermissionDenied):
        make_move(move, contact, actor, rep)
    assert not contact.transitions.exists()


def test_the_system_may_promote_without_an_actor():
    contact = ContactFactory(stage=Stage.LEAD)
    services.contact_mark_mql(contact=contact, by=None, reason="Score 72 crossed 60")
    transition = contact.transitions.get()
    assert transition.actor is None
    assert transition.reason == "Score 72 crossed 60"


def test_assigning_to_someone_who_is_not_a_rep_is_refused(manager, marketer):
    contact = ContactFactory(stage=Stage.MQL)
    with pytest.raises(ValidationError):
        services.contact_assign(contact=contact, by=manager, owner=marketer)
    contact.refresh_from_db()
    assert contact.owner is None


def test_qualify_and_win_record_the_deal_on_the_contact_and_in_the_history(rep):
    contact = ContactFactory(stage=Stage.SQL, owner=rep)
    services.contact_qualify(
        contact=contact, by=rep, budget=Decimal("5000"), currency="eur", close_by=date(2027, 2, 1)
    )
    services.contact_win(contact=contact, by=rep, amount=Decimal("4500.50"))
    contact.refresh_from_db()
    assert (contact.budget, contact.currency, contact.won_amount) == (
        Decimal("5000"),
        "EUR",
        Decimal("4500.50"),
    )
    qualify, win = contact.transitions.order_by("id")
    assert qualify.data == {"budget": "5000", "currency": "EUR", "close_by": "2027-02-01"}
    assert win.data == {"amount": "4500.50", "currency": "EUR"}


def test_a_zero_budget_is_refused(rep):
    contact = ContactFactory(stage=Stage.SQL, owner=rep)
    with pytest.raises(ValidationError):
        services.contact_qualify(
            contact=contact, by=rep, budget=Decimal("0"), currency="EUR", close_by=date(2027, 1, 1)
        )


def test_a_rep_claims_an_unassigned_mql_from_the_shared_queue(rep):
    contact = ContactFactory(stage=Stage.MQL)
    services.contact_claim(contact=contact, by=rep)
    contact.refresh_from_db()
    assert (contact.stage, contact.owner) == (Stage.MQL, rep)
    assert contact.transitions.get().move == Move.CLAIM


def test_an_assigned_mql_cannot_be_claimed(rep, other_rep):
    contact = ContactFactory(stage=Stage.MQL, owner=other_rep)
    with pytest.raises(StageConflict):
        services.contact_claim(contact=contact, by=rep)
    contact.refresh_from_db()
    assert contact.owner == other_rep


@pytest.mark.parametrize("stage", [s for s in Stage if s != Stage.MQL])
def test_only_mqls_can_be_claimed(stage, rep):
    with pytest.raises(StageConflict):
        services.contact_claim(contact=ContactFactory(stage=stage), by=rep)


def test_a_conflict_says_what_could_not_be_done_and_why(rep):
    contact = ContactFactory(stage=Stage.SQL, owner=rep)
    with pytest.raises(StageConflict) as conflict:
        services.contact_accept(contact=contact, by=rep)
    assert str(conflict.value) == "Cannot accept: the contact is SQL."
    assert conflict.value.why == "the contact is SQL"


@pytest.mark.parametrize(
    ("user", "stage", "move", "expected"),
    [
        ("rep", Stage.MQL, Move.ACCEPT, True),
        ("other_rep", Stage.MQL, Move.ACCEPT, False),
        ("rep", Stage.LEAD, Move.ACCEPT, False),
        ("marketer", Stage.MQL, Move.ACCEPT, False),
        ("marketer", Stage.LEAD, Move.MARK_MQL, True),
        ("manager", Stage.MQL, Move.ASSIGN, True),
        ("rep", Stage.MQL, Move.CLAIM, False),  # assigned already
    ],
)
def test_can_move_offers_exactly_what_the_move_would_accept(
    request, rep, user, stage, move, expected
):
    contact = ContactFactory(stage=stage, owner=rep)
    assert services.can_move(request.getfixturevalue(user), contact, move) is expected


def test_the_contact_passed_in_shows_its_new_owner_after_a_move(manager, rep):
    contact = ContactFactory(stage=Stage.MQL)
    assert contact.owner is None  # caches the relation
    services.contact_assign(contact=contact, by=manager, owner=rep)
    assert contact.owner == rep
