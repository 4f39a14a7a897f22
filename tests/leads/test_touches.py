"""Touches: each event, form submission, import row and creation that names a campaign, or
carries a utm_campaign a campaign claims, is recorded; the UTM campaigns nobody claims are
kept until a marketer maps them, which credits the touches they were on."""

import pytest

from capture.services import form_save
from leads import touches
from leads.models import Contact, Touch, TouchSource
from tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db


def post_events(api, user, *events):
    response = api.as_user(user).post("/api/v1/events/", list(events), format="json")
    assert response.status_code in (200, 201, 202), response.json()


def test_an_event_naming_a_campaign_or_a_claimed_utm_is_a_touch(api, marketer):
    webinar = CampaignFactory(name="Webinar", utm_campaigns=["spring-webinar"])
    ads = CampaignFactory(name="Ads")
    base = {"type": "page_viewed", "occurred_at": "2026-03-02T10:00:00Z", "email": "a@x.example"}
    post_events(
        api,
        marketer,
        base | {"id": "e1", "campaign": ads.pk},
        base | {"id": "e2", "properties": {"utm_campaign": "Spring-Webinar", "utm_source": "li"}},
        base | {"id": "e3", "properties": {"url": "/pricing"}},  # no campaign: no touch
    )
    found = list(Touch.objects.order_by("campaign__name").values_list("campaign__name", "source"))
    assert found == [("Ads", TouchSource.EVENT), ("Webinar", TouchSource.EVENT)]
    assert Touch.objects.get(campaign=webinar).utm_source == "li"


def test_an_unclaimed_utm_campaign_is_kept_then_mapping_it_credits_its_touches(api, marketer):
    base = {"type": "page_viewed", "occurred_at": "2026-03-02T10:00:00Z"}
    post_events(
        api,
        marketer,
        base | {"id": "u1", "email": "a@x.example", "properties": {"utm_campaign": "bf-2026"}},
        base | {"id": "u2", "email": "b@x.example", "properties": {"utm_campaign": "BF-2026"}},
    )
    (unmapped,) = touches.unmapped_utms()
    assert (unmapped.touches, unmapped.contacts) == (2, 2)
    black_friday = CampaignFactory(name="Black Friday")
    response = api.as_user(marketer).patch(
        f"/api/v1/campaigns/{black_friday.pk}/", {"utm_campaigns": ["bf-2026"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["utm_campaigns"] == ["bf-2026"]
    assert Touch.objects.filter(campaign=black_friday).count() == 2
    assert touches.unmapped_utms() == []


def test_a_utm_campaign_claimed_by_another_campaign_is_a_400(api, marketer):
    CampaignFactory(name="Webinar", utm_campaigns=["spring"])
    other = CampaignFactory(name="Ads")
    response = api.as_user(marketer).patch(
        f"/api/v1/campaigns/{other.pk}/", {"utm_campaigns": ["SPRING"]}, format="json"
    )
    assert response.status_code == 400 and "utm_campaigns" in response.json()


def test_a_form_submission_and_a_contact_created_with_a_campaign_are_touches(
    client, api, marketer
):
    webinar = CampaignFactory(name="Webinar")
    form = form_save(by=None, name="Sign up", consent_text="OK", campaign=webinar)
    client.post(f"/f/{form.key}/", {"email": "f@x.example", "consent": "on", "utm_medium": "cpc"})
    touch = Touch.objects.get()
    assert (touch.campaign, touch.source, touch.utm_medium) == (webinar, TouchSource.FORM, "cpc")

    created = api.as_user(marketer).post(
        "/api/v1/contacts/", {"email": "c@x.example", "campaign": webinar.pk}, format="json"
    )
    contact = Contact.objects.get(pk=created.json()["id"])
    assert contact.touches.get().source == TouchSource.CREATED


def test_each_imported_row_is_a_touch_of_the_imports_campaign(run_import_for_touches):
    fair = CampaignFactory(name="Trade fair")
    ContactFactory(email="known@x.example")
    run_import_for_touches("Email,First Name", "known@x.example,Kim", "new@x.example,Noa", fair)
    assert Touch.objects.filter(campaign=fair, source=TouchSource.IMPORT).count() == 2


@pytest.fixture
def run_import_for_touches(marketer, django_capture_on_commit_callbacks, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from integrations.models import OnDuplicate
    from integrations.services import imports

    def run(*lines_and_campaign):
        *lines, campaign = lines_and_campaign
        upload = SimpleUploadedFile("people.csv", "\n".join(lines).encode())
        with django_capture_on_commit_callbacks(execute=False):
            job = imports.import_create(
                by=marketer, file=upload, campaign=campaign, on_duplicate=OnDuplicate.OVERWRITE
            )
        return imports.import_run(job_id=job.pk)

    return run


def test_a_merge_brings_the_others_touches_and_its_undo_takes_them_back(api, marketer):
    ads, fair = CampaignFactory(name="Ads"), CampaignFactory(name="Fair")
    survivor, other = ContactFactory(campaign=ads), ContactFactory(campaign=fair)
    touches.touches_record(
        [
            touches.TouchIn(survivor.pk, survivor.created_at, TouchSource.CREATED, ads.pk),
            touches.TouchIn(other.pk, other.created_at, TouchSource.CREATED, fair.pk),
        ]
    )
    client = api.as_user(marketer)
    merged = client.post(
        f"/api/v1/contacts/{survivor.pk}/merge/", {"other": other.pk}, format="json"
    )
    assert merged.status_code == 200, merged.json()
    assert set(survivor.touches.values_list("campaign__name", flat=True)) == {"Ads", "Fair"}
    merge_id = client.get("/api/v1/merges/").json()["results"][0]["id"]
    assert client.post(f"/api/v1/merges/{merge_id}/undo/").status_code == 200
    assert list(other.touches.values_list("campaign__name", flat=True)) == ["Fair"]


def test_the_page_lists_unmapped_utm_campaigns_and_maps_one(client, marketer):
    person = ContactFactory()
    touches.touches_record(
        [touches.TouchIn(person.pk, person.created_at, TouchSource.EVENT, utm_campaign="nl-42")]
    )
    fair = CampaignFactory(name="Fair")
    client.force_login(marketer)
    page = client.get("/campaigns/utm/")
    assert page.status_code == 200 and "nl-42" in page.content.decode()
    answer = client.post("/campaigns/utm/map/", {"utm_campaign": "nl-42", "campaign": fair.pk})
    assert answer.status_code == 302
    fair.refresh_from_db()
    assert fair.utm_campaigns == ["nl-42"] and person.touches.get().campaign == fair
    assert "Every UTM campaign is mapped" in client.get("/campaigns/utm/").content.decode()


def test_the_admin_checks_utm_campaigns_and_credits_their_touches(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@x.example", "pw")
    person = ContactFactory()
    touches.touches_record(
        [touches.TouchIn(person.pk, person.created_at, TouchSource.EVENT, utm_campaign="exp-1")]
    )
    CampaignFactory(name="Other", utm_campaigns=["taken"])
    fair = CampaignFactory(name="Fair")
    client.force_login(admin_user)
    url = f"/admin/leads/campaign/{fair.pk}/change/"
    body = {"name": "Fair", "channel": fair.channel, "spend": "10", "currency": "EUR",
            "started_on": str(fair.started_on), "ended_on": ""}  # fmt: skip
    refused = client.post(url, body | {"utm_campaigns": "taken"})
    assert refused.status_code == 200 and "already claims" in refused.content.decode()
    assert client.post(url, body | {"utm_campaigns": "exp-1"}).status_code == 302
    assert person.touches.get().campaign == fair
