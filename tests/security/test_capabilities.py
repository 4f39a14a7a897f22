"""The one table of who may do what (leads.roles.CAPABILITIES), walked role by role through
a page and an API endpoint of each capability: both answer as the table says."""

import pytest

from leads.roles import CAPABILITIES, Capability, can
from leads.stages import Role
from tests.factories import CampaignFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# For each capability: a page that needs it, and an API request that needs it (method, url,
# body); a request the capability allows answers anything but 403.
SURFACES = {
    Capability.EDIT_CONTACTS: ("/contacts/new/", ("post", "/api/v1/campaigns/", {})),
    Capability.EDIT_SCORING: ("/scoring/rules/new/", ("post", "/api/v1/scoring/rules/", {})),
    Capability.READ_REPORTS: ("/dashboard/", ("get", "/api/v1/reports/funnel/", None)),
    Capability.OWN_CONTACTS: ("/queue/", None),
    Capability.MANAGE_TEAM: ("/queue/team/", ("post", "/api/v1/targets/", {})),
    Capability.SEE_EVERY_CONTACT: (None, ("get", "/api/v1/contacts/{other}/", None)),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("capability", list(Capability))
def test_pages_and_endpoints_answer_as_the_table_says(client, api, role, capability):
    user = UserFactory(username=f"u-{role}", role=role)
    holds = role in CAPABILITIES[capability]
    assert can(user, capability) is holds
    page, endpoint = SURFACES[capability]
    if page is not None:
        client.force_login(user)
        assert (client.get(page).status_code != 403) is holds, page
    if endpoint is not None:
        method, url, body = endpoint
        other = ContactFactory(owner=UserFactory(username="someone", role=Role.SALES))
        url = url.format(other=other.pk)
        response = getattr(api.as_user(user), method)(url, body, format="json")
        assert (response.status_code not in (403, 404)) is holds, (url, response.status_code)


def test_every_capability_has_a_surface_in_this_test():
    assert set(SURFACES) == set(Capability)


def test_a_manager_and_a_marketer_see_every_contact_and_a_rep_their_own(api):
    CampaignFactory()
    rep = UserFactory(username="r", role=Role.SALES)
    mine, theirs = ContactFactory(owner=rep), ContactFactory()
    listed = {c["id"] for c in api.as_user(rep).get("/api/v1/contacts/").json()["results"]}
    assert listed == {mine.pk}
    manager = UserFactory(username="m", role=Role.MANAGERS)
    listed = {c["id"] for c in api.as_user(manager).get("/api/v1/contacts/").json()["results"]}
    assert listed == {mine.pk, theirs.pk}
