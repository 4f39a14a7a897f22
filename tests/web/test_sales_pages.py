"""The sales pages: the quick log and tasks beside a contact, a touch logged from a queue
row, the one timeline, the queue's tasks due today and its sort by lead status."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Contact, LeadStatus
from sales import reminders, services
from sales.models import SalesActivity, SalesTask
from sla.models import StopsOn
from tests.factories import ContactFactory
from tests.sla.conftest import make_mql, make_policy

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def log_url(contact):
    return reverse("sales:activity_log", args=[contact.pk])


def test_a_rep_logs_a_call_from_the_contact_page_and_comes_back_to_it(login, rep):
    contact = make_mql(owner=rep)
    client = login(rep)
    panel = client.get(reverse("sales:contact_panel", args=[contact.pk]))
    assert "Log a touch" in panel.content.decode()
    kinds = panel.context["log_form"]["kind"]
    assert [(radio.data["value"], radio.data["selected"]) for radio in kinds][:2] == [
        ("call", True),
        ("email", False),
    ]  # radios, the call chosen: one keystroke less
    answer = client.post(
        log_url(contact), {"kind": "call", "direction": "outbound", "outcome": "connected"}
    )
    assert answer.status_code == 302
    assert answer.url == reverse("leads:contact_detail", args=[contact.pk])
    assert Contact.objects.get(pk=contact.pk).lead_status == LeadStatus.CONNECTED
    page = client.get(answer.url).content.decode()
    assert "Call logged on" in page and "lead-status-connected" in page


def test_the_panel_loaded_with_the_page_leaves_the_pages_message_alone(login, rep):
    """An empty out-of-band #messages in the panel wiped out the message after a move."""
    contact = make_mql(owner=rep)
    panel = login(rep).get(reverse("sales:contact_panel", args=[contact.pk]), **HTMX)
    assert 'id="messages"' not in panel.content.decode()


def test_a_wrong_log_comes_back_on_its_form_with_nothing_stored(login, rep):
    contact = make_mql(owner=rep)
    answer = login(rep).post(
        log_url(contact),
        {"kind": "meeting", "direction": "outbound", "outcome": "voicemail"},
        **HTMX,
    )
    assert answer.status_code == 400
    assert answer.context["log_form"].errors["outcome"]
    assert not SalesActivity.objects.exists()


def test_a_touch_logged_from_the_queue_redraws_its_row(login, rep):
    make_policy(hours=1, stops_on=StopsOn.FIRST_TOUCH)
    contact = make_mql(owner=rep, at=timezone.now() - timedelta(minutes=10))
    client = login(rep)
    assert f'action="{log_url(contact)}"' in client.get(reverse("leads:my_queue")).content.decode()
    row = client.post(
        log_url(contact),
        {"kind": "call", "direction": "outbound", "outcome": "no_answer", "row": "1"},
        **HTMX,
    )
    body = row.content.decode()
    assert row.status_code == 200 and f'id="queue-row-{contact.pk}"' in body
    assert "lead-status-attempting" in body and "Call logged on" in body
    assert Contact.objects.get(pk=contact.pk).sla_due_at is None  # the clock was answered


def test_the_log_button_is_on_the_reps_own_rows_only(login, rep):
    shared = make_mql()
    body = login(rep).get(reverse("leads:my_queue")).content.decode()
    assert f'action="{log_url(shared)}"' not in body


def test_marketers_get_the_note_form_only(login, marketer):
    contact = ContactFactory()
    client = login(marketer)
    panel = client.get(reverse("sales:contact_panel", args=[contact.pk])).content.decode()
    assert 'name="kind" value="note"' in panel and "Plan a task" not in panel
    assert (
        client.post(log_url(contact), {"kind": "note", "body": "Called the desk"}).status_code
        == 302
    )
    assert (
        client.post(log_url(contact), {"kind": "call", "direction": "outbound"}).status_code == 403
    )


