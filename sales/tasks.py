"""Celery tasks: thin, idempotent. The beat schedule is in settings."""

from celery import shared_task

from . import reminders


@shared_task(name="sales.tasks.remind_due_tasks")
def remind_due_tasks() -> int:
    """Beat, every minute: remind the owners of the tasks falling due, once each."""
    return reminders.tasks_remind()
