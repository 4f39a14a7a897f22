from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from leadfunnel.api.schema import one_or_batch
from leads.api.permissions import HasFunnelRole
from leads.api.responses import crud_schema, errors
from leads.models import Contact
from leads.pages import contact_for

from .. import selectors, services
from ..filtersets import ActivityFilterSet, TaskFilterSet
from ..models import SalesActivity, SalesTask
from .serializers import (
    MAX_BATCH,
    ActivityBatchResultSerializer,
    ActivitySerializer,
    ActivityUpdateSerializer,
    TaskCompleteSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
)

_activity_or_batch = one_or_batch(ActivitySerializer, "Activity", MAX_BATCH)


class UpdateWithItsSerializer:
    """Edits go through their own serializer (what may not change is read-only there)."""

    update_serializer: type[BaseSerializer[Any]]

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if getattr(self, "action", None) in ("update", "partial_update"):
            return self.update_serializer
        return cast(type[BaseSerializer[Any]], getattr(self, "serializer_class"))  # noqa: B009


@extend_schema_view(
    list=extend_schema(responses={200: ActivitySerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: ActivitySerializer, **errors(404)}),
    # 409: the touch answered a first-touch SLA clock, and stays the touch it was.
    update=extend_schema(responses={200: ActivitySerializer, **errors(400, 404, 409)}),
    partial_update=extend_schema(responses={200: ActivitySerializer, **errors(400, 404, 409)}),
    destroy=extend_schema(responses={204: None, **errors(404, 409)}),
)
class ActivityViewSet(UpdateWithItsSerializer, viewsets.ModelViewSet[SalesActivity]):
    """Calls, e-mails, meetings and notes logged on contacts. A rep logs on their own
    contacts, managers on all, marketers add notes; only the author (or a manager) edits or
    deletes one, and each change keeps the values it replaced."""

    serializer_class = ActivitySerializer
    update_serializer = ActivityUpdateSerializer
    filterset_class = ActivityFilterSet
    permission_classes = [HasFunnelRole]
    any_role_actions = ("create", "update", "partial_update", "destroy")  # the services decide

    def get_queryset(self) -> QuerySet[SalesActivity]:
        return selectors.activities_visible_to(self.request.user)

    @extend_schema(
        summary="Log activities (one, or a batch of up to 500)",
        description="A batch is validated whole: any invalid entry gives a 400 with the errors "
        "keyed by position and nothing is stored. One activity answers 201 with it (200 with "
        "the stored one when its `external_id` was seen before); a batch answers 201 with "
        "the counts and every activity, stored now or before.",
        request=_activity_or_batch,
        responses={
            201: PolymorphicProxySerializer(
                component_name="ActivityOrBatchResult",
                serializers=[ActivitySerializer, ActivityBatchResultSerializer],
                resource_type_field_name=None,
            ),
            **errors(400),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        single = not isinstance(request.data, list)
        batch = ActivitySerializer(  # type: ignore[call-arg]  # ListSerializer's arguments
            data=[request.data] if single else request.data,
            many=True,
            max_length=MAX_BATCH,
            allow_empty=False,
            context=self.get_serializer_context(),
        )
        if not batch.is_valid():
            errors = batch.errors
            raise ValidationError(errors[0] if single and 0 in errors else errors)
        activities, duplicates = services.activities_log(
            by=request.user, entries=batch.validated_data
        )
        if single:
            answer = ActivitySerializer(activities[0]).data
            return Response(answer, status=status.HTTP_200_OK if duplicates else 201)
        result = {
            "accepted": len(activities) - duplicates,
            "duplicates": duplicates,
            "results": activities,
        }
        return Response(ActivityBatchResultSerializer(result).data, status=201)

    def perform_update(self, serializer: BaseSerializer[SalesActivity]) -> None:
        serializer.instance = services.activity_update(
            activity=cast(SalesActivity, serializer.instance),
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: SalesActivity) -> None:
        services.activity_delete(activity=instance, by=self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary="A contact's activities, newest first",
        responses={200: ActivitySerializer(many=True), **errors(400, 404)},
    )
)
class ContactActivityViewSet(viewsets.GenericViewSet[SalesActivity]):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    permission_classes = [HasFunnelRole]

    queryset = SalesActivity.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self) -> QuerySet[SalesActivity]:
        contact: Contact = contact_for(self.request.user, int(self.kwargs["contact_pk"]))
        return SalesActivity.objects.filter(contact=contact).select_related("owner", "author")

    def list(self, request: Request, contact_pk: int) -> Response:
        activities = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(activities)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@crud_schema(TaskSerializer)
class TaskViewSet(UpdateWithItsSerializer, viewsets.ModelViewSet[SalesTask]):
    """The next touches reps plan: a rep plans their own, a manager for anyone."""

    serializer_class = TaskSerializer
    update_serializer = TaskUpdateSerializer
    filterset_class = TaskFilterSet
    permission_classes = [HasFunnelRole]
    any_role_actions = ("create", "update", "partial_update", "destroy", "complete")

    def get_queryset(self) -> QuerySet[SalesTask]:
        return selectors.tasks_visible_to(self.request.user)

    def perform_create(self, serializer: BaseSerializer[SalesTask]) -> None:
        serializer.instance = services.task_create(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[SalesTask]) -> None:
        serializer.instance = services.task_update(
            task=cast(SalesTask, serializer.instance),
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance: SalesTask) -> None:
        services.task_delete(task=instance, by=self.request.user)

    @extend_schema(
        summary="Mark the task done",
        request=TaskCompleteSerializer,
        responses={200: TaskSerializer, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request: Request, pk: str | None = None) -> Response:
        params = TaskCompleteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        task = services.task_complete(
            task=self.get_object(), by=request.user, at=params.validated_data.get("done_at")
        )
        return Response(TaskSerializer(task).data)
