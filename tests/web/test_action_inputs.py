"""Each stage action is declared once (``leads.actions``): the page's form and the API's body
ask for the same inputs and refuse a bad one with the same words."""

import pytest
from django.urls import reverse

from leads.actions import ACTIONS
from leads.models import Contact
from leads.stages import Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

BAD = {  # one refused value per input, and the message both surfaces give for it
    "qualify": ({"budget": "0", "currency": "EUR", "close_by": "2026-09-30"}, "budget"),
    "win": ({"amount": "-5"}, "amount"),
    "lose": ({"reason": "x" * 2001}, "reason"),
    "qualify-currency": (
        {"budget": "10", "currency": "XYZ", "close_by": "2026-09-30"},
        "currency",
    ),
}


@pytest.mark.parametrize("action", ACTIONS.values(), ids=lambda action: action.slug)
def test_the_form_and_the_api_body_ask_for_the_same_inputs(action):
    form_fields = {name: field.required for name, field in action.form.base_fields.items()}
    api_fields = {name: field.required for name, field in action.serializer().get_fields().items()}
    assert list(form_fields) == list(api_fields) == [each.name for each in action.inputs]
    assert action.one_click == (not any(api_fields.values()))


@pytest.mark.parametrize("case", BAD, ids=str)
def test_a_bad_input_is_refused_with_the_same_message_on_the_page_and_in_the_api(
    case, login, api, rep
):
    body, field = BAD[case]
    slug = case.removesuffix("-currency")
    stage = {"qualify": Stage.SQL, "win": Stage.QSO, "lose": Stage.SQL}[slug]
    on_page, on_api = (ContactFactory(stage=stage, owner=rep) for _ in range(2))

    page = login(rep).post(reverse("leads:contact_action", args=[on_page.pk, slug]), body)
    form = next(form for action, form in page.context["actions"] if action.slug == slug)
    answer = api.as_user(rep).post(f"/api/v1/contacts/{on_api.pk}/{slug}/", body, format="json")

    assert (page.status_code, answer.status_code) == (400, 400)
    assert form.errors[field] == answer.json()[field]
    assert set(
        Contact.objects.filter(pk__in=[on_page.pk, on_api.pk]).values_list("stage", flat=True)
    ) == {stage}
