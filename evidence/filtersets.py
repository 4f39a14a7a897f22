from django_filters import rest_framework as filters

from .models import Analysis, Kind, Status


class AnalysisFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Kind.choices)
    status = filters.ChoiceFilter(choices=Status.choices)

    class Meta:
        model = Analysis
        fields: list[str] = []
