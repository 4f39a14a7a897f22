"""The reports over the API, as JSON and CSV: the exact figures of the hand-computed
``january`` scenario, the same for every role, bad parameters answered with a 400 naming
them, and spreadsheet formulas neutralised in CSV cells."""

import csv
import io
from datetime import date

import pytest

from leads.models import Channel
from reporting.models import Target
from tests.factories import CampaignFactory

from .conftest import at

pytestmark = pytest.mark.django_db

JANUARY = "start=2026-01-01&end=2026-01-31"


def get(api, user, path):
    return api.as_user(user).get(f"/api/v1/reports/{path}")


def rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_funnel_gives_counts_rates_and_cost_per_campaign_and_in_total(api, manager, january):
    response = get(api, manager, f"funnel/?{JANUARY}&group_by=campaign")
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == {"start": "2026-01-01", "end": "2026-01-31", "time_zone": "UTC"}
    assert (data["mode"], data["group_by"]) == ("cohort", "campaign")
    demo, ebook, none = data["groups"]
    assert (demo["key"], demo["label"]) == (str(january.demo.pk), "Demo requests")
    assert demo["counts"] == {"contact": 3, "lead": 3, "mql": 3, "sql": 1, "qso": 1, "client": 1}
    assert (demo["spend"], demo["currency"], demo["spend_prorated"]) == ("1600.00", "EUR", True)
    assert demo["cost"] == {
        "lead": "533.33",
        "mql": "533.33",
        "sql": "1600.00",
        "qso": "1600.00",
        "client": "1600.00",
    }
    assert ebook["rates"]["qso_to_client"] == 0.0 and none["rates"]["mql_to_sql"] is None
    assert data["total"]["cost"]["lead"] == "371.43"
    assert [step["name"] for step in data["steps"]][-1] == "lead_to_client"


def test_the_funnel_as_csv_has_a_row_per_group_and_the_total(api, manager, january):
    response = get(api, manager, f"funnel/?{JANUARY}&group_by=channel&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="funnel_2026-01-01_2026-01-31.csv"'
    )
    table = rows(response)
    assert [(r["key"], r["label"]) for r in table] == [
        ("demo_request", "Demo request"),
        ("ebook", "E-book"),
        ("", "No campaign"),
        ("", "Total"),
    ]
    ebook = table[1]
    assert (ebook["counts.lead"], ebook["rates.lead_to_mql"], ebook["cost.mql"]) == (
        "4",
        "0.75",
        "333.33",
    )
    assert (ebook["spend"], ebook["spend_prorated"]) == ("1000.00", "false")
    assert table[3]["cost.client"] == "2600.00"


def test_marketing_and_managers_read_the_same_numbers(api, marketer, manager, january):
    totals = [get(api, user, f"funnel/?{JANUARY}").json()["total"] for user in (marketer, manager)]
    assert totals[0] == totals[1]


