"""Default settings and rules for a B2B team: a starting point marketing edits, not a truth."""

from django.db import migrations

FREE_EMAIL = [
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
    "icloud.com", "aol.com", "gmx.de", "web.de", "orange.fr", "free.fr", "laposte.net",
]

# name, dimension, points, event_type, attribute, operator, value, max_times
RULES = [
    ("E-mail opened", "engagement", 5, "email_opened", "", "", None, 5),
    ("E-mail clicked", "engagement", 8, "email_clicked", "", "", None, 5),
    ("Page viewed", "engagement", 1, "page_viewed", "", "", None, 20),
    ("Pricing page viewed", "engagement", 10, "page_viewed", "url", "contains", "/pricing", 3),
    ("Careers page viewed (job seeker)", "fit", -20, "page_viewed", "url", "contains", "/careers", 1),
    ("Form submitted", "engagement", 15, "form_submitted", "", "", None, None),
    ("Content downloaded", "engagement", 10, "content_downloaded", "", "", None, 5),
    ("Webinar registered", "engagement", 25, "webinar_registered", "", "", None, None),
    ("Trial started", "engagement", 40, "trial_started", "", "", None, None),
    ("Demo requested", "engagement", 50, "demo_requested", "", "", None, None),
    ("Company of 50+ people", "fit", 10, "", "company_size", "gte", 50, None),
    ("Company of 500+ people", "fit", 10, "", "company_size", "gte", 500, None),
    ("C-level", "fit", 15, "", "job_title", "in", ["CEO", "CMO", "CTO", "CFO", "COO", "CRO"], None),
    ("Head of ...", "fit", 10, "", "job_title", "contains", "head of", None),
    ("Director", "fit", 10, "", "job_title", "contains", "director", None),
    ("Student", "fit", -40, "", "job_title", "contains", "student", None),
    ("Target industry", "fit", 10, "", "industry", "in", ["Software", "Finance"], None),
    ("Free e-mail address", "fit", -10, "", "email_domain", "in", FREE_EMAIL, None),
    ("Phone number given", "fit", 5, "", "phone", "is_set", True, None),
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
