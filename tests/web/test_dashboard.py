"""The managers' dashboard: who may open it, the shared filters, each panel's figures, CSV
links, and the targets editor."""

import json
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from leads.models import Channel
from leads.stages import Stage
from reporting.models import Target
from tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RANGE = "start=2026-03-01&end=2026-03-31"


def chart(response, key: str) -> dict:
    """The spec a chart of a panel is drawn from (its ``json_script``)."""
    html = response.content.decode()
    marker = f'<script id="chart-data-{key}" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def funnel_people():
    """Three leads from an e-book (one became an MQL), one lead from a webinar."""
    ebook = CampaignFactory(channel=Channel.EBOOK, spend="300.00")
    webinar = CampaignFactory(channel=Channel.WEBINAR, spend="900.00")
    for n in range(3):
        ContactFactory(
            campaign=ebook,
            stage=Stage.MQL if n == 0 else Stage.LEAD,
            created_at=MARCH,
            lead_at=MARCH,
            mql_at=MARCH if n == 0 else None,
        )
    ContactFactory(campaign=webinar, stage=Stage.LEAD, created_at=MARCH, lead_at=MARCH)
    return ebook, webinar


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/panels/funnel/"])
def test_a_rep_gets_the_403_page_on_the_dashboard_and_its_panels(login, rep, url):
    response = login(rep).get(url)
    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


def test_an_account_without_a_role_cannot_open_the_dashboard(login, nobody):
    assert login(nobody).get("/dashboard/").status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_dashboard_loads_every_panel_with_the_same_filters(login, manager):
    campaign = CampaignFactory()
    response = login(manager).get(f"/dashboard/?{RANGE}&campaign={campaign.pk}&mode=period")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("funnel", "targets", "sources", "trends", "sla", "speed"):
        assert f'hx-get="/dashboard/panels/{name}/?start=2026-03-01&amp;end=2026-03-31' in html
    assert f"campaign={campaign.pk}" in html and "mode=period" in html


def test_the_date_fields_show_the_reports_default_range(login, manager):
    html = login(manager).get("/dashboard/").content.decode()
    today = timezone.localdate()
    assert f'name="end" value="{today:%Y-%m-%d}"' in html
    # Twelve whole months: from December, January of the same year; else the next month a
    # year back.
    year = today.year if today.month == 12 else today.year - 1
    assert f'name="start" value="{year}-{today.month % 12 + 1:02d}-01"' in html


def test_a_start_after_the_end_is_a_400_naming_the_field(login, manager):
    response = login(manager).get("/dashboard/?start=2026-04-01&end=2026-03-01")
    assert response.status_code == 400
    assert "The start must not be after the end." in response.content.decode()
    panel = login(manager).get("/dashboard/panels/funnel/?start=2026-04-01&end=2026-03-01")
    assert panel.status_code == 400


def test_an_unknown_panel_is_a_404(login, manager):
    assert login(manager).get(f"/dashboard/panels/nothing/?{RANGE}").status_code == 404


def test_the_funnel_panel_counts_each_stage_and_the_share_of_the_previous(login, manager):
    funnel_people()
    response = login(manager).get(f"/dashboard/panels/funnel/?{RANGE}")
    spec = chart(response, "funnel")
    assert spec["labels"][:3] == ["Contacts", "Leads", "MQLs"]
    assert spec["series"][0]["values"][:3] == [4, 4, 1]
    assert spec["series"][0]["notes"][2] == "25% of leads"
    assert "Cost per MQL" in response.content.decode()


def test_a_filter_changes_what_the_panel_counts(login, manager):
    funnel_people()
    response = login(manager).get(f"/dashboard/panels/funnel/?{RANGE}&channel=webinar")
    assert chart(response, "funnel")["series"][0]["values"][:3] == [1, 1, 0]


