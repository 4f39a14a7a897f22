from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from leads.models import Campaign, Contact, Transition
from leads.stages import Stage

pytestmark = pytest.mark.django_db


def test_create_api_token_refuses_an_unknown_user():
    with pytest.raises(CommandError):
        call_command("create_api_token", "ghost")


def test_demo_data_covers_every_stage_and_a_second_run_adds_nothing():
    out = StringIO()
    call_command("demo_data", contacts=120, stdout=out)
    assert "Demo data: 120 contact(s) added." in out.getvalue()
    for login in ("marketer", "rep", "manager"):
        assert login in out.getvalue()
    counts = (Contact.objects.count(), Transition.objects.count(), Campaign.objects.count())
    reached = set(Contact.objects.values_list("stage", flat=True))
    assert {Stage.CONTACT, Stage.LEAD, Stage.MQL, Stage.SQL, Stage.RECYCLED} <= reached

    again = StringIO()
    call_command("demo_data", contacts=120, stdout=again)
    assert "Demo data: 0 contact(s) added." in again.getvalue()
    assert (
        Contact.objects.count(),
        Transition.objects.count(),
        Campaign.objects.count(),
    ) == counts


def test_every_demo_stage_is_backed_by_its_history():
    call_command("demo_data", contacts=60, stdout=StringIO())
    for contact in Contact.objects.exclude(stage=Stage.CONTACT):
        assert contact.transitions.order_by("at", "id").last().to_stage == contact.stage
