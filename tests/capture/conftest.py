import pytest
from django.core.cache import cache

from capture.services import form_save
from tests.factories import CampaignFactory

CONSENT = "I agree that Acme may contact me about its products."


@pytest.fixture(autouse=True)
def fresh_limits():
    """The per-address limit counts in the cache: each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="Webinar March")


@pytest.fixture
def web_form(db, campaign):
    """A live form asking names, a required company and a custom attribute."""
    return form_save(
        by=None,
        name="Contact us",
        fields=["first_name", "last_name", {"name": "company", "required": True}, "timeline"],
        campaign=campaign,
        consent_text=CONSENT,
        thank_you_message="Thanks, we will call you.",
        allowed_origins=["https://www.acme.test"],
    )
