"""Each role's main pages in French, in Chromium: a manager switches the header's language
and reads the dashboard, a rep who prefers French works the queue, a marketer saves a
campaign. The French dashboard and rep queue are kept as the README's screenshots."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from leadfunnel.languages import preferred_language
from leadfunnel.models import Profile
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_manager_dashboard import a_month_of_work

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def keep_for_the_readme(name: str) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", DOCS / f"{name}.png")


def test_a_manager_switches_to_french_and_reads_the_dashboard(
    log_in, live_server, manager, rep, screenshot
):
    a_month_of_work(rep, manager)
    page = log_in("manager")
    page.get_by_label("Language").select_option("fr")  # the header's switcher
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert preferred_language(manager) == "fr"
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    expect(page.locator("canvas[data-drawn]")).to_have_count(10)
    funnel = page.locator("#panel-funnel")
    expect(funnel.locator(".kpi").first).to_have_text("15Prospects")
    expect(page.locator("#panel-sla")).to_contain_text("En retard")
    expect(page.locator("#panel-trends")).to_contain_text("Taux de conversion par mois")
    screenshot(page, "dashboard-fr")
    keep_for_the_readme("dashboard-fr")


def test_a_rep_who_prefers_french_works_the_queue(log_in, live_server, manager, rep, screenshot):
    a_month_of_work(rep, manager)
    Profile.objects.create(user=rep, language="fr")
    page = log_in("rep")
    expect(page.get_by_role("heading", name="Ma file")).to_be_visible()
    expect(page.get_by_text("MQL en attente")).to_be_visible()
    expect(page.get_by_role("link", name="Ma file")).to_have_attribute("aria-current", "page")
    screenshot(page, "rep-queue-fr")
    keep_for_the_readme("rep-queue-fr")


def test_a_marketer_in_french_saves_a_campaign_and_is_told_so(log_in, live_server, marketer):
    Profile.objects.create(user=marketer, language="fr")
    page = log_in("marketer")
    page.goto(f"{live_server.url}/campaigns/new/")
    page.get_by_label("Nom").fill("Salon Big Data")
    page.get_by_label("Canal").select_option("event")
    page.get_by_label("Dépenses").fill("1234.56")
    page.get_by_label("Commencée le").fill("2026-12-04")
    page.get_by_role("button", name="Enregistrer la campagne").click()
    expect(page.locator(".message.success")).to_contain_text(
        "Campagne « Salon Big Data » enregistrée."
    )
    row = page.get_by_role("row", name="Salon Big Data")
    expect(row).to_contain_text("1\u202f234,56\xa0€")
    expect(row).to_contain_text("4 déc. 2026")
