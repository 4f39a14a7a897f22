"""The contacts API as integrators see it: codes, fields, errors, scoping."""

import pytest

from leads.models import Campaign, Contact
from leads.stages import Stage
from tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"


def detail(contact, action=""):
    return f"{URL}{contact.pk}/{action + '/' if action else ''}"


def test_a_contact_walks_the_whole_funnel_and_its_history_tells_who_and_why(
    api, marketer, manager, rep
):
    created = api.as_user(marketer).post(URL, {"email": "ada@example.com", "company": "Acme"})
    assert created.status_code == 201, created.json()
    contact = Contact.objects.get(pk=created.json()["id"])
    assert created.json()["stage"] == "contact"

    steps = [
        (marketer, "mark-mql", {"reason": "Asked for pricing"}, "mql"),
        (manager, "assign", {"owner": rep.pk}, "mql"),
        (rep, "accept", {"reason": "Called, real project"}, "sql"),
        (
            rep,
            "qualify",
            {"budget": "5000.00", "currency": "EUR", "close_by": "2027-03-01"},
            "qso",
        ),
        (rep, "win", {"amount": "4800.00"}, "client"),
    ]
    for user, action, body, stage in steps:
        response = api.as_user(user).post(detail(contact, action), body)
        assert response.status_code == 200, (action, response.json())
        assert response.json()["stage"] == stage

    body = api.as_user(manager).get(detail(contact)).json()
    assert (body["budget"], body["currency"], body["won_amount"]) == ("5000.00", "EUR", "4800.00")
    assert body["client_at"] and body["mql_at"] <= body["sql_at"] <= body["client_at"]

    history = api.as_user(manager).get(detail(contact, "history")).json()["results"]
    assert [(h["from_stage"], h["to_stage"], h["actor"]) for h in history] == [
        ("contact", "mql", marketer.pk),
        ("mql", "mql", manager.pk),
        ("mql", "sql", rep.pk),
        ("sql", "qso", rep.pk),
        ("qso", "client", rep.pk),
    ]
    assert history[0]["reason"] == "Asked for pricing"
    assert history[2]["reason"] == "Called, real project"
    assert history[3]["data"] == {"budget": "5000.00", "currency": "EUR", "close_by": "2027-03-01"}


@pytest.mark.parametrize(
    ("stage", "action", "body"),
    [
        (Stage.LEAD, "accept", {}),
        (Stage.SQL, "accept", {}),
        (Stage.MQL, "qualify", {"budget": "10", "currency": "EUR", "close_by": "2027-01-01"}),
        (Stage.SQL, "win", {"amount": "10"}),
        (Stage.CLIENT, "lose", {"reason": "Churned"}),
        (Stage.LEAD, "reject", {"reason": "Bad fit"}),
        (Stage.CLIENT, "mark-mql", {}),
        (Stage.DISQUALIFIED, "fast-track", {"reason": "Asked for a demo"}),
    ],
)
def test_an_out_of_order_move_is_a_409_naming_the_stage_and_changes_nothing(
    api, manager, rep, stage, action, body
):
    contact = ContactFactory(stage=stage, owner=rep)
    response = api.as_user(manager).post(detail(contact, action), body)
    assert response.status_code == 409
    assert response.json()["stage"] == stage
    assert "detail" in response.json()
    contact.refresh_from_db()
    assert contact.stage == stage
    assert not contact.transitions.exists()


def test_another_reps_accept_is_refused(api, rep, other_rep):
    contact = ContactFactory(stage=Stage.MQL, owner=other_rep)
    response = api.as_user(rep).post(detail(contact, "accept"))
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.stage == Stage.MQL


def test_a_reject_without_a_reason_is_a_400_on_the_reason_field(api, rep):
    contact = ContactFactory(stage=Stage.MQL, owner=rep)
    response = api.as_user(rep).post(detail(contact, "reject"), {"recycle": False})
    assert response.status_code == 400
    assert "reason" in response.json()
    contact.refresh_from_db()
    assert contact.stage == Stage.MQL


