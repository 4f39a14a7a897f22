"""The dashboard's panels, the scoring pages and a contact's score fragments, rendered whole
(templates included), warm: what a manager or a marketer waits for."""

from .results import Result, median_ms


def run(contacts: int) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from leads.models import Contact
    from leads.stages import Stage
    from reporting.api.serializers import twelve_months_to

    manager = get_user_model().objects.get(username="bench-manager")
    contact = Contact.objects.filter(stage=Stage.MQL).order_by("-score").first()
    client = Client(HTTP_HOST="localhost")  # an allowed host of the local settings
    client.force_login(manager)

    def page(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    today = timezone.localdate()
    year = f"start={twelve_months_to(today)}&end={today}"
    month = f"start={today.replace(day=1)}&end={today}"
    cases = [
        ("dashboard: the page (filters, empty panels)", f"/dashboard/?{year}"),
        ("dashboard: funnel, 12 months, cohort", f"/dashboard/panels/funnel/?{year}"),
        ("dashboard: funnel, 1 month, period", f"/dashboard/panels/funnel/?{month}&mode=period"),
        ("dashboard: sources by channel, 12 months", f"/dashboard/panels/sources/?{year}"),
        (
            "dashboard: sources by campaign, 12 months",
            f"/dashboard/panels/sources/?{year}&by=campaign",
        ),
        ("dashboard: monthly trends, 12 months", f"/dashboard/panels/trends/?{year}"),
        ("dashboard: targets", f"/dashboard/panels/targets/?{year}"),
        ("dashboard: SLA per rep, 12 months", f"/dashboard/panels/sla/?{year}"),
        ("dashboard: SLA per rep, 1 month", f"/dashboard/panels/sla/?{month}"),
        ("scoring: rules page", "/scoring/"),
        (
            "scoring: threshold preview (set-based count)",
            "/scoring/thresholds/preview/?mql_threshold=40",
        ),
        ("scoring: a contact's score explained", f"/scoring/contacts/{contact.pk}/"),
        ("scoring: a contact's activity timeline", f"/scoring/contacts/{contact.pk}/activity/"),
        ("sla: breaches, first page", "/sla/"),
    ]
    return [
        Result(name, median_ms(lambda p=path: page(p), repeat=7, warmup=1), "ms p50", "< 1000 ms")
        for name, path in cases
    ]
