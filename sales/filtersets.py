from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from leads.filtersets import IdFilter, UtcDateTimeFilter

from .models import ActivityKind, SalesActivity, SalesTask


class ActivityFilterSet(filters.FilterSet):
    contact = IdFilter(field_name="contact_id")
    owner = IdFilter(field_name="owner_id")
    kind = filters.MultipleChoiceFilter(choices=ActivityKind.choices, distinct=False)
    after = UtcDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    before = UtcDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = SalesActivity
        fields: list[str] = []


class TaskFilterSet(filters.FilterSet):
    owner = IdFilter(field_name="owner_id")
    contact = IdFilter(field_name="contact_id")
    due_before = UtcDateTimeFilter(field_name="due_at", lookup_expr="lt")
    open = filters.BooleanFilter(method="filter_open", label=_("Not done yet"))

    class Meta:
        model = SalesTask
        fields: list[str] = []

    def filter_open(
        self, queryset: QuerySet[SalesTask], name: str, value: bool | None
    ) -> QuerySet[SalesTask]:
        if value is None:
            return queryset
        return queryset.filter(done_at__isnull=value)