@pytest.mark.parametrize("report", ["funnel", "handoff", "velocity", "targets", "trends"])
def test_a_rep_is_refused_the_reports_as_on_the_dashboard(api, rep, report):
    response = api.as_user(rep).get(f"/api/v1/reports/{report}/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Reports are for marketing and managers."


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(api, manager, walk):
    for name in ('=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "\tTab"):
        walk(at("2026-01-05"), campaign=CampaignFactory(name=name, channel=Channel.EMAIL))
    labels = [
        r["label"]
        for r in rows(get(api, manager, f"funnel/?{JANUARY}&group_by=campaign&format=csv"))
    ]
    assert sorted(labels[:-1]) == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1", "'-2", "'@SUM(A1)", "'\tTab"]
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-02-01&end=2026-01-01", "start"),
        ("start=yesterday", "start"),
        ("group_by=planet", "group_by"),
        ("mode=forever", "mode"),
        ("campaign=999999", "campaign"),
        ("owner=999999", "owner"),
        ("channel=carrier_pigeon", "channel"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, manager, query, field):
    response = get(api, manager, f"funnel/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_reports_need_a_funnel_role(api, nobody):
    assert get(api, nobody, "funnel/").status_code == 403
    assert api.get("/api/v1/reports/velocity/").status_code in (401, 403)


def test_handoff_over_the_api_and_as_csv(api, manager, rep, january):
    data = get(api, manager, f"handoff/?{JANUARY}&group_by=owner").json()
    assert [g["label"] for g in data["groups"]] == ["rep", "rep2"]
    total = data["total"]
    assert (total["passed"], total["accepted"], total["rejected"], total["waiting"]) == (
        5,
        2,
        1,
        2,
    )
    assert (total["acceptance_rate"], total["reasons"]) == (0.4, {"No interest": 1})
    table = rows(get(api, manager, f"handoff/?{JANUARY}&format=csv"))
    assert (table[-1]["label"], table[-1]["reasons.No interest"]) == ("Total", "1")


def test_velocity_uses_the_sla_hours_of_the_sla_app(api, manager, january, monkeypatch):
    assert get(api, manager, f"velocity/?{JANUARY}").json()["sla_hours"] == 48.0  # no policy
    monkeypatch.setattr("reporting.api.views.mql_sla_hours", lambda: 4.0)
    data = get(api, manager, f"velocity/?{JANUARY}&group_by=owner").json()
    assert data["sla_hours"] == 4.0
    total = data["total"]
    # The median wait (1 day) is over 4 h; but no hand-off was given a deadline (no policy
    # ran), so none is judged in time or late: verdicts read stored deadlines only.
    assert total["verdict"] == "over_sla"
    assert (total["sla"]["in_time"], total["sla"]["late"]) == (0, 0)
    assert total["sla"]["no_deadline"] == total["sla"]["handed_off"] > 0
    assert total["first_action"] == {"count": 3, "median_hours": 24.0, "p90_hours": 24.0}
    table = rows(get(api, manager, f"velocity/?{JANUARY}&group_by=owner&format=csv"))
    assert "stages.mql.median_hours" in table[0] and table[-1]["verdict"] == "over_sla"


def test_trends_over_the_api_and_as_csv(api, marketer, january):
    data = get(api, marketer, "trends/?start=2026-01-01&end=2026-02-28").json()
    assert data["mode"] == "period"
    assert [m["month"] for m in data["months"]] == ["2026-01", "2026-02"]
    table = rows(get(api, marketer, "trends/?start=2026-01-01&end=2026-02-28&format=csv"))
    assert (table[1]["month"], table[1]["change.mql_to_sql"]) == ("2026-02", "0.5")


def test_targets_report_over_the_api_and_as_csv(api, marketer, january):
    Target.objects.create(stage="mql", month=date(2026, 1, 1), goal=10)
    (line,) = get(api, marketer, f"targets/?{JANUARY}").json()["targets"]
    assert (line["stage"], line["goal"], line["actual"], line["gap"]) == ("mql", 10, 6, 4)
    (row,) = rows(get(api, marketer, f"targets/?{JANUARY}&format=csv"))
    assert (row["month"], row["actual"], row["on_track"]) == ("2026-01-01", "6", "false")


def test_managers_set_targets_and_everyone_reads_them(api, manager, rep):
    created = api.as_user(manager).post(
        "/api/v1/targets/", {"stage": "mql", "month": "2026-03-17", "goal": 120}
    )
    assert created.status_code == 201
    assert created.json()["month"] == "2026-03-01"  # any day of the month means the month
    assert Target.objects.get().created_by == manager
    assert api.as_user(rep).get("/api/v1/targets/").json()["results"][0]["goal"] == 120
    refused = api.as_user(rep).post(
        "/api/v1/targets/", {"stage": "sql", "month": "2026-03-01", "goal": 5}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "recycled", "month": "2026-04-01", "goal": 5}, "stage"),
        ({"stage": "mql", "month": "2026-04-01", "goal": 0}, "goal"),
        ({"stage": "mql", "month": "April", "goal": 5}, "month"),
    ],
)
def test_a_bad_target_is_a_400(api, manager, body, field):
    Target.objects.create(stage="mql", month=date(2026, 3, 1), goal=100)
    response = api.as_user(manager).post("/api/v1/targets/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_a_second_target_for_the_same_stage_and_month_is_a_409(api, manager):
    Target.objects.create(stage="mql", month=date(2026, 3, 1), goal=100)
    body = {"stage": "mql", "month": "2026-03-02", "goal": 5}
    response = api.as_user(manager).post("/api/v1/targets/", body)
    assert response.status_code == 409
    assert "non_field_errors" in response.json()
    assert Target.objects.get().goal == 100


def test_a_report_is_read_only(api, manager):
    assert api.as_user(manager).post("/api/v1/reports/funnel/", {}).status_code == 405


def test_months_before_the_year_1000_are_keyed_with_four_digits(api, manager, settings):
    # C's strftime wrote the year 2 as "2": "2-09" was no month the labels could read (a 500).
    settings.DATES_EARLIEST = date(1, 1, 1)  # an install that opens the window that far
    response = get(api, manager, "trends/?start=0002-09-01&end=0003-01-02")
    assert response.status_code == 200
    assert [month["month"] for month in response.json()["months"]][:2] == ["0002-09", "0002-10"]


def test_a_report_ending_in_the_calendars_first_year_starts_on_its_first_day(
    api, manager, settings
):
    # Twelve months back from January of the year 1 was the year 0 (a 500).
    settings.DATES_EARLIEST = date(1, 1, 1)
    response = get(api, manager, "funnel/?end=0001-01-15")
    assert response.status_code == 200
    assert response.json()["period"]["start"] == "0001-01-01"


@pytest.mark.parametrize(
    "query",
    [
        "funnel/?end=9999-12-31",  # its exclusive end, the day after, is no date (a 500)
        "trends/?start=9999-12-01&end=9999-12-31",  # nor is the month after
    ],
)
def test_a_report_ending_in_the_calendars_last_month_is_a_400_naming_end(
    api, manager, query, settings
):
    settings.DATES_HORIZON_DAYS = 10**7  # even with no horizon, the calendar ends
    response = get(api, manager, query)
    assert response.status_code == 400
    assert "end" in response.json()
