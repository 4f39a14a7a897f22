"""Query-parameter filters of the contact and campaign lists, named as the API contract does."""

from datetime import UTC, date, datetime
from typing import Any

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from .models import Campaign, Channel, Contact, DuplicatePair, LeadStatus
from .stages import Stage

BIGGEST_ID = 2**63 - 1  # a bigint


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned to UTC before it reaches a query: PostgreSQL refuses a zone
    offset past 15:59 (``+17:51``), which Python's datetime and ISO 8601 allow."""

    def to_python(self, value: Any) -> datetime | None:
        moment: datetime | None = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
            raise ValidationError(_("This time is out of range."), code="invalid") from None


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": BIGGEST_ID})
class IdFilter(filters.NumberFilter):
    """An object's id in a query parameter (``owner=7``): a whole number, as the schema says."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGGEST_ID)
        super().__init__(*args, **kwargs)


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """The filter of every time in a query parameter (``created_after=...``)."""

    field_class = UtcDateTimeField


class ContactFilterSet(filters.FilterSet):
    # distinct=False: the filter joins nothing, and DISTINCT over every column is slow.
    stage = filters.MultipleChoiceFilter(choices=Stage.choices, distinct=False)
    owner = IdFilter(field_name="owner_id")
    lead_status = filters.MultipleChoiceFilter(choices=LeadStatus.choices, distinct=False)
    campaign = IdFilter(field_name="campaign_id")
    account = IdFilter(field_name="account_id", help_text="A company's id (/companies/).")
    channel = filters.ChoiceFilter(field_name="campaign__channel", choices=Channel.choices)
    score_min = filters.NumberFilter(field_name="score", lookup_expr="gte")
    score_max = filters.NumberFilter(field_name="score", lookup_expr="lte")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    sla_overdue = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_sla_overdue"
    )
    q = filters.CharFilter(method="search", label=_("Name, e-mail or company contains"))
    ordering = filters.OrderingFilter(
        fields=(
            "score",
            "fit_score",
            "engagement_score",
            "created_at",
            "stage_changed_at",
            "sla_due_at",
            "lead_status",
            "first_name",
            "last_name",
            "company",
            "id",
        )
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_sla_overdue(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        overdue = Q(sla_due_at__lte=timezone.now())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)

    def search(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(company__icontains=value)
        )


class CampaignFilterSet(filters.FilterSet):
    channel = filters.ChoiceFilter(choices=Channel.choices)
    q = filters.CharFilter(field_name="name", lookup_expr="icontains")
    active_on = filters.DateFilter(method="filter_active_on", label=_("Running on this date"))

    class Meta:
        model = Campaign
        fields: list[str] = []

    def filter_active_on(
        self, queryset: QuerySet[Campaign], name: str, value: date
    ) -> QuerySet[Campaign]:
        return queryset.filter(started_on__lte=value).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=value)
        )


class DuplicatePairFilterSet(filters.FilterSet):
    min_score = filters.NumberFilter(field_name="score", lookup_expr="gte")
    contact = IdFilter(method="involving", help_text=_("Pairs with this contact on either side."))

    class Meta:
        model = DuplicatePair
        fields: list[str] = []

    def involving(
        self, queryset: QuerySet[DuplicatePair], name: str, value: int
    ) -> QuerySet[DuplicatePair]:
        return queryset.filter(Q(first_id=value) | Q(second_id=value))
