"""The browser pages a team opens all day, rendered whole (templates included), warm."""

from .results import Result, median_ms


def run(contacts: int) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from leads.models import Contact

    users = get_user_model().objects
    manager = users.get(username="bench-manager")
    rep = users.filter(username__startswith="bench-rep-").order_by("username").first()
    contact = Contact.objects.filter(owner=rep).order_by("-client_at").first()
    client = Client(HTTP_HOST="localhost")  # an allowed host of the local settings

    def page(user, path, **headers):
        client.force_login(user)
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        return response

    cases = [
        ("page: contacts, first page (manager)", manager, "/contacts/", {}),
        (
            "page: contacts, stage=mql by -score",
            manager,
            "/contacts/?stage=mql&ordering=-score",
            {},
        ),
        ("page: contacts, q=Company 4242", manager, "/contacts/?q=Company%204242", {}),
        (
            "page: contacts, htmx results only",
            manager,
            "/contacts/?stage=sql",
            {"HX-Request": "true"},
        ),
        ("page: contacts, a rep's scope", rep, "/contacts/?ordering=sla_due_at", {}),
        ("page: my queue (rep)", rep, "/queue/", {}),
        ("page: team queue (manager)", manager, "/queue/team/", {}),
        ("page: contact with timeline", manager, f"/contacts/{contact.pk}/", {}),
        ("page: campaigns", manager, "/campaigns/", {}),
    ]
    return [
        Result(name, median_ms(lambda u=u, p=p, h=h: page(u, p, **h)), "ms p50", "< 250 ms")
        for name, u, p, h in cases
    ]
