from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from leads.filtersets import IdFilter
from leads.models import Company

from .models import Dimension, Rule


class RuleFilterSet(filters.FilterSet):
    active = filters.BooleanFilter()
    dimension = filters.ChoiceFilter(choices=Dimension.choices)
    kind = filters.ChoiceFilter(
        choices=[("event", "event"), ("profile", "profile")], method="filter_kind"
    )
    event_type = filters.CharFilter()
    ruleset = filters.NumberFilter(help_text="A version's id (default: the published one).")

    class Meta:
        model = Rule
        fields: list[str] = []

    def filter_kind(self, queryset: QuerySet[Rule], name: str, value: str) -> QuerySet[Rule]:
        events = queryset.exclude(event_type="")
        return events if value == "event" else queryset.filter(event_type="")


class CompanyFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Name or domain contains")
    mqa = filters.BooleanFilter(
        field_name="mqa_at", lookup_expr="isnull", exclude=True, label="Marketing-qualified"
    )
    owner = IdFilter(field_name="owner_id")
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte")
    ordering = filters.OrderingFilter(
        fields=("score", "fit_score", "engagement_score", "contact_count", "name", "mqa_at", "id")
    )

    class Meta:
        model = Company
        fields: list[str] = []

    def search(self, queryset: QuerySet[Company], name: str, value: str) -> QuerySet[Company]:
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))
