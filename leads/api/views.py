from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import services
from ..actions import ACTIONS, Action
from ..filtersets import CampaignFilterSet, ContactFilterSet
from ..models import Campaign, Contact
from .permissions import CONTACT_EDITORS, CanSeeContact, HasFunnelRole
from .responses import DUPLICATE, crud_schema, errors
from .serializers import CampaignSerializer, ContactSerializer, TransitionSerializer


def _stage_action(stage_action: Action):
    """A POST action that validates its body, calls one lifecycle service, returns the contact."""

    def view(self, request, pk=None):
        contact = self.get_object()
        params = stage_action.serializer(data=request.data)
        params.is_valid(raise_exception=True)
        contact = stage_action.service(contact=contact, by=request.user, **params.validated_data)
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data)

    view.__name__ = stage_action.name
    view.__doc__ = stage_action.service.__doc__
    routed = action(detail=True, methods=["post"], url_path=stage_action.slug)(view)
    return extend_schema(
        summary=stage_action.summary,
        request=stage_action.serializer,
        responses={200: ContactSerializer, **errors(400, 404, 409)},
    )(routed)


def with_stage_actions(viewset):
    """Route every action of ``leads.actions`` as a POST on one contact."""
    for stage_action in ACTIONS.values():
        setattr(viewset, stage_action.name, _stage_action(stage_action))
    return viewset


@extend_schema_view(
    list=extend_schema(responses={200: ContactSerializer(many=True), **errors(400)}),
    create=extend_schema(responses={201: ContactSerializer, **errors(400), **DUPLICATE}),
    retrieve=extend_schema(responses={200: ContactSerializer, **errors(404)}),
    partial_update=extend_schema(
        responses={200: ContactSerializer, **errors(400, 404), **DUPLICATE}
    ),
    update=extend_schema(responses={200: ContactSerializer, **errors(400, 404), **DUPLICATE}),
    destroy=extend_schema(
        summary="Erase the person's personal data, keeping the anonymous funnel history",
        responses={204: None, **errors(404)},
    ),
)
@with_stage_actions
class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    permission_classes = [HasFunnelRole, CanSeeContact]
    write_roles = CONTACT_EDITORS
    any_role_actions = ("update", "partial_update", *(each.name for each in ACTIONS.values()))

    def get_queryset(self):
        if self.action == "list":
            return Contact.objects.visible_to(self.request.user)
        # Detail routes look among every live contact, then CanSeeContact answers 403 for
        # one outside the user's scope (a clear "not yours" rather than a puzzling 404).
        return Contact.objects.active()

    def perform_create(self, serializer):
        serializer.instance = services.contact_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.contact_update(
            contact=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.contact_erase(contact=instance, by=self.request.user)

    @extend_schema(responses={200: TransitionSerializer(many=True), **errors(400, 404)})
    @action(detail=True, methods=["get"], filterset_class=None)  # not the contact filters
    def history(self, request, pk=None):
        """Every move of the contact, oldest first, with its actor and reason."""
        transitions = self.get_object().transitions.order_by("at", "id")
        page = self.paginate_queryset(transitions)
        return self.get_paginated_response(TransitionSerializer(page, many=True).data)


@crud_schema(CampaignSerializer, taken=True, in_use=True)
class CampaignViewSet(viewsets.ModelViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    permission_classes = [HasFunnelRole]
    write_roles = CONTACT_EDITORS
