"""Two people acting on the same contact at the same moment: one wins, the other is told."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads import signals
from leads.models import Contact
from leads.stages import Stage
from tests.factories import ContactFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*requests):
    """Run each (user, path, body) as an API request in its own thread and connection, all
    released at once; return the status codes in the order given."""
    barrier = threading.Barrier(len(requests))
    codes = [None] * len(requests)

    def worker(index, user, path, body):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            codes[index] = client.post(path, body, format="json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return codes


@pytest.fixture
def lingering_transactions():
    """Hold every move's transaction open a moment, so that the racers really overlap."""

    def linger(**kwargs):
        time.sleep(0.3)

    signals.transitions_recorded.connect(linger, weak=False)
    yield
    signals.transitions_recorded.disconnect(linger)


def test_two_people_accepting_the_same_mql_at_once_one_wins_one_gets_409(
    rep, manager, lingering_transactions
):
    contact = ContactFactory(stage=Stage.MQL, owner=rep)
    path = f"/api/v1/contacts/{contact.pk}/accept/"
    codes = race((rep, path, {}), (manager, path, {}))
    assert sorted(codes) == [200, 409]
    contact.refresh_from_db()
    assert contact.stage == Stage.SQL
    assert list(contact.transitions.values_list("move", flat=True)) == ["accept"]


def test_accept_and_reject_racing_leave_exactly_one_decision(rep, manager, lingering_transactions):
    contact = ContactFactory(stage=Stage.MQL, owner=rep)
    codes = race(
        (rep, f"/api/v1/contacts/{contact.pk}/accept/", {}),
        (manager, f"/api/v1/contacts/{contact.pk}/reject/", {"reason": "Duplicate"}),
    )
    assert sorted(codes) == [200, 409]
    contact.refresh_from_db()
    assert contact.transitions.count() == 1
    assert contact.stage == contact.transitions.get().to_stage


def test_two_reps_claiming_the_same_mql_one_gets_it(rep, other_rep, lingering_transactions):
    contact = ContactFactory(stage=Stage.MQL)
    path = f"/api/v1/contacts/{contact.pk}/claim/"
    codes = race((rep, path, {}), (other_rep, path, {}))
    assert sorted(codes) == [200, 409]
    assert Contact.objects.get(pk=contact.pk).owner in (rep, other_rep)
    assert contact.transitions.count() == 1
