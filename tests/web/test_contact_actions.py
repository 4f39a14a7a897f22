"""Stage actions from the contact page and the queue rows, through the lifecycle services."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from leads.models import Contact
from leads.stages import Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def act(contact, action: str) -> str:
    return reverse("leads:contact_action", args=[contact.pk, action])


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def offered(response) -> list[str]:
    return [action.slug for action, _ in response.context["actions"]]


def test_the_contact_page_offers_only_what_the_user_may_do(login, marketer, rep, manager):
    lead = ContactFactory(stage=Stage.LEAD)
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    detail = reverse("leads:contact_detail", args=[lead.pk])
    assert offered(login(marketer).get(detail)) == ["mark-mql", "disqualify"]
    mql_page = reverse("leads:contact_detail", args=[mql.pk])
    assert offered(login(rep).get(mql_page)) == ["accept", "reject"]
    assert offered(login(manager).get(mql_page)) == ["accept", "reject", "assign"]
    assert offered(login(marketer).get(mql_page)) == []


def test_a_rep_claims_from_the_shared_queue_before_accepting(login, rep):
    shared = ContactFactory(stage=Stage.MQL, owner=None)
    page = reverse("leads:contact_detail", args=[shared.pk])
    assert offered(login(rep).get(page)) == ["claim"]


def test_accepting_moves_the_mql_and_says_so(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep, first_name="Ada", last_name="Byron")
    response = login(rep).post(act(mql, "accept"))
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:contact_detail", args=[mql.pk])
    assert Contact.objects.get(pk=mql.pk).stage == Stage.SQL
    assert "Ada Byron accepted: now an SQL." in texts(response)


def test_an_action_the_stage_no_longer_allows_is_an_error_message_not_a_change(login, rep):
    sql = ContactFactory(stage=Stage.SQL, owner=rep, first_name="Ada", last_name="Byron")
    response = login(rep).post(act(sql, "accept"))
    assert response.status_code == 302
    assert Contact.objects.get(pk=sql.pk).stage == Stage.SQL
    assert texts(response) == ["Could not accept Ada Byron: the contact is SQL."]
    assert sql.transitions.count() == 0


def test_rejecting_without_a_reason_shows_the_error_on_the_form(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    response = login(rep).post(act(mql, "reject"), {"reason": " "})
    assert response.status_code == 400
    reject = next(f for action, f in response.context["actions"] if action.slug == "reject")
    assert "reason" in reject.errors
    assert b'id="id_reject_reason_error"' in response.content
    assert Contact.objects.get(pk=mql.pk).stage == Stage.MQL


def test_rejecting_for_good_disqualifies(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    login(rep).post(act(mql, "reject"), {"reason": "Student", "recycle": "false"})
    contact = Contact.objects.get(pk=mql.pk)
    assert contact.stage == Stage.DISQUALIFIED
    assert contact.transitions.get().reason == "Student"


def test_rejecting_recycles_by_default(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    login(rep).post(act(mql, "reject"), {"reason": "Bad fit"})
    assert Contact.objects.get(pk=mql.pk).stage == Stage.RECYCLED


def test_qualifying_records_the_budget_and_the_close_date(login, rep):
    sql = ContactFactory(stage=Stage.SQL, owner=rep)
    response = login(rep).post(
        act(sql, "qualify"), {"budget": "5000", "currency": "eur", "close_by": "2026-09-30"}
    )
    contact = Contact.objects.get(pk=sql.pk)
    assert (contact.stage, contact.budget, contact.currency) == (Stage.QSO, Decimal(5000), "EUR")
    assert contact.close_by == date(2026, 9, 30)
    assert any("an opportunity of 5,000 EUR" in text for text in texts(response))


def test_a_budget_the_service_refuses_comes_back_on_its_field(login, rep):
    sql = ContactFactory(stage=Stage.SQL, owner=rep)
    response = login(rep).post(
        act(sql, "qualify"), {"budget": "0", "currency": "EUR", "close_by": "2026-09-30"}
    )
    assert response.status_code == 400
    qualify = next(f for action, f in response.context["actions"] if action.slug == "qualify")
    assert qualify.errors["budget"] == ["The budget must be greater than zero."]
    assert Contact.objects.get(pk=sql.pk).stage == Stage.SQL


def test_winning_and_losing_close_the_deal(login, rep):
    qso = ContactFactory(stage=Stage.QSO, owner=rep, currency="EUR")
    sql = ContactFactory(stage=Stage.SQL, owner=rep)
    client = login(rep)
    client.post(act(qso, "win"), {"amount": "4800"})
    client.post(act(sql, "lose"), {"reason": "No budget"})
    won = Contact.objects.get(pk=qso.pk)
    assert (won.stage, won.won_amount) == (Stage.CLIENT, Decimal(4800))
    assert Contact.objects.get(pk=sql.pk).stage == Stage.LOST


def test_a_rep_cannot_act_on_another_reps_contact(login, rep, other_rep):
    mql = ContactFactory(stage=Stage.MQL, owner=other_rep)
    response = login(rep).post(act(mql, "accept"))
    assert response.status_code == 403
    assert Contact.objects.get(pk=mql.pk).stage == Stage.MQL


def test_marketing_cannot_accept_even_a_visible_mql(login, marketer, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    assert login(marketer).post(act(mql, "accept")).status_code == 403
    assert Contact.objects.get(pk=mql.pk).stage == Stage.MQL


def test_an_unknown_action_is_a_404_and_reading_an_action_is_refused(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    client = login(rep)
    assert client.post(act(mql, "teleport")).status_code == 404
    assert client.get(act(mql, "accept")).status_code == 405


def test_actions_need_the_csrf_token(client, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    client.handler.enforce_csrf_checks = True
    client.force_login(rep)
    assert client.post(act(mql, "accept")).status_code == 403
    assert Contact.objects.get(pk=mql.pk).stage == Stage.MQL


# --- From a queue row, with htmx ---------------------------------------------------------

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/queue/"}


def test_htmx_accept_answers_with_the_redrawn_row_and_the_message(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep, first_name="Ada", last_name="Byron")
    response = login(rep).post(act(mql, "accept"), headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="queue-row-{mql.pk}" class="done">')
    assert 'id="messages" class="messages" aria-live="polite" hx-swap-oob="true"' in body
    assert "Ada Byron accepted: now an SQL." in body
    assert "HX-Request" in response["Vary"]


def test_htmx_conflict_answers_409_with_the_current_state_and_why(login, rep):
    sql = ContactFactory(stage=Stage.SQL, owner=rep, first_name="Ada", last_name="Byron")
    response = login(rep).post(act(sql, "accept"), headers=HTMX)
    assert response.status_code == 409
    assert "Could not accept Ada Byron: the contact is SQL." in response.content.decode()


def test_htmx_reject_without_reason_is_a_400_with_the_message(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    response = login(rep).post(act(mql, "reject"), {"reason": ""}, headers=HTMX)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Contact.objects.get(pk=mql.pk).stage == Stage.MQL


def test_htmx_rows_send_the_no_script_fallback_back_to_the_page_not_the_action(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=None)
    body = login(rep).post(act(mql, "claim"), headers=HTMX).content.decode()
    assert 'name="next" value="/queue/"' in body
    assert Contact.objects.get(pk=mql.pk).owner == rep


def test_the_no_script_queue_form_comes_back_to_the_queue(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    response = login(rep).post(act(mql, "accept"), {"next": reverse("leads:my_queue")})
    assert response["Location"] == reverse("leads:my_queue")
