"""Celery tasks: thin, idempotent, taking ids. The beat schedule is in settings."""

from celery import shared_task

from . import mail, services, sweep


@shared_task(name="sla.tasks.sla_sweep")
def sla_sweep() -> str:
    """Beat, every minute: breach what is due, then mail whatever waits (this run's
    notifications, or an earlier run's whose mail task was lost)."""
    report = sweep.sla_sweep()
    if mail.unmailed_exist():
        send_sla_emails.delay()
    return str(report)


@shared_task(name="sla.tasks.assign_mql")
def assign_mql(contact_id: int) -> None:
    services.mql_assign(contact_id=contact_id)


@shared_task(name="sla.tasks.send_sla_emails")
def send_sla_emails() -> int:
    return mail.notifications_mail()
