"""The verdict on a hand-off, in Python and in SQL: the same answer for the same times."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from leads.models import Contact
from sla.models import Clock, ClockKind
from sla.verdicts import Verdict, verdict, verdict_case
from tests.sla.conftest import make_policy

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("acted", "stopped", "expected"),
    [
        (DUE, DUE, Verdict.IN_TIME),  # answered at the deadline itself
        (DUE + HOUR, DUE + HOUR, Verdict.LATE),
        (None, None, Verdict.OVERDUE),  # still running, deadline passed
        (None, DUE + HOUR, Verdict.OVERDUE),  # reassigned after the miss: the miss stays
        (None, DUE - HOUR, Verdict.WITHDRAWN),  # reassigned before the deadline
    ],
)
def test_the_verdict_of_a_hand_off(acted, stopped, expected):
    assert verdict(due_at=DUE, acted_at=acted, stopped_at=stopped, now=NOW) == expected


def test_a_hand_off_not_yet_due_is_pending():
    assert verdict(due_at=NOW + HOUR, acted_at=None, stopped_at=None, now=NOW) == Verdict.PENDING


def test_the_sql_verdict_equals_the_python_one_on_random_hand_offs():
    """300 hand-offs with random deadlines, answers and stops around ``NOW`` (the ties
    included): the CASE the reports count with gives what ``verdict`` says for each."""
    rng = random.Random(13)
    policy = make_policy()
    contacts = Contact.objects.bulk_create(Contact(email=f"v{n}@example.com") for n in range(300))

    def moment() -> datetime:
        return NOW + timedelta(hours=rng.randint(-50, 50))

    clocks = []
    for contact in contacts:
        due = moment()
        stopped = rng.choice([None, moment(), due, NOW])
        clocks.append(
            Clock(
                contact=contact,
                policy=policy,
                kind=ClockKind.MQL_RESPONSE,
                started_at=NOW - timedelta(days=5),
                due_at=due,
                stopped_at=stopped,
                acted_at=rng.choice([None, stopped]),
            )
        )
    Clock.objects.bulk_create(clocks)
    found = dict(
        Clock.objects.annotate(
            verdict=verdict_case(due="due_at", acted="acted_at", stopped="stopped_at", now=NOW)
        ).values_list("pk", "verdict")
    )
    expected = {
        clock.pk: verdict(
            due_at=clock.due_at, acted_at=clock.acted_at, stopped_at=clock.stopped_at, now=NOW
        )
        for clock in Clock.objects.all()
    }
    assert found == expected
    assert set(expected.values()) == set(Verdict)  # every verdict was tried
