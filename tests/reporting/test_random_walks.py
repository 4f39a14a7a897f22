"""Random walks through the funnel, then every figure of the funnel (cohort), hand-off and
velocity (hand-offs and their verdicts, per rep and for the team) reports compared with a
slow, obvious reference computed here in plain Python from the history rows alone."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from leads import services as leads
from leads.models import Contact, Transition
from leads.stages import FUNNEL, Move, Stage
from reporting.periods import Period
from reporting.selectors import GroupBy, funnel_report, handoff_report, velocity_report
from tests.factories import ContactFactory
from tests.sla.conftest import make_policy

pytestmark = pytest.mark.django_db

START = datetime(2026, 2, 25, tzinfo=UTC)
NOW = datetime(2026, 4, 2, tzinfo=UTC)
MARCH = Period.of(date(2026, 3, 1), date(2026, 3, 31))
SLA = timedelta(hours=48)


class Walker:
    """One contact's random walk, every move through the lifecycle services."""

    def __init__(self, rng: random.Random, reps: list, manager):
        self.rng, self.reps, self.manager = rng, reps, manager
        self.at = START + timedelta(hours=rng.randint(0, 30 * 24))
        self.contact = ContactFactory(created_at=self.at)

    def later(self, most_hours: int = 60) -> datetime:
        self.at += timedelta(
            hours=self.rng.randint(1, most_hours), minutes=self.rng.randint(0, 59)
        )
        return self.at

    def walk(self) -> None:
        if self.rng.random() < 0.15:
            return  # never engages
        leads.contact_engage(contact=self.contact, at=self.later())
        for _ in range(self.rng.choice([1, 1, 2])):  # a recycled contact may come back
            if self.rng.random() < 0.2 or not self.pass_through_mql():
                return
            leads.contact_engage(contact=self.contact, at=self.later())

    def pass_through_mql(self) -> bool:
        """One MQL pass; True when it ended recycled (so it may come back)."""
        leads.contact_mark_mql(contact=self.contact, by=None, at=self.later())
        if self.contact.owner_id is None and self.rng.random() < 0.3:
            leads.contact_claim(
                contact=self.contact, by=self.rng.choice(self.reps), at=self.later(5)
            )
        else:
            self.assign(self.rng.choice(self.reps))
        if self.rng.random() < 0.3:  # a manager hands it to someone else
            self.assign(self.rng.choice([r for r in self.reps if r.pk != self.contact.owner_id]))
        fate = self.rng.random()
        if fate < 0.15:
            return False  # still waiting
        owner = self.contact.owner
        if fate < 0.55:
            leads.contact_accept(contact=self.contact, by=owner, at=self.later(80))
            if self.rng.random() < 0.5:
                leads.contact_qualify(
                    contact=self.contact,
                    by=owner,
                    budget=Decimal("5000"),
                    currency="EUR",
                    close_by=date(2026, 6, 30),
                    at=self.later(),
                )
                if self.rng.random() < 0.5:
                    leads.contact_win(
                        contact=self.contact, by=owner, amount=Decimal("4000"), at=self.later()
                    )
            return False
        recycle = self.rng.random() < 0.7
        leads.contact_reject(
            contact=self.contact, by=owner, reason="Not now", recycle=recycle, at=self.later(80)
        )
        return recycle

    def assign(self, rep) -> None:
        leads.contact_assign(contact=self.contact, by=self.manager, owner=rep, at=self.later(10))


def reference(contacts: list[Contact]) -> dict:
    """The figures, from the ``Transition`` rows and the 48 h policy, by hand."""
    ref = {"cohort": Counter(), "handoff": Counter(), "team": Counter(), "reps": {}}
    for contact in contacts:
        moves = list(Transition.objects.filter(contact=contact).order_by("pk"))
        first_seen = min([contact.created_at, *(m.at for m in moves)])
        if MARCH.start_at <= first_seen < MARCH.end_at:
            ref["cohort"]["contact"] += 1
            reached = [FUNNEL.index(m.to_stage) for m in moves if m.to_stage in FUNNEL]
            for index in range(max(reached, default=-1) + 1):
                ref["cohort"][FUNNEL[index].value] += 1
        for index, entry in enumerate(moves):
            entered = entry.to_stage == Stage.MQL and entry.from_stage != Stage.MQL
            if entered and MARCH.start_at <= entry.at < MARCH.end_at:
                judge_pass(moves[index:], ref)
    return ref


