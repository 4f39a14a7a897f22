"""Query-parameter filters of the breach and notification lists."""

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from leads.filtersets import IdFilter, UtcDateTimeFilter

from .models import Breach, BreachAction, ClockKind, Notification


class BreachFilterSet(filters.FilterSet):
    owner = IdFilter(field_name="owner_id")
    contact = IdFilter(field_name="contact_id")
    policy = IdFilter(field_name="policy_id")
    kind = filters.ChoiceFilter(choices=ClockKind.choices)
    action = filters.ChoiceFilter(choices=BreachAction.choices)
    resolved = filters.BooleanFilter(method="filter_resolved", label=_("Whether it was resolved"))
    breached_after = UtcDateTimeFilter(field_name="breached_at", lookup_expr="gte")
    breached_before = UtcDateTimeFilter(field_name="breached_at", lookup_expr="lt")
    ordering = filters.OrderingFilter(
        fields=(("breached_at", "breached_at"), ("due_at", "due"), ("resolved_at", "resolved_at"))
    )

    class Meta:
        model = Breach
        fields: list[str] = []

    def filter_resolved(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(resolved_at__isnull=not value)


class NotificationFilterSet(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields: list[str] = []
