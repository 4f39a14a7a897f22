"""``/api/v1/companies/``: accounts with the scores of their contacts and their stage mix.
Every role reads them; managers rename them and give them an owner."""

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.serializers import BaseSerializer

from leads.api.permissions import HasFunnelRole
from leads.api.responses import errors
from leads.companies import company_update
from leads.models import Company
from leads.roles import Capability, holders

from .. import selectors
from ..filtersets import CompanyFilterSet
from .serializers import CompanySerializer


@extend_schema_view(
    list=extend_schema(responses={200: CompanySerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: CompanySerializer, **errors(404)}),
    partial_update=extend_schema(responses={200: CompanySerializer, **errors(400, 404)}),
    update=extend_schema(responses={200: CompanySerializer, **errors(400, 404)}),
)
class CompanyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Company],
):
    """Companies, grouped from the contacts' e-mail domains (or the company a free-mail
    contact gave), scored from their contacts' figures (``scoring/settings/``:
    ``company_aggregate``, ``company_top_n``; ``mqa_threshold`` for marketing-qualified
    accounts). Scores are refreshed every few minutes (``scored_at``)."""

    serializer_class = CompanySerializer
    filterset_class = CompanyFilterSet
    permission_classes = [HasFunnelRole]
    write_roles = holders(Capability.MANAGE_TEAM)

    def get_queryset(self) -> QuerySet[Company]:
        return selectors.company_list()

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["stage_mix"] = getattr(self, "_mix", {})
        return context

    def paginate_queryset(self, queryset: Any) -> Any:
        """The page, and the stage mix of its companies in one query."""
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._mix = selectors.company_stage_mix([company.pk for company in page])
        return page

    def get_object(self) -> Company:
        company = super().get_object()
        self._mix = selectors.company_stage_mix([company.pk])
        return company

    def perform_update(self, serializer: BaseSerializer[Company]) -> None:
        company = cast(Company, serializer.instance)
        serializer.instance = company_update(company=company, **serializer.validated_data)
