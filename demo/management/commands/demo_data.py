from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from leadfunnel.settings.base import env

from ...capture import ensure_forms, ensure_touches
from ...definitions import ensure_definitions
from ...duplicates import ensure_duplicates
from ...funnel import ensure_contacts
from ...integrations import ensure_import
from ...reporting import ensure_targets
from ...scoring import ensure_activity, ensure_companies, ensure_rule_names
from ...sla import ensure_sla
from ...users import TEAM, ensure_team


class Command(BaseCommand):
    help = "Load the demo team, campaigns and contacts (idempotent) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=400)
        parser.add_argument("--port", default=env("PORT", default="8000"))

    def handle(self, *args, contacts: int, port: str, **options):
        password = env("DEMO_PASSWORD", default="leadfunnel-demo")
        # Names, reasons and texts are written in the installation's language, as its team
        # would have typed them.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            users = ensure_team(password)
            ensure_rule_names()
            ensure_sla(users)
            ensure_definitions(users)
            created = ensure_contacts(users, contacts)
            ensure_activity()
            ensure_import(users)
            ensure_targets(users)
            ensure_duplicates(users)
            ensure_forms(users)
            ensure_touches()
            ensure_companies()
        self.stdout.write(f"Demo data: {created} contact(s) added.")
        self.stdout.write(
            self.style.SUCCESS(f"\n  leadfunnel is starting on http://localhost:{port}/")
        )
        self.stdout.write(f"  API docs: http://localhost:{port}/api/v1/docs/\n")
        self.stdout.write(f"  Demo logins (password: {password}):")
        for member in TEAM:
            self.stdout.write(f"    {member.role.label:<10} {member.username}")
        self.stdout.write("")
