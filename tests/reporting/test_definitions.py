"""One definition of each KPI, word for word on every surface that states it: the README's
"Reading the reports", the Definitions page, and the reports' own notes."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from reporting.definitions import KPIS, note
from reporting.periods import Period
from reporting.selectors import funnel_report, response_time_report, velocity_report

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("kpi", KPIS, ids=lambda kpi: kpi.key)
def test_the_readme_states_each_definition_word_for_word(kpi):
    assert f"**{kpi.name}.** {kpi.text}" in words(README.read_text())


def test_the_definitions_page_states_every_definition(client, rep):
    client.force_login(rep)
    page = words(client.get(reverse("leads:definitions")).content.decode())
    for kpi in KPIS:
        # The page escapes the apostrophes of "campaign's" and "MQL's".
        assert words(str(kpi.text)).replace("'", "&#x27;") in page, kpi.key


def test_the_reports_notes_are_the_definitions():
    march = Period.of(date(2026, 3, 1), date(2026, 3, 31))
    assert {note("cohort"), note("cost")} <= set(funnel_report(period=march).notes)
    assert response_time_report(period=march).notes == [note("speed_to_lead")]
    velocity = velocity_report(period=march, sla_hours=48)
    assert velocity.notes == [
        note(k) for k in ("time_in_stage", "first_action", "verdict", "per_rep")
    ]