def test_reject_recycles_by_default_and_disqualifies_on_request(api, rep):
    recycled, out = (
        ContactFactory(stage=Stage.MQL, owner=rep),
        ContactFactory(stage=Stage.MQL, owner=rep),
    )
    api.as_user(rep).post(detail(recycled, "reject"), {"reason": "Too early"})
    api.as_user(rep).post(detail(out, "reject"), {"reason": "Competitor", "recycle": False})
    assert Contact.objects.get(pk=recycled.pk).stage == Stage.RECYCLED
    assert Contact.objects.get(pk=out.pk).stage == Stage.DISQUALIFIED


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("qualify", {"budget": "abc", "currency": "EUR", "close_by": "2027-01-01"}, "budget"),
        ("qualify", {"budget": "100", "currency": "EURO", "close_by": "2027-01-01"}, "currency"),
        ("qualify", {"budget": "100", "currency": "EUR", "close_by": "soon"}, "close_by"),
        ("qualify", {"budget": "0", "currency": "EUR", "close_by": "2027-01-01"}, "budget"),
    ],
)
def test_bad_qualification_data_is_a_400_on_its_field(api, rep, action, body, field):
    contact = ContactFactory(stage=Stage.SQL, owner=rep)
    response = api.as_user(rep).post(detail(contact, action), body)
    assert response.status_code == 400
    assert field in response.json()
    contact.refresh_from_db()
    assert contact.stage == Stage.SQL


def test_assigning_to_an_unknown_user_is_a_400(api, manager):
    contact = ContactFactory(stage=Stage.MQL)
    response = api.as_user(manager).post(detail(contact, "assign"), {"owner": 999999})
    assert response.status_code == 400
    assert "owner" in response.json()


def test_a_rep_claims_from_the_shared_queue_and_another_rep_can_no_longer_reach_it(
    api, rep, other_rep
):
    contact = ContactFactory(stage=Stage.MQL)
    assert api.as_user(rep).post(detail(contact, "claim")).json()["owner"] == rep.pk
    response = api.as_user(other_rep).post(detail(contact, "claim"))
    assert response.status_code == 403  # no longer in the shared queue other_rep may see


def test_creating_an_existing_email_in_another_case_is_a_409_with_its_id(api, marketer):
    existing = ContactFactory(email="ada@example.com")
    response = api.as_user(marketer).post(URL, {"email": "ADA@Example.com"})
    assert response.status_code == 409
    assert response.json()["id"] == existing.pk
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.com", "country": "XX"}, "country"),
        ({"email": "a@example.com", "company_size": -3}, "company_size"),
        ({"email": "a@example.com", "attributes": [1, 2]}, "attributes"),
        ({"email": "a@example.com", "campaign": 999999}, "campaign"),
    ],
)
def test_bad_contact_input_is_a_400_on_its_field_and_stores_nothing(api, marketer, body, field):
    response = api.as_user(marketer).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_read_only_fields_in_the_body_are_ignored(api, marketer, rep):
    response = api.as_user(marketer).post(
        URL, {"email": "a@example.com", "stage": "client", "score": 99, "owner": rep.pk}
    )
    assert response.status_code == 201
    contact = Contact.objects.get()
    assert (contact.stage, contact.score, contact.owner) == (Stage.CONTACT, 0, None)


def test_patch_edits_details_but_never_the_stage(api, marketer):
    contact = ContactFactory(stage=Stage.LEAD, company="Old")
    response = api.as_user(marketer).patch(detail(contact), {"company": "New", "stage": "client"})
    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.company, contact.stage) == ("New", Stage.LEAD)


def test_a_rep_edits_their_own_contact_but_not_anothers(api, rep, other_rep):
    mine, theirs = ContactFactory(owner=rep), ContactFactory(owner=other_rep)
    assert api.as_user(rep).patch(detail(mine), {"phone": "+33 1 23"}).status_code == 200
    assert api.as_user(rep).patch(detail(theirs), {"phone": "+33 1 23"}).status_code == 403


def test_delete_erases_the_person_and_keeps_the_anonymous_history(api, marketer, manager):
    contact = ContactFactory(email="eve@example.com", stage=Stage.LEAD)
    api.as_user(marketer).post(detail(contact, "mark-mql"), {"reason": "Webinar"})
    assert api.as_user(manager).delete(detail(contact)).status_code == 204
    assert api.as_user(manager).get(detail(contact)).status_code == 404
    erased = Contact.objects.get(pk=contact.pk)
    assert erased.email is None and erased.erased_at is not None
    assert erased.mql_at is not None
    assert erased.transitions.count() == 1
    assert api.as_user(manager).get(URL).json()["count"] == 0


def test_unknown_ids_are_404(api, manager):
    assert api.as_user(manager).get(f"{URL}999999/").status_code == 404
    assert api.as_user(manager).post(f"{URL}999999/accept/").status_code == 404


