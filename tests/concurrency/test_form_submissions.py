"""Two people (or one double click) sending a form with the same address at the same moment:
one contact, both submissions kept, each its own scored event."""

import threading

import pytest
from django.db import connection

from capture.models import Submission
from capture.services import form_save, submission_take
from leads.models import Contact
from scoring.models import Activity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_address_submitted_twice_at_once_makes_one_contact():
    form = form_save(by=None, name="Contact us", consent_text="OK", fields=["company"])
    start, errors = threading.Barrier(2), []

    def send(company: str):
        try:
            start.wait(timeout=10)
            submission_take(
                form=form,
                cleaned={"email": "ada@example.com", "company": company},
                tracking={},
                address="192.0.2.1",
                site="http://testserver/",
            )
        except Exception as error:  # the test reports it, a thread would swallow it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(name,)) for name in ("Engines", "Babbage")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    contact = Contact.objects.get()
    assert contact.company in ("Engines", "Babbage")
    assert Submission.objects.filter(contact=contact).count() == 2
    assert Activity.objects.filter(contact=contact, type="form_submitted").count() == 2
