from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import BasePermission

from leads.api.responses import errors
from leads.roles import Capability, can

from ..filtersets import AuditEntryFilterSet
from ..selectors import audit_entries
from .serializers import AuditEntrySerializer


class ManagersOnly(BasePermission):
    message = "Only managers read the audit log."

    def has_permission(self, request, view) -> bool:
        return can(request.user, Capability.MANAGE_TEAM)


@extend_schema_view(
    list=extend_schema(responses={200: AuditEntrySerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: AuditEntrySerializer, **errors(404)}),
)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Who changed scoring rules, thresholds, SLA policies, assignment rules, targets,
    definitions and webhooks, when, and the values before and after (managers)."""

    queryset = audit_entries()
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    permission_classes = [ManagersOnly]
