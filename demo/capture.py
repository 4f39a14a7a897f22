"""Web forms and touches in the demo: a live "Contact us" form with a few submissions (their
utm_campaign waits on the mapping page), and later touches of other campaigns on a share of
the contacts, so the attribution models differ on the dashboard."""

import random
from datetime import timedelta

from django.utils.translation import gettext

from capture.models import Form
from capture.services import form_save, submission_take
from leads.models import Campaign, Contact, Touch, TouchSource
from leads.touches import TouchIn, touches_record

PARTNERS = "partners"  # the source of the later touches (and how a second run knows them)
VISITORS = (
    ("Camille", "Durand", "Atelier Nord"),
    ("Jonas", "Weber", "Datawise GmbH"),
    ("Lucía", "Romero", "Soluciones Mira"),
)


def ensure_forms(users: dict) -> None:
    if Form.objects.exists():
        return
    # No default campaign: its visitors' utm_campaign is for a marketer to map.
    form = form_save(
        by=users["marketer"],
        name=gettext("Contact us"),
        fields=["first_name", "last_name", {"name": "company", "required": True}, "phone"],
        consent_text=gettext("I agree that the sales team may contact me about the product."),
        thank_you_message=gettext("Thank you: someone from our team will call you within a day."),
        allowed_origins=["https://www.example.com"],
    )
    for first, last, company in VISITORS:
        submission_take(
            form=form,
            cleaned={
                "email": f"{first}.{last}@forms.example".lower(),
                "first_name": first,
                "last_name": last,
                "company": company,
            },
            tracking={
                "utm_source": "newsletter",
                "utm_medium": "email",
                "utm_campaign": "spring-newsletter",
            },  # fmt: skip
            address="192.0.2.10",
            site="http://localhost:8000/",
        )


def ensure_touches(seed: int = 2026) -> None:
    """Two in five contacts also met one or two other campaigns before their MQL (or their
    first month), once."""
    if Touch.objects.filter(utm_source=PARTNERS).exists():
        return
    rng = random.Random(seed)
    campaigns = list(Campaign.objects.values_list("pk", flat=True))
    touches = []
    for pk, seen, mql in Contact.objects.values_list("pk", "first_seen_at", "mql_at"):
        if rng.random() < 0.4:
            window = ((mql or seen + timedelta(days=30)) - seen).total_seconds()
            for _ in range(rng.randint(1, 2)):
                at = seen + timedelta(seconds=window * rng.random())
                campaign = rng.choice(campaigns)
                touches.append(TouchIn(pk, at, TouchSource.EVENT, campaign, utm_source=PARTNERS))
    touches_record(touches)
