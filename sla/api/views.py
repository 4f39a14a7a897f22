from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from leads.api.permissions import HasFunnelRole
from leads.api.responses import crud_schema, errors
from leads.roles import Capability, holders

from .. import selectors, services
from ..filtersets import BreachFilterSet, NotificationFilterSet
from ..models import AssignmentRule, Notification, RepAvailability, SlaPolicy
from .serializers import (
    AssignmentRuleSerializer,
    BreachSerializer,
    NotificationSerializer,
    RepAvailabilitySerializer,
    SlaPolicySerializer,
)

MANAGERS = holders(Capability.MANAGE_TEAM)


@crud_schema(SlaPolicySerializer, taken=True, in_use=True)
class SlaPolicyViewSet(viewsets.ModelViewSet):
    """SLA policies: every role reads them, managers write them. A policy that ran clocks
    cannot be deleted (409): switch it off instead, which stops its clocks."""

    queryset = SlaPolicy.objects.select_related("escalate_to")
    serializer_class = SlaPolicySerializer
    permission_classes = [HasFunnelRole]
    write_roles = MANAGERS

    def perform_create(self, serializer):
        serializer.instance = services.policy_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.policy_update(
            policy=serializer.instance, by=self.request.user, **serializer.validated_data
        )


@crud_schema(AssignmentRuleSerializer, taken=True)
class AssignmentRuleViewSet(viewsets.ModelViewSet):
    """Who gets new MQLs: every role reads the rules, managers write them."""

    queryset = AssignmentRule.objects.prefetch_related("reps")
    serializer_class = AssignmentRuleSerializer
    permission_classes = [HasFunnelRole]
    write_roles = MANAGERS


@extend_schema_view(
    list=extend_schema(responses={200: BreachSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: BreachSerializer, **errors(404)}),
)
class BreachViewSet(viewsets.ReadOnlyModelViewSet):
    """Missed deadlines: managers and marketing see all, a rep the ones on their watch."""

    serializer_class = BreachSerializer
    filterset_class = BreachFilterSet
    permission_classes = [HasFunnelRole]
    write_roles = ()  # written by the sweep only

    def get_queryset(self):
        return selectors.breaches_visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(responses={200: RepAvailabilitySerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: RepAvailabilitySerializer, **errors(404)}),
    update=extend_schema(responses={200: RepAvailabilitySerializer, **errors(400, 404)}),
    partial_update=extend_schema(responses={200: RepAvailabilitySerializer, **errors(400, 404)}),
)
class RepAvailabilityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reps marked away are skipped by assignment. Keyed by the rep's user id: a manager
    reads and sets every rep's, a rep their own."""

    serializer_class = RepAvailabilitySerializer
    permission_classes = [HasFunnelRole]
    write_roles = MANAGERS
    any_role_actions = ("update", "partial_update")  # a rep's own, through the queryset

    def get_queryset(self):
        return selectors.reps_visible_to(self.request.user)

    def update(self, request, *args, partial: bool = False, **kwargs):
        rep = self.get_object()
        params = self.get_serializer(data=request.data, partial=partial)
        params.is_valid(raise_exception=True)
        current = getattr(rep, "sla_availability", None) or RepAvailability()
        fields = {
            "away": current.away,
            "away_until": current.away_until,
            "note": current.note,
            **params.validated_data,
        }
        services.rep_set_availability(rep=rep, by=request.user, **fields)
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(responses={200: NotificationSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: NotificationSerializer, **errors(404)}),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's in-app SLA notifications, newest first (``?unread=true``)."""

    queryset = Notification.objects.none()  # the schema's model; requests use get_queryset
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    permission_classes = [HasFunnelRole]
    write_roles = ()  # written by the sweep; its recipient only marks it read
    any_role_actions = ("read",)

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    @extend_schema(request=None, responses={200: NotificationSerializer, **errors(404)})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notification as read."""
        notification = services.notification_mark_read(
            notification=self.get_object(), by=request.user
        )
        return Response(self.get_serializer(notification).data)
