"""Double opt-in: the person is no lead until they follow the signed link of the e-mail."""

import re

import pytest
from django.core import mail

from capture import tasks
from capture.models import Submission
from capture.services import form_save
from leads.models import Contact
from scoring.models import Activity

pytestmark = pytest.mark.django_db

VALID = {"email": "grace@example.com", "company": "Navy", "consent": "on"}


@pytest.fixture
def opt_in_form(web_form):
    return form_save(by=None, form=web_form, double_opt_in=True)


@pytest.fixture
def queued(monkeypatch):
    """The e-mails sent to the worker, as (submission, site)."""
    sent: list[tuple] = []
    monkeypatch.setattr(tasks.confirmation_send, "delay", lambda *args: sent.append(args))
    return sent


def test_nothing_is_a_lead_until_the_link_is_followed(
    client, opt_in_form, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/f/{opt_in_form.key}/", VALID)
    assert "follow its link" in response.content.decode()
    assert queued == [(Submission.objects.get().pk, "http://testserver/", "en")]
    assert tasks.confirmation_send(*queued[0]) is True  # what the worker runs
    assert not Contact.objects.exists() and not Activity.objects.exists()
    assert Submission.objects.get().confirmed_at is None
    (message,) = mail.outbox
    assert message.to == ["grace@example.com"]
    link = re.search(r"http://testserver(/f/confirm/\S+/)", message.body).group(1)

    confirmed = client.get(link)
    assert confirmed.status_code == 200 and "confirmed" in confirmed.content.decode()
    contact = Contact.objects.get()
    assert contact.email == "grace@example.com" and contact.company == "Navy"
    assert Submission.objects.get().contact == contact
    assert client.get(link).status_code == 200  # twice: still one lead, one event
    assert Contact.objects.count() == 1 and Activity.objects.count() == 1


def test_a_forged_link_is_a_404(client, opt_in_form):
    assert client.get("/f/confirm/not-a-token/").status_code == 404
    assert not Contact.objects.exists()
