"""Company scores: contacts grouped by e-mail domain (or, at a free-mail address, by the
company they gave); a company's fit and engagement from its contacts' (sum, best, average
of the best N); a marketing-qualified account handed to sales once per crossing; the
companies API and page, sortable by score with the stage mix of their contacts."""

import pytest
from django.urls import reverse

from leads.companies import companies_link
from leads.models import Company, Contact
from leads.stages import Stage
from sales.models import SalesTask
from scoring import services, tasks
from scoring.companies import companies_score
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

COMPANIES = "/api/v1/companies/"


def person(email, fit=0, engagement=0, **fields):
    contact = ContactFactory(email=email, **fields)
    Contact.objects.filter(pk=contact.pk).update(
        fit_score=fit, engagement_score=engagement, score=fit + engagement
    )
    return contact


def company_of(contact) -> Company | None:
    return Contact.objects.get(pk=contact.pk).account


def test_contacts_are_grouped_by_domain_or_by_the_company_a_free_mail_address_gave():
    ada = person("ada@acme.com", company="Acme")
    bob = person("Bob@ACME.com", company="")
    carol = person("carol@gmail.com", company=" Acme Corp ")
    dan = person("dan@gmail.com", company="")
    erin = person("erin@hotmail.com", company="acme corp")
    companies_link()
    assert company_of(ada) == company_of(bob)
    acme = company_of(ada)
    assert (acme.key, acme.domain, acme.name) == ("acme.com", "acme.com", "Acme")
    assert company_of(carol) == company_of(erin)
    assert (company_of(carol).key, company_of(carol).domain) == ("name:acme corp", "")
    assert company_of(dan) is None
    assert Company.objects.count() == 2


def test_a_new_address_moves_the_contact_and_an_erasure_takes_it_out():
    ada = person("ada@acme.com")
    companies_link()
    Contact.objects.filter(pk=ada.pk).update(email="ada@globex.com")
    assert companies_link() == 1
    assert company_of(ada).key == "globex.com"
    Contact.objects.filter(pk=ada.pk).update(email=None, erased_at=ada.created_at)
    companies_link()
    assert company_of(ada) is None
    assert companies_link() == 0  # nothing left to move


@pytest.mark.parametrize(
    ("aggregate", "fit", "engagement"),
    [("sum", 60, 90), ("max", 30, 50), ("top", 25, 40)],  # top 2: (30+20)/2, (50+30)/2
)
def test_a_company_scores_its_contacts_as_the_settings_say(aggregate, fit, engagement):
    services.settings_update(company_aggregate=aggregate, company_top_n=2)
    person("a@acme.com", fit=30, engagement=10)
    person("b@acme.com", fit=20, engagement=50)
    person("c@acme.com", fit=10, engagement=30)
    companies_score()
    acme = Company.objects.get(key="acme.com")
    assert (acme.fit_score, acme.engagement_score, acme.score) == (
        fit,
        engagement,
        fit + engagement,
    )
    assert acme.contact_count == 3


def test_an_mqa_is_handed_to_the_rep_of_its_best_contact_once_per_crossing(rep):
    services.settings_update(company_aggregate="sum", mqa_threshold=100)
    best = person("a@acme.com", fit=40, engagement=40, owner=rep, company="Acme")
    person("b@acme.com", fit=10, engagement=5, company="Acme")
    person("c@globex.com", fit=10, engagement=5)
    crossed = companies_score()
    acme = Company.objects.get(key="acme.com")
    assert crossed == [] and acme.mqa_at is None

    Contact.objects.filter(pk=best.pk).update(engagement_score=60)
    assert companies_score() == [acme.pk]
    acme.refresh_from_db()
    assert acme.mqa_at is not None and acme.owner == rep
    task = SalesTask.objects.get()
    assert (task.owner, task.contact_id, task.kind) == (rep, best.pk, "call")
    assert task.title == "Marketing-qualified account: Acme (score 115)"
    assert companies_score() == [] and SalesTask.objects.count() == 1  # once per crossing

    Contact.objects.filter(pk=best.pk).update(engagement_score=0)
    companies_score()
    assert Company.objects.get(pk=acme.pk).mqa_at is None
    Contact.objects.filter(pk=best.pk).update(engagement_score=60)
    assert companies_score() == [acme.pk] and SalesTask.objects.count() == 2


