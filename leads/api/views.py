from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from .. import merging, services
from ..actions import ACTIONS, Action
from ..errors import MergedAway
from ..filtersets import CampaignFilterSet, ContactFilterSet
from ..models import Campaign, Contact
from .duplicates import (
    CandidateSerializer,
    ContactCreatedSerializer,
    MergeRequestSerializer,
    candidates,
)
from .permissions import CONTACT_EDITORS, CanSeeContact, HasFunnelRole
from .responses import DUPLICATE, MERGED_AWAY, crud_schema, errors
from .serializers import CampaignSerializer, ContactSerializer, TransitionSerializer


def _stage_action(stage_action: Action) -> Callable[..., Response]:
    """A POST action that validates its body, calls one lifecycle service, returns the contact."""

    def view(self: "ContactViewSet", request: Request, pk: str | None = None) -> Response:
        contact = self.get_object()
        params = stage_action.serializer(data=request.data)
        params.is_valid(raise_exception=True)
        contact = stage_action.service(contact=contact, by=request.user, **params.validated_data)
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data)

    view.__name__ = stage_action.name
    view.__doc__ = stage_action.service.__doc__
    routed = action(detail=True, methods=["post"], url_path=stage_action.slug)(view)
    schema = extend_schema(
        summary=stage_action.summary,
        request=stage_action.serializer,
        responses={200: ContactSerializer, **errors(400, 404, 409)},
    )
    return schema(routed)


ViewSet = TypeVar("ViewSet", bound=type)


def with_stage_actions(viewset: ViewSet) -> ViewSet:
    """Route every action of ``leads.actions`` as a POST on one contact."""
    for stage_action in ACTIONS.values():
        setattr(viewset, stage_action.name, _stage_action(stage_action))
    return viewset


@extend_schema_view(
    list=extend_schema(responses={200: ContactSerializer(many=True), **errors(400)}),
    create=extend_schema(responses={201: ContactCreatedSerializer, **errors(400), **DUPLICATE}),
    retrieve=extend_schema(responses={200: ContactSerializer, **errors(), **MERGED_AWAY}),
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
class ContactViewSet(viewsets.ModelViewSet[Contact]):
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    permission_classes = [HasFunnelRole, CanSeeContact]
    write_roles = CONTACT_EDITORS
    any_role_actions = ("update", "partial_update", *(each.name for each in ACTIONS.values()))

    def get_queryset(self) -> QuerySet[Contact]:
        if self.action == "list":
            return Contact.objects.visible_to(self.request.user)
        # Detail routes look among every live contact, then CanSeeContact answers 403 for
        # one outside the user's scope (a clear "not yours" rather than a puzzling 404).
        return Contact.objects.active()

    def get_object(self) -> Contact:
        """The contact; one merged into another answers 404 with ``merged_into``."""
        pk = str(self.kwargs["pk"])
        if pk.isdecimal():
            merged = Contact.objects.filter(pk=int(pk), merged_into__isnull=False)
            survivor = merged.values_list("merged_into_id", flat=True).first()
            if survivor is not None:
                raise MergedAway(survivor_id=survivor)
        return super().get_object()

    def get_serializer_class(self) -> type[ContactSerializer]:
        return ContactCreatedSerializer if self.action == "create" else ContactSerializer

    def perform_create(self, serializer: BaseSerializer[Contact]) -> None:
        serializer.instance = services.contact_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[Contact]) -> None:
        services.contact_update(
            contact=cast(Contact, serializer.instance),
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: Contact) -> None:
        services.contact_erase(contact=instance, by=self.request.user)

    @extend_schema(
        summary="Contacts that look like this one (same e-mail, phone, or name and company)",
        responses={200: CandidateSerializer(many=True), **errors(404)},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def duplicates(self, request: Request, pk: str | None = None) -> Response:
        """The contact's look-alikes, most likely first, with the reasons of each."""
        found = candidates(self.get_object(), request.user)
        return Response(CandidateSerializer(found, many=True).data)

    @extend_schema(
        summary="Merge another contact into this one, with its history",
        request=MergeRequestSerializer,
        responses={200: ContactSerializer, **errors(400, 404), 409: MERGED_AWAY[409]},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """This contact survives with its id; the other answers 404 with ``merged_into``."""
        params = MergeRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        contact = self.get_object()
        merging.contacts_merge(
            survivor=contact,
            other=params.validated_data["other"],
            by=request.user,
            fields=params.validated_data.get("fields"),
        )
        return Response(ContactSerializer(contact, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: TransitionSerializer(many=True), **errors(400, 404)})
    @action(detail=True, methods=["get"], filterset_class=None)  # not the contact filters
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every move of the contact, oldest first, with its actor and reason."""
        transitions: Any = self.get_object().transitions.order_by("at", "id")
        page: Any = self.paginate_queryset(transitions)  # of the history, not of contacts
        return self.get_paginated_response(TransitionSerializer(page, many=True).data)


@crud_schema(CampaignSerializer, taken=True, in_use=True)
class CampaignViewSet(viewsets.ModelViewSet[Campaign]):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    permission_classes = [HasFunnelRole]
    write_roles = CONTACT_EDITORS