def test_a_rep_cannot_see_the_timeline_of_someone_elses_contact(login, rep, other_rep):
    contact = make_mql(owner=other_rep)
    url = reverse("sales:contact_timeline", args=[contact.pk])
    assert login(rep).get(url).status_code == 403


def test_the_timeline_holds_every_kind_and_filters_by_one(login, rep):
    contact = make_mql(owner=rep)
    services.activities_log(
        by=rep,
        entries=[
            {"contact": contact, "kind": "call", "direction": "outbound", "subject": "Intro call"},
            {"contact": contact, "kind": "note", "body": "Prefers e-mail"},
        ],
    )
    services.task_create(by=rep, contact=contact, title="Send the deck", due_at=timezone.now())
    url = reverse("sales:contact_timeline", args=[contact.pk])
    client = login(rep)
    everything = client.get(url).context["entries"]
    assert {entry.type for entry in everything} == {"move", "activity", "task"}
    calls = client.get(url, {"show": "call"}).context["entries"]
    assert [entry.item.subject for entry in calls] == ["Intro call"]
    assert [e.item.title for e in client.get(url, {"show": "task"}).context["entries"]] == [
        "Send the deck"
    ]


def test_completing_a_call_task_offers_to_log_the_call(login, rep):
    contact = make_mql(owner=rep)
    task = services.task_create(
        by=rep, contact=contact, title="Call back", kind="call", due_at=timezone.now()
    )
    answer = login(rep).post(reverse("sales:task_complete", args=[task.pk]))
    assert answer.status_code == 302 and answer.url.endswith("?log=call#log")
    assert SalesTask.objects.get().done_at is not None
    panel = login(rep).get(reverse("sales:contact_panel", args=[contact.pk]), {"log": "call"})
    assert panel.context["log_form"]["kind"].value() == "call"


def test_the_queue_shows_the_tasks_due_today_overdue_first(login, rep):
    contact = make_mql(owner=rep)
    now = timezone.now()
    services.task_create(by=rep, contact=contact, title="Later today", due_at=now)
    services.task_create(
        by=rep, contact=contact, title="Yesterday's", due_at=now - timedelta(days=1)
    )
    services.task_create(
        by=rep, contact=contact, title="Next week", due_at=now + timedelta(days=7)
    )
    panel = login(rep).get(reverse("sales:my_tasks"))
    assert [t.title for t in panel.context["tasks"]] == ["Yesterday's", "Later today"]


def test_the_queue_sorts_by_lead_status(login, rep):
    now = timezone.now()
    reached = make_mql(owner=rep, at=now - timedelta(hours=3))
    untouched = make_mql(owner=rep, at=now - timedelta(hours=2))
    services.activities_log(
        by=rep,
        entries=[
            {"contact": reached, "kind": "call", "direction": "outbound", "outcome": "connected"}
        ],
    )
    response = login(rep).get(reverse("leads:my_queue"), {"sort": "status"})
    assert [row.contact.pk for row in response.context["mine"]] == [untouched.pk, reached.pk]


def test_a_reminded_task_rings_the_bell_and_waits_on_the_notifications_until_done(login, rep):
    contact = make_mql(owner=rep)
    task = services.task_create(
        by=rep, contact=contact, title="Call back", due_at=timezone.now() - timedelta(minutes=1)
    )
    client = login(rep)
    assert "bell-count" not in client.get(reverse("sla:notification_badge")).content.decode()
    reminders.tasks_remind()
    assert (
        '<span class="bell-count">1</span>'
        in client.get(reverse("sla:notification_badge")).content.decode()
    )
    page = client.get(reverse("sla:notification_list")).content.decode()
    assert "Tasks due" in page and "Call back" in page
    done = client.post(
        reverse("sales:task_complete", args=[task.pk]),
        {"next": reverse("sla:notification_list")},
    )
    assert done.status_code == 302
    assert "bell-count" not in client.get(reverse("sla:notification_badge")).content.decode()
    assert "Tasks due" not in client.get(reverse("sla:notification_list")).content.decode()
