"""Who may open which page: the same roles and scoping as the API."""

import pytest
from django.urls import reverse

from leads.stages import Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("leads:contact_list"),
    reverse("leads:my_queue"),
    reverse("leads:team_queue"),
    reverse("leads:campaign_list"),
    reverse("leads:definitions"),
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_visitors_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("path", PAGES)
def test_an_account_without_a_role_gets_a_403_page_that_says_why(login, nobody, path):
    response = login(nobody).get(path)
    assert response.status_code == 403
    assert b"no role yet" in response.content


@pytest.mark.parametrize(
    ("user", "destination"),
    [
        ("marketer", "leads:contact_list"),
        ("rep", "leads:my_queue"),
        ("manager", "leads:team_queue"),
    ],
)
def test_home_sends_each_role_to_its_work(login, request, user, destination):
    response = login(request.getfixturevalue(user)).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(destination)


def test_home_welcomes_visitors_and_roleless_accounts(client, login, nobody):
    assert b"Log in" in client.get("/").content
    assert b"no role yet" in login(nobody).get("/").content


@pytest.mark.parametrize(
    ("user", "shown", "hidden"),
    [
        ("marketer", ["Contacts", "Campaigns", "Definitions"], ["My queue", "Team queue"]),
        ("rep", ["My queue", "Contacts", "Definitions"], ["Campaigns", "Team queue", "Dashboard"]),
        # Managers edit campaigns as marketers do (Capability.EDIT_CONTACTS): the link shows.
        ("manager", ["Dashboard", "Contacts", "Team queue", "Campaigns"], ["My queue"]),
    ],
)
def test_the_top_bar_shows_each_role_its_pages(login, request, user, shown, hidden):
    response = login(request.getfixturevalue(user)).get(reverse("leads:definitions"))
    labels = [item["label"] for item in response.context["nav"]]
    assert all(label in labels for label in shown)
    assert not any(label in labels for label in hidden)


def test_the_current_page_is_marked_once_even_under_a_longer_path(login, manager):
    response = login(manager).get(reverse("leads:team_queue"))
    current = [item["label"] for item in response.context["nav"] if item["current"]]
    assert current == ["Team queue"]
    assert b'aria-current="page"' in response.content


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("marketer", "leads:my_queue", 403),
        ("marketer", "leads:team_queue", 403),
        ("rep", "leads:team_queue", 403),
        ("rep", "leads:contact_create", 403),
        ("rep", "leads:campaign_create", 403),
        ("manager", "leads:my_queue", 403),
        ("rep", "leads:my_queue", 200),
        ("manager", "leads:team_queue", 200),
        ("marketer", "leads:contact_create", 200),
    ],
)
def test_pages_of_a_role_are_refused_to_the_others(login, request, user, path, status):
    assert login(request.getfixturevalue(user)).get(reverse(path)).status_code == status


def test_a_rep_opening_another_reps_contact_gets_a_clear_403_page(login, rep, other_rep):
    contact = ContactFactory(stage=Stage.SQL, owner=other_rep)
    for name in ("leads:contact_detail", "leads:contact_edit"):
        response = login(rep).get(reverse(name, args=[contact.pk]))
        assert response.status_code == 403
        assert b"not in your queue" in response.content
        assert b"You cannot open this page" in response.content


def test_a_rep_sees_unassigned_mqls_of_the_shared_queue(login, rep):
    contact = ContactFactory(stage=Stage.MQL, owner=None)
    assert login(rep).get(reverse("leads:contact_detail", args=[contact.pk])).status_code == 200


def test_an_erased_or_unknown_contact_is_a_404_page(login, marketer):
    erased = ContactFactory(erased_at="2026-01-01T00:00:00Z")
    client = login(marketer)
    for pk in (erased.pk, 999999):
        response = client.get(reverse("leads:contact_detail", args=[pk]))
        assert response.status_code == 404
        assert b"This page does not exist" in response.content
