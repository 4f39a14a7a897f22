"""The team's definitions: readable by all, written by managers, revisions kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from demo.definitions import ensure_definitions
from leads import services
from leads.models import Definition
from leads.stages import FUNNEL
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
LIST = reverse("leads:definitions")


def edit(term: str) -> str:
    return reverse("leads:definition_edit", args=[term])


def test_every_funnel_stage_and_the_sla_can_be_defined():
    assert {stage.value for stage in FUNNEL} | {"sla"} <= set(Definition.Term.values)


def test_a_manager_changes_a_definition_and_the_old_text_stays(login, manager):
    client = login(manager)
    client.post(edit("mql"), {"text": "Score of 60 or more."})
    response = client.post(edit("mql"), {"text": "Score of 70 or more, and a company e-mail."})
    assert response["Location"] == LIST + "#mql"
    texts = list(Definition.objects.filter(term="mql").values_list("text", "written_by"))
    assert sorted(texts) == [
        ("Score of 60 or more.", manager.pk),
        ("Score of 70 or more, and a company e-mail.", manager.pk),
    ]
    assert Definition.objects.in_force().get(term="mql").text.startswith("Score of 70")


def test_saving_the_same_text_adds_no_revision(login, manager):
    client = login(manager)
    client.post(edit("sla"), {"text": "Reps act on an MQL within 2 days."})
    client.post(edit("sla"), {"text": "  Reps act on an MQL within 2 days.  "})
    assert Definition.objects.filter(term="sla").count() == 1


def test_everyone_reads_the_current_text_and_the_history(login, manager, rep):
    login(manager).post(edit("sql"), {"text": "Called and interested."})
    login(manager).post(edit("sql"), {"text": "Called, interested, has a project."})
    response = login(rep).get(LIST)
    body = response.content.decode()
    assert "Called, interested, has a project." in body
    assert "1 earlier version" in body
    assert edit("sql") not in body  # no edit link for a rep


def test_only_managers_write_definitions(login, marketer, rep):
    for user in (marketer, rep):
        assert login(user).post(edit("mql"), {"text": "Anything."}).status_code == 403
    assert not Definition.objects.exists()
    with pytest.raises(PermissionDenied):
        services.definition_revise(term=Definition.Term.MQL, text="Anything.", by=marketer)


def test_an_empty_definition_is_refused(login, manager):
    response = login(manager).post(edit("mql"), {"text": "   "})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.definition_revise(term=Definition.Term.MQL, text=" ", by=manager)


def test_an_unknown_term_is_a_404(login, manager):
    assert login(manager).get(edit("unicorn")).status_code == 404


def test_the_contact_page_shows_what_its_stage_means(login, manager, marketer):
    login(manager).post(edit("lead"), {"text": "Downloaded something or asked."})
    contact = ContactFactory(stage="lead")
    body = login(marketer).get(reverse("leads:contact_detail", args=[contact.pk])).content
    assert b"Downloaded something or asked." in body


def test_the_demo_writes_each_definition_once_and_keeps_later_edits(manager):
    ensure_definitions({"manager": manager})
    services.definition_revise(term=Definition.Term.MQL, text="Our own words.", by=manager)
    ensure_definitions({"manager": manager})
    assert Definition.objects.in_force().count() == len(Definition.Term)
    assert Definition.objects.in_force().get(term="mql").text == "Our own words."