def test_the_sources_panel_compares_conversion_and_cost_per_channel(login, manager):
    funnel_people()
    response = login(manager).get(f"/dashboard/panels/sources/?{RANGE}&by=channel")
    conversion = chart(response, "conversion")
    assert conversion["labels"] == ["E-book", "Webinar"]
    assert conversion["series"][0]["label"] == "Lead → MQL"
    assert conversion["series"][0]["values"] == [pytest.approx(1 / 3, abs=1e-4), 0.0]
    cost = chart(response, "cost")
    assert cost["unit"] == "money" and cost["currency"] == "EUR"
    per_lead = cost["series"][0]
    assert per_lead["label"] == "Cost per Lead"
    assert per_lead["values"][cost["labels"].index("E-book")] > 0


def test_each_panel_links_to_its_report_as_csv_with_the_same_filters(login, manager):
    response = login(manager).get(f"/dashboard/panels/sources/?{RANGE}&channel=ebook&by=channel")
    html = response.content.decode()
    assert "/api/v1/reports/funnel/?start=2026-03-01&amp;end=2026-03-31" in html
    assert "channel=ebook&amp;group_by=channel&amp;format=csv" in html
    csv = login(manager).get(
        "/api/v1/reports/funnel/?start=2026-03-01&end=2026-03-31&channel=ebook"
        "&group_by=channel&format=csv"
    )
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")


def test_an_empty_range_says_there_is_no_data_instead_of_drawing(login, manager):
    response = login(manager).get("/dashboard/panels/sources/?start=2020-01-01&end=2020-01-31")
    assert response.status_code == 200
    assert "No data for these dates and filters." in response.content.decode()


def test_the_targets_panel_shows_the_month_in_focus_with_its_pace(login, manager):
    month = timezone.localdate().replace(day=1)
    Target.objects.create(stage=Stage.MQL, month=month, goal=10)
    response = login(manager).get(f"/dashboard/panels/targets/?start={month}")
    spec = chart(response, "targets")
    assert spec["labels"] == ["MQL"]
    assert [series["label"] for series in spec["series"]] == ["Actual", "Expected by now", "Goal"]
    assert spec["series"][2]["values"] == [10]
    assert "0 of 10" in response.content.decode()


def test_the_sla_panel_draws_the_median_wait_against_the_sla(login, manager, rep):
    response = login(manager).get(f"/dashboard/panels/sla/?{RANGE}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "the SLA gives 48 h to accept or reject" in html


def test_a_marketer_reads_the_dashboard_but_does_not_edit_targets(login, marketer):
    assert login(marketer).get("/dashboard/").status_code == 200
    assert login(marketer).get("/dashboard/targets/").status_code == 403


def test_a_manager_sets_a_target_for_a_month(login, manager):
    response = login(manager).post(
        "/dashboard/targets/new/", {"stage": "mql", "month": "2026-05", "goal": "120"}
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.stage, target.month, target.goal) == ("mql", date(2026, 5, 1), 120)
    assert target.created_by == manager


def test_a_second_target_for_the_same_stage_and_month_is_refused(login, manager):
    Target.objects.create(stage=Stage.MQL, month=date(2026, 5, 1), goal=100)
    response = login(manager).post(
        "/dashboard/targets/new/", {"stage": "mql", "month": "2026-05", "goal": "120"}
    )
    assert response.status_code == 400
    assert Target.objects.get().goal == 100


def test_a_goal_must_be_a_positive_number(login, manager):
    response = login(manager).post(
        "/dashboard/targets/new/", {"stage": "mql", "month": "2026-05", "goal": "-3"}
    )
    assert response.status_code == 400
    assert not Target.objects.exists()


def test_a_manager_changes_and_deletes_a_target(login, manager):
    target = Target.objects.create(stage=Stage.SQL, month=date(2026, 5, 1), goal=10)
    client = login(manager)
    client.post(
        f"/dashboard/targets/{target.pk}/edit/", {"stage": "sql", "month": "2026-05", "goal": "12"}
    )
    target.refresh_from_db()
    assert target.goal == 12
    assert client.post(f"/dashboard/targets/{target.pk}/delete/").status_code == 302
    assert not Target.objects.exists()
