"""POST /api/v1/events/: what is accepted, what is refused (and then nothing is stored)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Contact
from scoring.models import Activity
from tests.factories import CampaignFactory, ContactFactory
from tests.scoring.helpers import T0, event

pytestmark = pytest.mark.django_db


def test_one_event_or_a_batch_is_accepted_and_a_repeated_id_counted_as_duplicate(send):
    ada, bob = ContactFactory(), ContactFactory()
    assert send(event("a1", ada)) == {"accepted": 1, "duplicates": 0}
    reply = send(event("a1", ada), event("b1", bob), event("b1", bob, type="page_viewed"))
    assert reply == {"accepted": 1, "duplicates": 2}
    assert sorted(Activity.objects.values_list("key", "contact_id", "type")) == [
        ("a1", ada.pk, "email_opened"),
        ("b1", bob.pk, "email_opened"),
    ]


def test_an_event_keeps_its_time_campaign_and_properties(send):
    ada, campaign = ContactFactory(), CampaignFactory()
    send(event("a1", ada, type="page_viewed", campaign=campaign.pk, properties={"url": "/x"}))
    stored = Activity.objects.get()
    assert (stored.occurred_at, stored.campaign, stored.properties) == (
        T0,
        campaign,
        {"url": "/x"},
    )


def test_an_unknown_email_creates_the_contact_and_a_known_one_finds_it(send):
    known = ContactFactory(email="Known@Example.com")
    reply = send(
        {
            "id": "1",
            "type": "form_submitted",
            "occurred_at": T0.isoformat(),
            "email": "known@example.COM",
        },
        {
            "id": "2",
            "type": "form_submitted",
            "occurred_at": T0.isoformat(),
            "email": "new@example.com",
        },
    )
    assert reply == {"accepted": 2, "duplicates": 0}
    new = Contact.objects.get(email="new@example.com")
    assert dict(Activity.objects.values_list("key", "contact_id")) == {"1": known.pk, "2": new.pk}


def test_a_contact_created_by_an_event_comes_from_the_campaign_of_its_first_touch(send):
    webinar, retarget, old = CampaignFactory(), CampaignFactory(), CampaignFactory()
    known = ContactFactory(email="known@example.com", campaign=old)
    at = lambda hours: (T0 + timedelta(hours=hours)).isoformat()  # noqa: E731
    send(
        {"id": "2", "type": "page_viewed", "occurred_at": at(2), "email": "New@example.com",
         "campaign": retarget.pk},
        {"id": "1", "type": "form_submitted", "occurred_at": at(1), "email": "new@example.com",
         "campaign": webinar.pk},
        {"id": "3", "type": "form_submitted", "occurred_at": at(1), "email": known.email,
         "campaign": webinar.pk},
    )  # fmt: skip
    assert Contact.objects.get(email="new@example.com").campaign == webinar
    known.refresh_from_db()
    assert known.campaign == old  # a known contact keeps the campaign it came with


def test_an_unknown_event_type_is_stored_and_scored_by_no_rule(send, rule):
    rule("Opened", 5, event_type="email_opened")
    ada = ContactFactory()
    assert send(event("a1", ada, type="podcast_listened")) == {"accepted": 1, "duplicates": 0}
    ada.refresh_from_db()
    assert (ada.score, ada.stage) == (0, "contact")


def test_one_bad_event_refuses_the_whole_batch_with_errors_by_position(send):
    ada = ContactFactory()
    new_person = {
        "id": "new",
        "type": "form_submitted",
        "occurred_at": T0.isoformat(),
        "email": "someone@new.example",
    }
    reply = send(
        event("ok", ada),
        {"id": "no-time", "type": "email_opened", "contact": ada.pk},
        {
            "id": "bad-mail",
            "type": "form_submitted",
            "occurred_at": T0.isoformat(),
            "email": "not-an-email",
        },
        new_person,
        expect=400,
    )
    assert set(reply) == {"1", "2"}
    assert "occurred_at" in reply["1"]
    assert "email" in reply["2"]
    assert not Activity.objects.exists()
    assert not Contact.objects.filter(email="someone@new.example").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"type": ""}, "type"),
        ({"type": "has spaces"}, "type"),
        ({"id": ""}, "id"),
        ({"id": "x" * 201}, "id"),
        ({"contact": 999_999}, "contact"),
        ({"campaign": 999_999}, "campaign"),
        ({"properties": ["not", "an", "object"]}, "properties"),
        ({"email": "both@example.com"}, "contact"),
        ({"contact": "twelve"}, "contact"),
        ({"contact": 0}, "contact"),
        ({"contact": True}, "contact"),
        ({"type": "t" * 51}, "type"),
        ({"occurred_at": 1700000000}, "occurred_at"),
        ({"occurred_at": "2026-02-30T10:00:00Z"}, "occurred_at"),
        ({"campaign": -1}, "campaign"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(send, change, field):
    ada = ContactFactory()
    reply = send(event("k", ada) | change, expect=400)
    assert field in reply
    assert not Activity.objects.exists()


def test_an_event_without_contact_or_email_is_refused(send):
    reply = send({"id": "k", "type": "email_opened", "occurred_at": T0.isoformat()}, expect=400)
    assert "contact" in reply


def test_an_event_that_is_not_an_object_is_refused(send):
    assert "non_field_errors" in send({"id": "ok"}, "not an event", expect=400)["1"]


def test_times_without_a_zone_are_taken_as_utc_and_texts_are_trimmed(send):
    ada = ContactFactory()
    send(event(" k1 ", ada, type=" email_opened ") | {"occurred_at": "2026-03-02T09:00:00"})
    stored = Activity.objects.get()
    assert (stored.key, stored.type, stored.occurred_at) == ("k1", "email_opened", T0)


def test_a_time_with_any_zone_offset_is_stored_in_utc(send):
    # PostgreSQL refuses an offset past 15:59, which ISO 8601 allows (found by fuzzing).
    ada = ContactFactory()
    send(event("far", ada) | {"occurred_at": "2026-03-02T23:25:00+22:25"})
    assert Activity.objects.get().occurred_at == T0.replace(hour=1)


def test_a_time_before_year_1_in_utc_is_a_400_naming_it(send):
    reply = send(
        event("early", ContactFactory()) | {"occurred_at": "0001-01-01T00:00:00+01:00"}, expect=400
    )
    assert reply == {"occurred_at": ["This time is out of range."]}


def test_an_event_from_the_future_is_refused_but_clock_drift_is_tolerated(send):
    """EVENTS_MAX_AHEAD_SECONDS: a day by default."""
    ada = ContactFactory()
    send(event("drift", ada, at=timezone.now() + timedelta(hours=23)))
    reply = send(event("future", ada, at=timezone.now() + timedelta(hours=25)), expect=400)
    assert reply["occurred_at"][0].startswith("Use a time up to")


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z"])
def test_an_event_before_1970_is_refused_with_its_window(send, at):
    ada = ContactFactory()
    reply = send(
        {"id": "old", "type": "page_viewed", "occurred_at": at, "contact": ada.pk}, expect=400
    )
    assert reply["occurred_at"] == ["Use a time from 1970-01-01 on."]


def test_an_erased_contact_takes_no_more_events(send):
    ada = ContactFactory(erased_at=T0, email=None)
    assert "contact" in send(event("k", ada), expect=400)


def test_a_batch_over_1000_is_refused_and_1000_accepted(send):
    ada = ContactFactory()
    too_many = [event(f"k{n}", ada) for n in range(1001)]
    assert "non_field_errors" in send(*too_many, expect=400)
    assert not Activity.objects.exists()
    assert send(*too_many[:1000]) == {"accepted": 1000, "duplicates": 0}


def test_an_empty_batch_is_refused(api, marketer):
    response = api.as_user(marketer).post("/api/v1/events/", [], format="json")
    assert response.status_code == 400


def test_only_marketing_and_managers_send_events(api, rep, manager, nobody):
    ada = ContactFactory()
    body = event("k", ada)
    assert api.as_user(rep).post("/api/v1/events/", body, format="json").status_code == 403
    assert api.as_user(nobody).post("/api/v1/events/", body, format="json").status_code == 403
    assert api.as_user(manager).post("/api/v1/events/", body, format="json").status_code == 200
    api.force_authenticate(None)
    assert api.post("/api/v1/events/", body, format="json").status_code == 401


def test_a_null_event_is_refused_as_an_event_that_is_not_an_object(api, marketer, send):
    assert "non_field_errors" in send({"id": "ok"}, None, expect=400)["1"]
    response = api.as_user(marketer).post(
        "/api/v1/events/", "null", content_type="application/json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
