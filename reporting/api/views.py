"""
The reports over HTTP: thin views that validate the query, call one selector and serialize its
result, as JSON or, with ``?format=csv``, as a spreadsheet. They answer the people the
dashboard answers (``reporting.roles``): marketing and managers see the same numbers, from
the same selectors. Targets are set by managers.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from leadfunnel.api.negotiation import FormatNegotiation
from leads.api.permissions import HasFunnelRole
from leads.api.responses import crud_schema, errors
from leads.roles import Capability, has_role, holders
from sla.selectors import mql_sla_hours

from .. import selectors
from ..aggregates import sorts_in_memory
from ..models import Target
from ..roles import REPORT_READERS
from . import serializers as s
from .csv import CSVRenderer

FORMAT = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="csv: the report as a spreadsheet."
)


class ReportReader(BasePermission):
    """The dashboard's readers read every report; nobody writes one (others answer 405)."""

    message = "Reports are for marketing and managers."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return has_role(request.user, *REPORT_READERS)


class ReportView(APIView):
    """GET a report: ``query`` validates the parameters, ``build`` runs the selector."""

    permission_classes = [ReportReader]
    # The project's renderers (the browsable API is off in production), and CSV.
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]  # type: ignore[list-item]
    content_negotiation_class = FormatNegotiation
    query: type[serializers.Serializer]
    output: type[serializers.Serializer]
    name: str

    def build(self, **params):
        raise NotImplementedError

    def csv_rows(self, data: dict) -> list[dict]:
        """The rows of the spreadsheet: one per group, then the total."""
        return [*data["groups"], data["total"]]

    def get(self, request: Request) -> Response:
        query = self.query(data=request.query_params)
        query.is_valid(raise_exception=True)
        with sorts_in_memory():
            data = self.output(self.build(**query.validated_data)).data
        if request.accepted_renderer.format != CSVRenderer.format:
            return Response(data)
        period = query.validated_data["period"]
        filename = f"{self.name}_{period.start}_{period.end}.csv"
        return Response(
            self.csv_rows(data),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def documented(summary: str):
    """The report's schema: its parameters, ``?format=``, its output and its errors."""

    def decorate(view: type[ReportView]) -> type[ReportView]:
        return extend_schema(
            summary=summary,
            parameters=[view.query, FORMAT],
            responses={200: view.output, **errors(400)},
        )(view)

    return decorate


@documented("Funnel: counts, conversion rates and cost per stage")
class FunnelReportView(ReportView):
    query, output, name = s.FunnelQuerySerializer, s.FunnelReportSerializer, "funnel"

    def build(self, **params):
        return selectors.funnel_report(**params)


@documented("MQL hand-off: passed to sales, accepted, rejected by reason, waiting")
class HandoffReportView(ReportView):
    query, output, name = s.HandoffQuerySerializer, s.HandoffReportSerializer, "handoff"

    def build(self, **params):
        return selectors.handoff_report(**params)


@documented("Velocity: time in stage, wait for the first sales action, SLA compliance")
class VelocityReportView(ReportView):
    query, output, name = s.VelocityQuerySerializer, s.VelocityReportSerializer, "velocity"

    def build(self, **params):
        return selectors.velocity_report(sla_hours=mql_sla_hours(), **params)


@documented("Speed to lead: time from each MQL hand-off to the first touch, in bands")
class ResponseTimeReportView(ReportView):
    query, output, name = (
        s.ResponseTimeQuerySerializer,
        s.ResponseTimeReportSerializer,
        "response_time",
    )

    def build(self, **params):
        return selectors.response_time_report(**params)


@documented("Targets: goal, actual, gap and pace to the end of the month")
class TargetsReportView(ReportView):
    query, output, name = s.PeriodQuerySerializer, s.TargetsReportSerializer, "targets"

    def build(self, **params):
        return selectors.targets_report(**params)

    def csv_rows(self, data: dict) -> list[dict]:
        return data["targets"]


@documented("Trends: each conversion rate by month, with the team that owns it")
class TrendsReportView(ReportView):
    query, output, name = s.TrendsQuerySerializer, s.TrendsReportSerializer, "trends"

    def build(self, **params):
        return selectors.trends_report(**params)

    def csv_rows(self, data: dict) -> list[dict]:
        return data["months"]


@crud_schema(s.TargetSerializer, taken=True)
class TargetViewSet(viewsets.ModelViewSet):
    """Monthly goals per stage: managers set them, everyone reads them."""

    queryset = Target.objects.all()
    serializer_class = s.TargetSerializer
    permission_classes = [HasFunnelRole]
    write_roles = holders(Capability.MANAGE_TEAM)
    filterset_fields = ["stage", "month"]

    def perform_create(self, serializer) -> None:
        serializer.save(created_by=self.request.user)
