"""Reads of the sales app: who sees which activities and tasks, and a rep's day."""

from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from leads.models import Contact
from leads.roles import User, account, sees_every_contact

from .models import SalesActivity, SalesTask


def activities_visible_to(user: User) -> QuerySet[SalesActivity]:
    """The activities on the contacts the user sees (``Contact.objects.visible_to``)."""
    return SalesActivity.objects.filter(
        contact__in=Contact.objects.visible_to(user)
    ).select_related("owner", "author")


def tasks_visible_to(user: User) -> QuerySet[SalesTask]:
    """Marketers and managers see every task; a rep their own and those on their contacts."""
    tasks = SalesTask.objects.filter(contact__erased_at__isnull=True).select_related(
        "contact", "owner"
    )
    if sees_every_contact(user):
        return tasks
    person = account(user)
    if person is None:
        return tasks.none()
    return tasks.filter(Q(owner=person) | Q(contact__in=Contact.objects.visible_to(user)))


def end_of_today(now: datetime) -> datetime:
    """Midnight tonight in the site's time zone: what "due today" runs up to."""
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time()))


def tasks_due_today(user: User, now: datetime) -> QuerySet[SalesTask]:
    """The rep's open tasks due by tonight, the overdue first (oldest due first)."""
    person = account(user)
    if person is None:
        return SalesTask.objects.none()
    return (
        SalesTask.objects.open()
        .filter(owner=person, due_at__lt=end_of_today(now), contact__erased_at__isnull=True)
        .select_related("contact")
        .order_by("due_at", "pk")
    )


def timeline_activities(contact: Contact, limit: int, *, kinds: list[str]) -> list[SalesActivity]:
    return list(
        SalesActivity.objects.filter(contact=contact, kind__in=kinds)
        .select_related("owner")
        .order_by("-occurred_at", "-id")[:limit]
    )
