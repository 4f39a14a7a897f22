"""Campaigns: list with what each brought, create and edit with inline validation."""

import pytest
from django.urls import reverse

from leads.models import Campaign
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
LIST = reverse("leads:campaign_list")
NEW = reverse("leads:campaign_create")
VALID = {
    "name": "Webinar: scoring",
    "channel": "webinar",
    "spend": "5200",
    "currency": "eur",
    "started_on": "2026-03-01",
    "ended_on": "",
}


def test_the_list_shows_spend_and_links_to_each_campaigns_contacts(login, rep):
    campaign = CampaignFactory(name="E-book")
    response = login(rep).get(LIST)
    assert [c.name for c in response.context["page"].object_list] == ["E-book"]
    assert "€1,000.00" in response.content.decode()  # money as English writes it
    assert f"/contacts/?campaign={campaign.pk}".encode() in response.content
    assert b"New campaign" not in response.content  # reps read, marketing writes


def test_the_list_filters_by_channel_and_name(login, marketer):
    CampaignFactory(name="Spring e-book", channel="ebook")
    CampaignFactory(name="Trade show", channel="event")
    client = login(marketer)
    names = lambda r: [c.name for c in r.context["page"].object_list]  # noqa: E731
    assert names(client.get(LIST, {"channel": "event"})) == ["Trade show"]
    assert names(client.get(LIST, {"q": "spring"})) == ["Spring e-book"]


def test_a_marketer_creates_a_campaign(login, marketer):
    response = login(marketer).post(NEW, VALID)
    assert response["Location"] == LIST
    campaign = Campaign.objects.get()
    assert (campaign.currency, campaign.ended_on) == ("EUR", None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ended_on": "2026-02-01"}, "ended_on"),
        ({"spend": "-1"}, "spend"),
        ({"currency": "euro"}, "currency"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_campaign_input_is_shown_on_its_field(login, marketer, change, field):
    response = login(marketer).post(NEW, VALID | change)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_editing_a_campaign_updates_its_spend(login, manager):
    campaign = CampaignFactory()
    url = reverse("leads:campaign_edit", args=[campaign.pk])
    login(manager).post(url, VALID | {"name": campaign.name, "spend": "7300.50"})
    campaign.refresh_from_db()
    assert str(campaign.spend) == "7300.50"


def test_reps_do_not_edit_campaigns(login, rep):
    campaign = CampaignFactory()
    url = reverse("leads:campaign_edit", args=[campaign.pk])
    assert login(rep).post(url, VALID).status_code == 403
