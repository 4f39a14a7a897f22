"""`python manage.py sla_sweep`: the beat task's sweep, for cron users (e-mails inline)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from sla import mail, sweep


class Command(BaseCommand):
    help = "Breach the SLA clocks that are due, assign waiting MQLs and mail the notifications."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Sweep as of this ISO 8601 time (default: now).")
        parser.add_argument("--no-mail", action="store_true", help="Leave e-mails to a worker.")

    def handle(self, *args, now: str | None, no_mail: bool, **options):
        at = parse_datetime(now) if now else None
        if now and (at is None or at.tzinfo is None):
            raise CommandError(
                _("--now needs an ISO 8601 time with a zone, e.g. 2026-03-02T09:00Z")
            )
        report = sweep.sla_sweep(now=at)
        self.stdout.write(f"SLA sweep: {report}.")
        if not no_mail:
            self.stdout.write(f"E-mails sent: {mail.notifications_mail(now=at)}.")
