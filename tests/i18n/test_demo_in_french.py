"""A French installation (LANGUAGE_CODE=fr) gets its demo in French, as its team would have
typed it; reasons typed in French mean what their English originals mean."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from leads.models import Campaign, Definition, Transition
from scoring.models import Rule
from sla.models import SlaPolicy
from tests.sales.test_first_touch import log
from tests.sla.conftest import make_mql, make_policy

pytestmark = pytest.mark.django_db


@override_settings(LANGUAGE_CODE="fr")
def test_the_demo_of_a_french_installation_is_written_in_french():
    call_command("demo_data", contacts=80, stdout=StringIO())
    campaigns = set(Campaign.objects.values_list("name", flat=True))
    assert {"Salon SaaS Connect", "Demandes de démo (site web)"} <= campaigns
    assert "SaaS Connect trade show" not in campaigns
    assert Rule.objects.filter(name="Démo demandée", event_type="demo_requested").exists()
    assert not Rule.objects.filter(name="Demo requested").exists()
    assert SlaPolicy.objects.filter(name="MQL traité sous 2 jours").exists()
    definition = Definition.objects.get(term=Definition.Term.CLIENT)
    assert definition.text.startswith("Le contrat est signé")
    reasons = set(Transition.objects.exclude(reason="").values_list("reason", flat=True))
    assert "Score au-dessus de 60" in reasons and "Score crossed 60" not in reasons


def test_the_demo_stays_in_english_by_default():
    call_command("demo_data", contacts=20, stdout=StringIO())
    assert Campaign.objects.filter(name="SaaS Connect trade show").exists()
    assert Rule.objects.filter(name="Demo requested").exists()
    assert SlaPolicy.objects.filter(name="MQL answered within 2 days").exists()


@override_settings(LANGUAGE_CODE="fr")
def test_a_rule_marketing_renamed_keeps_its_name_in_a_french_demo():
    Rule.objects.filter(name="Page viewed").update(name="Any page")
    call_command("demo_data", contacts=20, stdout=StringIO())
    assert Rule.objects.filter(name="Any page").exists()
    assert not Rule.objects.filter(name="Page vue").exists()


def test_a_french_reps_injoignable_waits_for_the_policys_attempts_too(api, rep):
    make_policy(unreachable_attempts=2, unreachable_days=0)
    start = timezone.now() - timedelta(days=1)
    contact = make_mql(owner=rep, at=start)
    log(rep, contact, start + timedelta(hours=1))
    url = f"/api/v1/contacts/{contact.pk}/reject/"
    refused = api.as_user(rep).post(url, {"reason": "Injoignable"}, format="json")
    assert refused.status_code == 409 and refused.json()["attempts"] == 1
    log(rep, contact, start + timedelta(hours=2))
    answer = api.as_user(rep).post(url, {"reason": "Injoignable"}, format="json")
    assert answer.status_code == 200 and answer.json()["stage"] == "recycled"
