from django.db import migrations
from django.db.models import F, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, Least


def first_seen_from_activity(apps, schema_editor):
    """A contact with activity from before its record (a sync of older events) was first
    seen at its earliest event."""
    Contact = apps.get_model("leads", "Contact")
    Activity = apps.get_model("scoring", "Activity")
    first_event = (
        Activity.objects.filter(contact_id=OuterRef("pk"))
        .order_by()
        .values("contact_id")
        .annotate(first=Min("occurred_at"))
        .values("first")
    )
    Contact.objects.update(
        first_seen_at=Least(F("first_seen_at"), Coalesce(Subquery(first_event), F("first_seen_at")))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0006_contact_first_seen"),
        ("scoring", "0004_recomputejob_heartbeat"),
    ]

    operations = [migrations.RunPython(first_seen_from_activity, migrations.RunPython.noop)]
