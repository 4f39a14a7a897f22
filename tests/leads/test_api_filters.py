"""Every list filter of the API contract, on a small known population."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from leadfunnel.api.pagination import CountCappedPaginator
from leads.models import Channel
from leads.stages import Stage
from tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(rep, other_rep):
    webinar = CampaignFactory(channel=Channel.WEBINAR)
    ebook = CampaignFactory(channel=Channel.EBOOK)
    now = timezone.now()
    return {
        "ada": ContactFactory(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@analytical.example",
            company="Analytical Engines",
            stage=Stage.MQL,
            owner=rep,
            campaign=webinar,
            score=80,
            created_at=datetime(2026, 1, 5, tzinfo=UTC),
            sla_due_at=now - timedelta(hours=1),
        ),
        "bob": ContactFactory(
            first_name="Bob",
            last_name="Stone",
            email="bob@stone.example",
            company="Stone Ltd",
            stage=Stage.MQL,
            owner=other_rep,
            campaign=ebook,
            score=40,
            created_at=datetime(2026, 2, 5, tzinfo=UTC),
            sla_due_at=now + timedelta(hours=5),
        ),
        "cy": ContactFactory(
            first_name="Cy",
            last_name="Young",
            email="cy@young.example",
            company="Young & Co",
            stage=Stage.LEAD,
            campaign=webinar,
            score=10,
            created_at=datetime(2026, 3, 5, tzinfo=UTC),
        ),
    }


def names(api, user, query):
    response = api.as_user(user).get(f"/api/v1/contacts/?{query}")
    assert response.status_code == 200, response.json()
    return [c["first_name"] for c in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=mql&ordering=first_name", ["Ada", "Bob"]),
        ("stage=mql&stage=lead&ordering=first_name", ["Ada", "Bob", "Cy"]),
        ("channel=webinar&ordering=first_name", ["Ada", "Cy"]),
        ("score_min=40&ordering=-score", ["Ada", "Bob"]),
        ("score_max=40&ordering=score", ["Cy", "Bob"]),
        ("created_after=2026-02-01T00:00:00Z&ordering=created_at", ["Bob", "Cy"]),
        ("created_before=2026-02-01&ordering=created_at", ["Ada"]),
        ("sla_overdue=true", ["Ada"]),
        ("sla_overdue=false&ordering=first_name", ["Bob", "Cy"]),
        ("q=stone", ["Bob"]),
        ("q=ANALYTICAL", ["Ada"]),
        ("q=young.example", ["Cy"]),
        ("ordering=sla_due_at&stage=mql", ["Ada", "Bob"]),
    ],
)
def test_each_filter_selects_exactly_its_contacts(api, manager, population, query, expected):
    assert names(api, manager, query) == expected


def test_owner_and_campaign_filter_by_id(api, manager, population, rep):
    assert names(api, manager, f"owner={rep.pk}") == ["Ada"]
    webinar = population["ada"].campaign_id
    assert sorted(names(api, manager, f"campaign={webinar}")) == ["Ada", "Cy"]


@pytest.mark.parametrize(
    "query",
    [
        "stage=won",
        "score_min=high",
        "created_after=yesterday",
        "sla_overdue=maybe",
        "channel=tv",
        "ordering=password",
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(api, manager, population, query):
    response = api.as_user(manager).get(f"/api/v1/contacts/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_filters_never_widen_a_reps_scope(api, rep, population):
    assert names(api, rep, "stage=mql") == ["Ada"]


def test_pages_link_to_the_next(api, manager, population):
    body = api.as_user(manager).get("/api/v1/contacts/?page_size=2&ordering=first_name").json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (3, True, 2)
    assert "page=2" in body["next"]


def test_past_the_counted_results_the_next_links_still_reach_the_last(api, manager, monkeypatch):
    monkeypatch.setattr(CountCappedPaginator, "CAP", 3)
    made = {ContactFactory().pk for _ in range(7)}
    client, url, seen, pages = (
        api.as_user(manager),
        "/api/v1/contacts/?page_size=2&ordering=id",
        set(),
        0,
    )
    while url:
        body = client.get(url).json()
        assert (body["count"], body["count_exact"]) == (3, False)  # counted up to the cap
        seen |= {contact["id"] for contact in body["results"]}
        url, pages = body["next"], pages + 1
    assert (seen, pages) == (made, 4)
    assert client.get("/api/v1/contacts/?page_size=2&page=5").status_code == 404  # past the last
