"""Multi-touch attribution against hand-computed credits: one person touched by four
campaigns before becoming a lead and an MQL, one touched once, one never; every model's
credits per campaign, their sum of exactly 1 per contact and stage, and cost per stage as
spend / credit, through the funnel report's API."""

from datetime import timedelta
from decimal import Decimal

import pytest

from leads.models import TouchSource
from leads.touches import TouchIn, touches_record
from tests.factories import CampaignFactory, ContactFactory

from .conftest import at

pytestmark = pytest.mark.django_db

DAY1 = at("2026-03-01")
LEAD_AT, MQL_AT = DAY1 + timedelta(days=11), DAY1 + timedelta(days=24)  # 12 and 25 March


@pytest.fixture
def journeys():
    """Ada: touches A (1 Mar), D (5), B (10), lead on the 12th, C (20), MQL on the 25th.
    Grace: one touch of A, then lead. Linus: no touch at all, then lead."""
    spend = {"A": "1000.00", "B": "600.00", "C": "300.00", "D": "100.00"}
    campaigns = {
        name: CampaignFactory(
            name=name,
            spend=Decimal(amount),
            started_on=DAY1.date(),
            ended_on=DAY1.date() + timedelta(days=30),
        )
        for name, amount in spend.items()
    }
    ada = ContactFactory(
        campaign=campaigns["A"],
        first_seen_at=DAY1,
        created_at=DAY1,
        lead_at=LEAD_AT,
        mql_at=MQL_AT,
    )
    grace = ContactFactory(campaign=campaigns["A"], first_seen_at=DAY1, created_at=DAY1,
                           lead_at=LEAD_AT)  # fmt: skip
    ContactFactory(first_seen_at=DAY1, created_at=DAY1, lead_at=LEAD_AT)
    touches = [(ada, "A", 0), (ada, "D", 4), (ada, "B", 9), (ada, "C", 19), (grace, "A", 0)]
    touches_record(
        [
            TouchIn(person.pk, DAY1 + timedelta(days=d), TouchSource.EVENT, campaigns[name].pk)
            for person, name, d in touches
        ]
    )
    return campaigns


