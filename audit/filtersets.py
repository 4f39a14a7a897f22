import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from leads.filtersets import IdFilter, UtcDateTimeFilter

from .models import Action, AuditEntry


class AuditEntryFilterSet(filters.FilterSet):
    model = filters.CharFilter(
        method="filter_model", label=_("app_label.model, e.g. scoring.rule or sla.slapolicy")
    )
    object_id = filters.CharFilter()
    actor = IdFilter(field_name="actor_id")
    action = filters.ChoiceFilter(choices=Action.choices)
    after = UtcDateTimeFilter(field_name="at", lookup_expr="gte")
    before = UtcDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_model(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        app_label, _dot, model = value.lower().partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