def test_an_mqa_nobody_can_take_waits_unowned_without_a_task():
    services.settings_update(company_aggregate="sum", mqa_threshold=10)
    person("a@acme.com", fit=40)
    assert len(companies_score()) == 1
    assert Company.objects.get().owner is None and not SalesTask.objects.exists()


def test_the_beat_task_groups_and_scores(rep):
    person("a@acme.com", fit=40)
    assert tasks.score_companies() == 0
    assert Company.objects.get().fit_score == 40


def test_the_api_lists_companies_best_first_with_their_stage_mix(api, rep):
    services.settings_update(company_aggregate="sum", mqa_threshold=50)
    person("a@acme.com", fit=30, stage=Stage.MQL)
    person("b@acme.com", fit=30, stage=Stage.LEAD)
    person("c@globex.com", fit=10, stage=Stage.LEAD)
    companies_score()
    answer = api.as_user(rep).get(COMPANIES)
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [(r["domain"], r["score"], r["contacts"], r["mqa"]) for r in rows] == [
        ("acme.com", 60, 2, True),
        ("globex.com", 10, 1, False),
    ]
    assert rows[0]["stages"] == {"lead": 1, "mql": 1}
    mqa = api.as_user(rep).get(COMPANIES, {"mqa": "true"}).json()["results"]
    assert [r["domain"] for r in mqa] == ["acme.com"]
    by_name = api.as_user(rep).get(COMPANIES, {"ordering": "name", "q": "glo"}).json()
    assert [r["domain"] for r in by_name["results"]] == ["globex.com"]


def test_a_manager_gives_an_account_to_a_rep_and_nobody_else_may(api, manager, marketer, rep):
    person("a@acme.com")
    companies_score()
    acme = Company.objects.get()
    url = f"{COMPANIES}{acme.pk}/"
    assert api.as_user(marketer).patch(url, {"owner": rep.pk}).status_code == 403
    refused = api.as_user(manager).patch(url, {"owner": marketer.pk})
    assert refused.status_code == 400 and "owner" in refused.json()
    given = api.as_user(manager).patch(url, {"owner": rep.pk})
    assert given.status_code == 200 and given.json()["owner"] == rep.pk
    assert Company.objects.get(pk=acme.pk).owner == rep


def test_the_companies_page_sorts_by_score_and_shows_the_stage_mix(client, marketer):
    person("a@acme.com", fit=30, company="Acme", stage=Stage.MQL)
    person("c@globex.com", fit=50, company="Globex", stage=Stage.LEAD)
    companies_score()
    client.force_login(marketer)
    page = client.get(reverse("scoring:companies")).content.decode()
    assert page.index("Globex") < page.index("Acme")
    low_first = client.get(reverse("scoring:companies"), {"ordering": "score"}).content.decode()
    assert low_first.index("Acme") < low_first.index("Globex")
    assert "MQL · 1" in page or "MQL 1" in page


def test_the_companies_page_says_so_when_there_is_none(client, marketer):
    client.force_login(marketer)
    assert "No company yet" in client.get(reverse("scoring:companies")).content.decode()


def test_a_companys_contacts_are_one_filter_away(api, marketer):
    ada = person("ada@acme.com")
    person("carl@globex.com")
    companies_score()
    acme = company_of(ada)
    listed = api.as_user(marketer).get("/api/v1/contacts/", {"account": acme.pk}).json()
    assert [c["id"] for c in listed["results"]] == [ada.pk]


def test_a_contact_page_names_its_account_with_its_score(client, marketer):
    services.settings_update(company_aggregate="sum", mqa_threshold=10)
    ada = person("ada@acme.com", fit=30, company="Acme")
    companies_score()
    client.force_login(marketer)
    page = client.get(reverse("leads:contact_detail", args=[ada.pk])).content.decode()
    assert "?q=acme.com" in page and "score 30, 1 contact" in page and ">MQA<" in page


def test_an_mqa_goes_to_a_rep_even_when_a_manager_owns_its_best_contact(rep, manager):
    services.settings_update(company_aggregate="sum", mqa_threshold=50)
    person("a@acme.com", fit=40, owner=manager)
    kept = person("b@acme.com", fit=30, owner=rep)
    companies_score()
    acme = Company.objects.get()
    assert acme.owner == rep
    assert SalesTask.objects.get().owner == rep and kept.pk != SalesTask.objects.get().contact_id
