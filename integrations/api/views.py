"""
Imports, the contacts export and webhooks over the API. Thin: validate, call a service or a
selector, answer. CSV answers are streamed, so a million rows never sit in memory.
"""

from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leadfunnel.api.negotiation import FormatNegotiation
from leads.api.permissions import CONTACT_EDITORS, HasFunnelRole
from leads.api.responses import crud_schema, errors
from leads.filtersets import ContactFilterSet
from leads.models import Contact
from leads.roles import Capability, holders

from .. import selectors
from ..csvfiles import csv_lines, defuse
from ..filtersets import DeliveryFilterSet
from ..models import Webhook
from ..services import imports, webhooks
from .permissions import HasRole
from .renderers import CSVRenderer
from .serializers import (
    DeliverySerializer,
    ImportCreateSerializer,
    ImportJobSerializer,
    WebhookSerializer,
    WebhookWithSecretSerializer,
)

CONFLICT = {
    409: OpenApiResponse(
        inline_serializer(
            "StateConflict",
            {"detail": serializers.CharField(), "status": serializers.CharField()},
        ),
        description="The job or delivery is not in a state that allows it.",
    )
}
CSV = {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, streamed.")}


def csv_response(
    filename: str, columns: Sequence[tuple], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """``columns``: (header, ..., format) per column, as ``selectors.EXPORT_COLUMNS``."""
    header = [column[0] for column in columns]
    formats = [column[-1] for column in columns]
    response = StreamingHttpResponse(
        csv_lines(header, rows, formats), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@extend_schema_view(
    list=extend_schema(responses={200: ImportJobSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(
        summary="An import's progress and report",
        responses={200: ImportJobSerializer, **errors(404)},
    ),
)
class ImportJobViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """CSV imports of contacts (marketing and managers)."""

    serializer_class = ImportJobSerializer
    permission_classes = [HasRole]
    roles = CONTACT_EDITORS
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.import_jobs()

    @extend_schema(
        summary="Upload a CSV file and queue its import",
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: ImportJobSerializer, **errors(400)},
    )
    def create(self, request, *args, **kwargs):
        params = ImportCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = imports.import_create(by=request.user, **params.validated_data)
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel an import (after its current chunk when it runs)",
        request=None,
        responses={200: ImportJobSerializer, **errors(404), **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = imports.import_cancel(job=self.get_object())
        return Response(self.get_serializer(job).data)


class ImportErrorsView(GenericAPIView):
    """The rows an import rejected: line number and reason, as CSV."""

    permission_classes = [HasRole]
    roles = CONTACT_EDITORS
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_negotiation_class = FormatNegotiation
    serializer_class = ImportJobSerializer

    def get_queryset(self):
        return selectors.import_jobs()

    @extend_schema(
        operation_id="imports_errors_csv",
        summary="The rejected rows of an import",
        responses={**CSV, **errors(400, 404)},
    )
    def get(self, request, pk: int):
        job = self.get_object()
        rows = job.rejections.order_by("line", "id").values_list("line", "reason")
        columns = [("line", None), ("reason", defuse)]
        return csv_response(f"import-{job.pk}-errors.csv", columns, rows.iterator())


class ContactExportView(GenericAPIView):
    """The contacts list as CSV, with the same filters and scoping as ``/contacts/``."""

    permission_classes = [HasFunnelRole]
    write_roles = ()
    filterset_class = ContactFilterSet
    renderer_classes = [JSONRenderer, CSVRenderer]
    content_negotiation_class = FormatNegotiation
    pagination_class = None

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user)

    @extend_schema(
        operation_id="exports_contacts_csv",
        summary="Export the filtered contacts as CSV (streamed)",
        filters=True,
        responses={**CSV, **errors(400)},
    )
    def get(self, request):
        contacts = self.filter_queryset(self.get_queryset())
        if "ordering" not in request.query_params:
            contacts = contacts.order_by("id")  # the primary key: a scan, no sort of it all
        filename = f"contacts-{timezone.now():%Y%m%d-%H%M}.csv"
        rows = selectors.contacts_export_rows(contacts)
        return csv_response(filename, selectors.EXPORT_COLUMNS, rows)


@crud_schema(WebhookSerializer, created=WebhookWithSecretSerializer)
class WebhookViewSet(viewsets.ModelViewSet):
    """Webhook subscriptions (managers): where to send which events, signed with a secret."""

    queryset = Webhook.objects.all()
    serializer_class = WebhookSerializer
    permission_classes = [HasRole]
    roles = holders(Capability.MANAGE_TEAM)
    lookup_value_regex = r"\d+"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = serializer.save(created_by=request.user)
        data = WebhookWithSecretSerializer(webhook, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace the secret; the answer shows the new one, once",
        request=None,
        responses={200: WebhookWithSecretSerializer, **errors(404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        webhook = webhooks.webhook_rotate_secret(webhook=self.get_object())
        return Response(WebhookWithSecretSerializer(webhook).data)


@extend_schema_view(
    list=extend_schema(responses={200: DeliverySerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: DeliverySerializer, **errors(404)}),
)
class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """Every event sent (or being sent) to a webhook, with each attempt (managers)."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    permission_classes = [HasRole]
    roles = holders(Capability.MANAGE_TEAM)
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.deliveries()

    @extend_schema(
        summary="Send a delivered or failed event again",
        request=None,
        responses={201: DeliverySerializer, **errors(404), **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        copy = webhooks.delivery_redeliver(delivery=self.get_object())
        data = self.get_serializer(selectors.deliveries().get(pk=copy.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)
