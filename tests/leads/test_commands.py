from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from capture.models import Form
from leads import touches
from leads.models import Campaign, Company, Contact, DuplicatePair, LeadStatus, Transition
from leads.stages import Stage
from sales.models import SalesActivity, SalesTask

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


def test_the_demo_reps_have_touched_their_leads_and_planned_next_steps():
    """The speed-to-lead panel, the lead statuses and the tasks due have something to show."""
    call_command("demo_data", contacts=300, stdout=StringIO())
    statuses = set(
        Contact.objects.filter(stage__in=[Stage.MQL, Stage.SQL]).values_list(
            "lead_status", flat=True
        )
    )
    assert {LeadStatus.ATTEMPTING, LeadStatus.CONNECTED} <= statuses
    assert SalesActivity.objects.filter(kind="call", author__groups__name="sales").exists()
    assert SalesTask.objects.open().filter(contact__stage=Stage.SQL).exists()


def test_every_demo_stage_is_backed_by_its_history():
    call_command("demo_data", contacts=60, stdout=StringIO())
    for contact in Contact.objects.exclude(stage=Stage.CONTACT):
        assert contact.transitions.order_by("at", "id").last().to_stage == contact.stage


def test_the_demo_has_people_who_came_in_twice():
    """The duplicates page and the contact page's warning have something to show."""
    call_command("demo_data", contacts=60, stdout=StringIO())
    pairs = DuplicatePair.objects.filter(dismissed_at__isnull=True)
    assert pairs.count() >= 4
    assert all(pair.first.last_name == pair.second.last_name for pair in pairs)


def test_the_demo_has_a_live_form_and_people_touched_by_several_campaigns():
    """The forms page, the UTM mapping page and the attribution models have something to show."""
    call_command("demo_data", contacts=60, stdout=StringIO())
    form = Form.objects.get()
    assert form.active and form.submissions.filter(contact__isnull=False).count() == 3
    assert touches.unmapped_utms()[0].utm_campaign == "spring-newsletter"
    several = Contact.objects.annotate(n=Count("touches__campaign", distinct=True)).filter(n__gt=1)
    assert several.exists()
    call_command("demo_data", contacts=60, stdout=StringIO())
    assert Form.objects.count() == 1


def test_the_demo_has_accounts_of_several_people_and_a_few_mqas_handed_over():
    """The Companies page has something to show: shared employers, free-mail people grouped
    by the company they gave, and the best accounts handed to their reps, once."""
    call_command("demo_data", contacts=120, stdout=StringIO())
    companies = Company.objects.filter(contact_count__gt=0)
    assert companies.filter(contact_count__gt=2).exists()
    assert companies.filter(key__startswith="name:").exists()  # grouped by the name given
    mqas = companies.filter(mqa_at__isnull=False)
    assert 1 <= mqas.count() <= 6
    handed = SalesTask.objects.filter(title__startswith="Marketing-qualified account").count()
    assert handed >= 1
    call_command("demo_data", contacts=120, stdout=StringIO())
    assert (
        SalesTask.objects.filter(title__startswith="Marketing-qualified account").count() == handed
    )
