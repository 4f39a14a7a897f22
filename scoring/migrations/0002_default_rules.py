"""Default settings and rules for a B2B team: a starting point marketing edits, not a truth."""

from django.db import migrations
from django.utils.translation import gettext_noop

FREE_EMAIL = [
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
    "icloud.com", "aol.com", "gmx.de", "web.de", "orange.fr", "free.fr", "laposte.net",
]

# name, dimension, points, event_type, attribute, operator, value, max_times; the names are
# marked for the catalogue so that the demo data can give them in its language.
RULES = [
    (gettext_noop("E-mail opened"), "engagement", 5, "email_opened", "", "", None, 5),
    (gettext_noop("E-mail clicked"), "engagement", 8, "email_clicked", "", "", None, 5),
    (gettext_noop("Page viewed"), "engagement", 1, "page_viewed", "", "", None, 20),
    (gettext_noop("Pricing page viewed"), "engagement", 10, "page_viewed", "url", "contains", "/pricing", 3),
    (gettext_noop("Careers page viewed (job seeker)"), "fit", -20, "page_viewed", "url", "contains", "/careers", 1),
    (gettext_noop("Form submitted"), "engagement", 15, "form_submitted", "", "", None, None),
    (gettext_noop("Content downloaded"), "engagement", 10, "content_downloaded", "", "", None, 5),
    (gettext_noop("Webinar registered"), "engagement", 25, "webinar_registered", "", "", None, None),
    (gettext_noop("Trial started"), "engagement", 40, "trial_started", "", "", None, None),
    (gettext_noop("Demo requested"), "engagement", 50, "demo_requested", "", "", None, None),
    (gettext_noop("Company of 50+ people"), "fit", 10, "", "company_size", "gte", 50, None),
    (gettext_noop("Company of 500+ people"), "fit", 10, "", "company_size", "gte", 500, None),
    (gettext_noop("C-level"), "fit", 15, "", "job_title", "in", ["CEO", "CMO", "CTO", "CFO", "COO", "CRO"], None),
    (gettext_noop("Head of ..."), "fit", 10, "", "job_title", "contains", "head of", None),
    (gettext_noop("Director"), "fit", 10, "", "job_title", "contains", "director", None),
    (gettext_noop("Student"), "fit", -40, "", "job_title", "contains", "student", None),
    (gettext_noop("Target industry"), "fit", 10, "", "industry", "in", ["Software", "Finance"], None),
    (gettext_noop("Free e-mail address"), "fit", -10, "", "email_domain", "in", FREE_EMAIL, None),
    (gettext_noop("Phone number given"), "fit", 5, "", "phone", "is_set", True, None),
]


def load(apps, schema_editor):
    apps.get_model("scoring", "ScoringSettings").objects.get_or_create(pk=1)
    Rule = apps.get_model("scoring", "Rule")
    if Rule.objects.exists():
        return
    fields = ("name", "dimension", "points", "event_type", "attribute", "operator", "value",
              "max_times")
    Rule.objects.bulk_create(Rule(**dict(zip(fields, row))) for row in RULES)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