def judge_pass(moves: list[Transition], ref: dict) -> None:
    entry, rest = moves[0], moves[1:]
    leaving = next((m for m in rest if m.to_stage != Stage.MQL), None)
    during = rest[: rest.index(leaving)] if leaving else rest
    ref["handoff"]["passed"] += 1
    outcome = leaving.move if leaving else "waiting"
    ref["handoff"][outcome] += 1
    answer = leaving.at if leaving and leaving.move in (Move.ACCEPT, Move.REJECT) else None
    ref["team"][verdict(entry.at + SLA, answer, leaving.at if leaving else None)] += 1
    # Hand-offs to reps: the owner at the entry (a returning recycled contact keeps its
    # owner), filled by the first assignment, replaced (a new deadline) by each later one.
    owner = owner_before(entry)
    handoffs = [[owner, entry.at]]
    for move in during:
        if handoffs[-1][0] is None:
            handoffs[-1][0] = move.data["owner"]
        elif move.data["owner"] != handoffs[-1][0]:
            handoffs.append([move.data["owner"], move.at])
    for n, (rep, started) in enumerate(handoffs):
        last = n == len(handoffs) - 1
        stopped = (leaving.at if leaving else None) if last else handoffs[n + 1][1]
        judged = verdict(started + SLA, answer if last else None, stopped)
        ref["reps"].setdefault(rep, Counter())[judged] += 1


def owner_before(entry: Transition) -> int | None:
    earlier = Transition.objects.filter(
        contact_id=entry.contact_id, pk__lt=entry.pk, move__in=(Move.ASSIGN, Move.CLAIM)
    ).last()
    return earlier.data["owner"] if earlier else None


def verdict(due: datetime, answered: datetime | None, stopped: datetime | None) -> str:
    if answered is not None:
        return "in_time" if answered <= due else "late"
    if due <= (stopped or NOW):
        return "overdue"
    return "pending" if stopped is None else "withdrawn"


def counts(sla) -> dict:
    names = ("in_time", "late", "overdue", "pending", "withdrawn")
    return {name: getattr(sla, name) for name in names if getattr(sla, name)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reports_equal_a_replay_of_the_history(seed, rep, other_rep, manager):
    make_policy(hours=48)
    rng = random.Random(seed)
    walkers = [Walker(rng, [rep, other_rep], manager) for _ in range(40)]
    for walker in walkers:
        walker.walk()
    ref = reference([Contact.objects.get(pk=w.contact.pk) for w in walkers])

    funnel = funnel_report(period=MARCH).total.counts
    assert {stage: n for stage, n in funnel.items() if n} == dict(ref["cohort"])

    handoff = handoff_report(period=MARCH).total
    assert (handoff.passed, handoff.accepted, handoff.rejected, handoff.waiting) == (
        ref["handoff"]["passed"],
        ref["handoff"][Move.ACCEPT],
        ref["handoff"][Move.REJECT],
        ref["handoff"]["waiting"],
    )

    velocity = velocity_report(period=MARCH, sla_hours=48, group_by=GroupBy.OWNER, now=NOW)
    assert velocity.total.sla.handed_off == ref["handoff"]["passed"]
    assert counts(velocity.total.sla) == dict(ref["team"])
    per_rep = {
        (int(line.key) if line.key else None): counts(line.sla)
        for line in velocity.groups
        if line.sla.handed_off
    }
    assert per_rep == {rep_id: dict(found) for rep_id, found in ref["reps"].items()}
