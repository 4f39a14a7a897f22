"""Two senders logging the same call at once (a dialer retrying while its first request is
still in flight): the call is stored and counted once."""

import threading

import pytest
from django.db import connection

from leads.models import Contact, LeadStatus
from sales import services
from sales.models import SalesActivity
from tests.sla.conftest import make_mql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_external_id_sent_twice_at_once_is_stored_once(rep):
    contact = make_mql(owner=rep)
    call = {
        "contact": contact,
        "kind": "call",
        "direction": "outbound",
        "outcome": "connected",
        "external_id": "dialer-42",
    }
    start, answers, errors = threading.Barrier(2), [], []

    def send():
        try:
            start.wait(timeout=10)
            answers.append(services.activities_log(by=rep, entries=[call]))
        except Exception as error:  # the test reports it, a thread would swallow it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(duplicates for _, duplicates in answers) == [0, 1]
    assert len({activities[0].pk for activities, _ in answers}) == 1
    assert SalesActivity.objects.filter(external_id="dialer-42").count() == 1
    assert Contact.objects.get(pk=contact.pk).lead_status == LeadStatus.CONNECTED
