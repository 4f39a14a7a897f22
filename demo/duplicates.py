"""A few people who came in twice (a personal address beside the work one, the phone typed
another way), so the duplicates page and the contact page's warning show something."""

from leads import services
from leads.models import Contact

TWINS = 4


def ensure_duplicates(users: dict) -> None:
    """Idempotent: a second record for the first few contacts, once."""
    people = Contact.objects.active().exclude(first_name="").order_by("pk")[:TWINS]
    for person in people:
        email = f"{person.first_name}.{person.last_name}.home@example.net".lower().replace(" ", "")
        if Contact.objects.filter(email__iexact=email).exists():
            continue
        services.contact_create(
            by=users["marketer"],
            email=email,
            first_name=person.first_name,
            last_name=person.last_name,
            company=person.company,
            phone=person.phone or "06 12 34 56 7" + str(person.pk % 10),
        )