def test_unauthenticated_is_401_and_no_role_is_403(api, nobody):
    assert api.get(URL).status_code == 401
    assert api.as_user(nobody).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("user", "method", "expected"),
    [
        ("marketer", "post", 201),
        ("manager", "post", 201),
        ("rep", "post", 403),
        ("nobody", "post", 403),
    ],
)
def test_who_may_create_contacts(api, request, user, method, expected):
    response = api.as_user(request.getfixturevalue(user)).post(URL, {"email": "x@example.com"})
    assert response.status_code == expected


def test_a_rep_lists_only_their_contacts_and_the_shared_queue(api, rep, other_rep):
    mine = ContactFactory(owner=rep, stage=Stage.SQL)
    shared = ContactFactory(stage=Stage.MQL)
    ContactFactory(owner=other_rep, stage=Stage.MQL)
    ContactFactory(stage=Stage.LEAD)
    ids = {c["id"] for c in api.as_user(rep).get(URL).json()["results"]}
    assert ids == {mine.pk, shared.pk}


def test_the_token_header_authenticates_an_integration(api, marketer):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_api_token", "marketer", stdout=out)
    key = out.getvalue().strip()
    again = StringIO()
    call_command("create_api_token", "marketer", stdout=again)
    assert again.getvalue().strip() != key  # shown once: a second call makes a second key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(URL).status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get(URL).status_code == 401


def test_campaigns_are_read_by_all_and_written_by_marketing(api, marketer, rep):
    body = {
        "name": "Webinar Q1",
        "channel": "webinar",
        "spend": "1200.50",
        "currency": "eur",
        "started_on": "2026-01-10",
        "ended_on": "2026-01-31",
    }
    created = api.as_user(marketer).post("/api/v1/campaigns/", body)
    assert created.status_code == 201
    assert (created.json()["spend"], created.json()["currency"]) == ("1200.50", "EUR")
    assert api.as_user(rep).get("/api/v1/campaigns/").json()["count"] == 1
    assert api.as_user(rep).post("/api/v1/campaigns/", {**body, "name": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ended_on": "2025-12-31"}, "ended_on"),
        ({"spend": "-5"}, "spend"),
        ({"channel": "tv"}, "channel"),
    ],
)
def test_bad_campaigns_are_400(api, marketer, change, field):
    body = {
        "name": "C",
        "channel": "ebook",
        "spend": "10",
        "currency": "EUR",
        "started_on": "2026-01-10",
        **change,
    }
    response = api.as_user(marketer).post("/api/v1/campaigns/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_a_campaign_with_contacts_cannot_be_deleted(api, marketer):
    campaign = CampaignFactory()
    ContactFactory(campaign=campaign)
    assert api.as_user(marketer).delete(f"/api/v1/campaigns/{campaign.pk}/").status_code == 409


def test_the_history_takes_none_of_the_contact_list_filters(api, marketer):
    # They were applied to the contact itself: a bad one was a 400, a good one a 404.
    contact = ContactFactory(stage=Stage.SQL)
    url = detail(contact, "history")
    for query in ({"stage": "lead"}, {"created_after": "yesterday"}):
        assert api.as_user(marketer).get(url, query).status_code == 200


def test_a_taken_campaign_name_is_a_409_naming_the_field_and_adds_nothing(api, marketer):
    CampaignFactory(name="Webinar Q1")
    body = {"name": "Webinar Q1", "channel": "webinar", "started_on": "2026-01-10"}
    response = api.as_user(marketer).post("/api/v1/campaigns/", body)
    assert response.status_code == 409
    assert "name" in response.json()
    assert Campaign.objects.count() == 1


def test_a_taken_name_and_a_bad_field_together_are_a_400(api, marketer):
    CampaignFactory(name="Webinar Q1")
    body = {"name": "Webinar Q1", "channel": "tv", "started_on": "2026-01-10"}
    response = api.as_user(marketer).post("/api/v1/campaigns/", body)
    assert response.status_code == 400
    assert {"name", "channel"} <= response.json().keys()


def test_the_api_takes_json_bodies_only(api, marketer):
    body = "email=form%40example.com"
    response = api.as_user(marketer).post(
        URL, body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert not Contact.objects.exists()


def test_a_number_where_a_name_goes_is_a_400(api, marketer):
    response = api.as_user(marketer).post(URL, {"email": "n@example.com", "first_name": 5})
    assert response.status_code == 400
    assert "first_name" in response.json()
    assert not Contact.objects.exists()
