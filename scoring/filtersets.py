from django.db.models import QuerySet
from django_filters import rest_framework as filters

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
