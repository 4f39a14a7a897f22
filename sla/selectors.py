"""Reads the SLA pages, the API, the sweep and other apps share."""

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from leads.models import Contact
from leads.roles import Account, Capability, User, can, sees_every_contact
from leads.stages import Role
from sales.models import SalesTask

from .models import (
    TOUCH_CLOCKS,
    AssignmentMode,
    AssignmentRule,
    Breach,
    ClockKind,
    Notification,
    RepAvailability,
    SlaPolicy,
)

DEFAULT_MQL_SLA_HOURS = 48.0  # the domain's "2 days to accept or reject"


def mql_sla_hours() -> float:
    """The hours the active policy allows an MQL to wait for accept or reject (48 without
    one): the line the dashboard draws under the median wait. No verdict reads it: each
    hand-off is judged on the deadline it was given (``sla.verdicts``)."""
    hours = (
        SlaPolicy.objects.filter(active=True, clock=ClockKind.MQL_RESPONSE)
        .values_list("hours", flat=True)
        .first()
    )
    return float(hours) if hours is not None else DEFAULT_MQL_SLA_HOURS


def active_policies(kinds: Iterable[ClockKind]) -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.filter(active=True, clock__in=kinds)


def unreachable_policy() -> SlaPolicy | None:
    """The active MQL policy that asks for attempts before an "unreachable" rejection."""
    return (
        SlaPolicy.objects.filter(
            active=True, clock__in=TOUCH_CLOCKS, unreachable_attempts__isnull=False
        )
        .order_by("-unreachable_attempts", "pk")
        .first()
    )


def round_robin_in_use() -> bool:
    """Whether any new MQL may need dealing out (if not, the shared queue needs no task)."""
    return AssignmentRule.objects.filter(active=True, mode=AssignmentMode.ROUND_ROBIN).exists()


def rule_for(contact: Contact) -> AssignmentRule | None:
    """The first active rule (by priority) that matches the contact, if any."""
    rules = AssignmentRule.objects.filter(active=True).order_by("priority", "id")
    return next((rule for rule in rules if rule.matches(contact)), None)


def sales_reps() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SALES)
        .distinct()
        .order_by("pk")
    )


def available_rep_ids(rule: AssignmentRule | None, now: datetime) -> list[int]:
    """The rule's reps (every active rep when it lists none, or without a rule) who are
    not away, in id order: the round-robin's circle."""
    reps = sales_reps()
    if rule is not None and rule.reps.exists():
        reps = reps.filter(pk__in=rule.reps.values("pk"))
    away = RepAvailability.objects.away(now).values("rep_id")
    return list(reps.exclude(pk__in=away).values_list("pk", flat=True))


def manager_ids() -> list[int]:
    """The people told about every breach."""
    managers = get_user_model().objects.filter(is_active=True, groups__name=Role.MANAGERS)
    return list(managers.order_by("pk").values_list("pk", flat=True).distinct())


def breaches_visible_to(user: User) -> QuerySet[Breach]:
    """Managers and marketing see every breach; a rep sees the ones on their watch."""
    breaches = Breach.objects.select_related("policy")
    if sees_every_contact(user):
        return breaches
    if can(user, Capability.OWN_CONTACTS):
        return breaches.filter(owner_id=user.pk)
    return breaches.none()


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=cast(Account, user)).select_related("breach__contact")


def task_reminders_for(user: User) -> QuerySet[SalesTask]:
    """The user's tasks that fell due and are still open: they stand beside the unread
    notifications until they are done."""
    tasks = SalesTask.objects.reminded().filter(owner=cast(Account, user))
    return tasks.select_related("contact").order_by("due_at", "pk")


def unread_count(user: User) -> int:
    """The bell's figure: unread notifications and reminded open tasks."""
    unread = notifications_for(user).filter(read_at__isnull=True).count()
    return unread + task_reminders_for(user).count()


def reps_visible_to(user: User) -> QuerySet:
    """Whose availability the user may read and set: a manager every rep's, a rep their own."""
    if can(user, Capability.MANAGE_TEAM):
        return sales_reps().select_related("sla_availability")
    if can(user, Capability.OWN_CONTACTS):
        return sales_reps().filter(pk=user.pk).select_related("sla_availability")
    return get_user_model().objects.none()