def funnel(api, manager, attribution):
    response = api.as_user(manager).get(
        "/api/v1/reports/funnel/",
        {"start": "2026-03-01", "end": "2026-03-31", "group_by": "campaign",
         "attribution": attribution},
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    return response.json()


def credit(report, stage) -> dict[str | None, float]:
    return {g["label"]: round(g["counts"][stage], 4) for g in report["groups"]}


# Grace's lead goes to A under every model; Linus's to "No campaign".
EXPECTED_MQL = {
    "first": {"A": 1, "B": 0, "C": 0, "D": 0},
    "last": {"A": 0, "B": 0, "C": 1, "D": 0},
    "linear": {"A": 0.25, "B": 0.25, "C": 0.25, "D": 0.25},
    # 40 % first (A), 40 % lead-making (B, the last before the 12th), 20 % shared: C and D
    "u_shaped": {"A": 0.4, "B": 0.4, "C": 0.1, "D": 0.1},
    # 30 % A, 30 % B, 30 % C (the last before the MQL), 10 % D
    "w_shaped": {"A": 0.3, "B": 0.3, "C": 0.3, "D": 0.1},
    # weights 0.5 ** (days before the 25th / 7): A 24, D 20, B 15, C 5 days
    "time_decay": {"A": 0.0871, "B": 0.2122, "C": 0.5714, "D": 0.1294},
}
EXPECTED_ADAS_LEAD = {
    "first": {"A": 1, "B": 0, "D": 0},
    "last": {"A": 0, "B": 1, "D": 0},
    "linear": {"A": 0.3333, "B": 0.3333, "D": 0.3333},
    "u_shaped": {"A": 0.4, "B": 0.4, "D": 0.2},
    # no MQL yet on the 12th: its 30 % is left out, the rest grow (0.3, 0.3, 0.1 of 0.7)
    "w_shaped": {"A": 0.4286, "B": 0.4286, "D": 0.1429},
    # A 11 days before the lead, D 7, B 2
    "time_decay": {"A": 0.2031, "B": 0.4951, "D": 0.3018},
}


@pytest.mark.parametrize("model", list(EXPECTED_MQL))
def test_each_model_shares_the_mql_and_the_lead_as_computed_by_hand(api, manager, journeys, model):
    report = funnel(api, manager, model)
    mql = credit(report, "mql")
    for name, expected in EXPECTED_MQL[model].items():
        assert mql.get(name, 0) == pytest.approx(expected, abs=1e-4), (name, mql)
    lead = credit(report, "lead")
    for name, expected in EXPECTED_ADAS_LEAD[model].items():
        grace = 1 if name == "A" else 0
        assert lead.get(name, 0) == pytest.approx(expected + grace, abs=1e-4), (name, lead)
    assert lead["No campaign"] == 1  # Linus
    # exactly 1 per contact and stage
    exact = {g["label"]: g["counts"] for g in report["groups"]}
    assert sum(c["lead"] for c in exact.values()) == pytest.approx(3)
    assert sum(c["mql"] for c in exact.values()) == pytest.approx(1)
    assert report["total"]["counts"]["lead"] == 3 and report["total"]["counts"]["mql"] == 1


@pytest.mark.parametrize("mode", ["cohort", "period"])
@pytest.mark.parametrize("group_by", ["", "campaign", "channel", "month", "owner"])
def test_no_model_changes_how_many_contacts_reached_each_stage(
    api, manager, journeys, mode, group_by
):
    """The counts a multi-touch report gives come from the credits (they add up to 1 per
    contact and stage): whatever the model, each stage counts the same contacts as with first
    touch, in total and in each month's or rep's line. A touch that came after the lead (so
    credits nobody) and an MQL without any touch are among them."""
    late = ContactFactory(first_seen_at=DAY1, created_at=DAY1, lead_at=LEAD_AT, mql_at=MQL_AT)
    touches_record([TouchIn(late.pk, MQL_AT, TouchSource.FORM, journeys["B"].pk)])

    def lines(attribution):
        params = {"start": "2026-03-01", "end": "2026-03-31", "mode": mode,
                  "attribution": attribution, "group_by": group_by}  # fmt: skip
        report = api.as_user(manager).get("/api/v1/reports/funnel/", params).json()
        by_contact = group_by in ("month", "owner")
        return [g["counts"] for g in report["groups"] if by_contact], report["total"]["counts"]

    first = lines("first")
    assert first[1]["lead"] == 4 and first[1]["mql"] == 2
    for model in EXPECTED_MQL:
        assert lines(model) == first, model


def test_cost_per_stage_is_the_spend_over_the_credit(api, manager, journeys):
    report = funnel(api, manager, "u_shaped")
    cost = {g["label"]: g["cost"] for g in report["groups"]}
    assert Decimal(cost["A"]["mql"]) == Decimal("2500.00")  # 1000 / 0.4
    assert Decimal(cost["D"]["mql"]) == Decimal("1000.00")  # 100 / 0.1
    assert Decimal(cost["C"]["mql"]) == Decimal("3000.00")  # 300 / 0.1
    # the total divides all the spend by the credits the campaigns earned: 2000 / 1
    assert Decimal(report["total"]["cost"]["mql"]) == Decimal("2000.00")


def test_first_touch_is_the_default_and_todays_figures(api, manager, journeys):
    default = (
        api.as_user(manager)
        .get(
            "/api/v1/reports/funnel/",
            {"start": "2026-03-01", "end": "2026-03-31", "group_by": "campaign"},
        )
        .json()
    )
    assert default["groups"] == funnel(api, manager, "first")["groups"]
    assert credit(default, "lead") == {"A": 2, "No campaign": 1, "B": 0, "C": 0, "D": 0}


def test_an_unknown_model_is_a_400_naming_it(api, manager):
    response = api.as_user(manager).get("/api/v1/reports/funnel/", {"attribution": "shapley"})
    assert response.status_code == 400 and "attribution" in response.json()


def test_the_dashboards_sources_panel_follows_the_chosen_model(client, manager, journeys):
    client.force_login(manager)
    query = {"start": "2026-03-01", "end": "2026-03-31", "by": "campaign"}
    panel = client.get("/dashboard/panels/sources/", query | {"attribution": "u_shaped"})
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "Cost per stage by campaign (U-shaped (40/20/40))" in html
    lines = {line.label: line for line in panel.context["report"].groups}
    assert lines["B"].counts["mql"] == Decimal("0.4")
    assert "attribution=u_shaped" in html  # the CSV link keeps it


def test_the_contact_page_lists_the_touches_and_each_models_credit(client, manager, journeys):
    ada = journeys["A"].contacts.order_by("pk").first()
    client.force_login(manager)
    page = client.get(f"/dashboard/contacts/{ada.pk}/touches/")
    assert page.status_code == 200
    credit = page.context["credit"]
    assert [t.campaign.name for t in credit.touches] == ["A", "D", "B", "C"]
    assert credit.stage == "mql"
    shares = dict(credit.campaigns)
    models = [m.value for m in page.context["models"]]
    assert shares["B"][models.index("u_shaped")] == Decimal("0.4")
    assert shares["C"][models.index("last")] == Decimal("1")
    assert "Credit for reaching MQL" in page.content.decode()


def test_a_rep_sees_the_touches_of_their_own_contacts_only(client, rep, journeys):
    ada = journeys["A"].contacts.order_by("pk").first()
    client.force_login(rep)
    assert client.get(f"/dashboard/contacts/{ada.pk}/touches/").status_code == 403
