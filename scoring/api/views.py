from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from leadfunnel.api.parsers import LimitedJSONParser
from leadfunnel.api.schema import one_or_batch
from leads.api.permissions import CanSeeContact, HasFunnelRole, ScoringEditors
from leads.api.responses import STATE_CONFLICT, crud_schema, errors
from leads.models import Contact
from leads.roles import Capability, holders

from .. import releases, selectors, services
from ..comparison import shadow_comparison
from ..filtersets import RuleFilterSet
from ..models import RecomputeJob, Rule, RuleSet, ScoringSettings
from .serializers import (
    MAX_BATCH,
    ComparisonSerializer,
    EventSerializer,
    IngestResultSerializer,
    PublishedSerializer,
    PublishPreviewSerializer,
    PublishSerializer,
    RecomputeJobSerializer,
    RecomputeRequestSerializer,
    RuleSerializer,
    RuleSetSerializer,
    ScoreAtQuerySerializer,
    ScoreAtSerializer,
    ScoreBreakdownSerializer,
    ScoringSettingsSerializer,
    ShadowRequestSerializer,
    ShadowStartedSerializer,
)

# Marketing owns the scoring model; managers may change it too; everyone reads it (both
# teams must see what makes an MQL).
SCORING_EDITORS = holders(Capability.EDIT_SCORING)

_event_or_batch = one_or_batch(EventSerializer, "Event", MAX_BATCH)


class EventViewSet(viewsets.GenericViewSet[Any]):
    """Activity events in: one object or a list of up to 1,000, validated whole."""

    serializer_class = EventSerializer
    parser_classes = [LimitedJSONParser]
    permission_classes = [HasFunnelRole]
    write_roles = SCORING_EDITORS

    @property
    def max_body_bytes(self) -> int:
        """A contract-size batch: 1,000 events with their properties."""
        limit: int = settings.EVENTS_MAX_BODY_BYTES
        return limit

    @extend_schema(
        summary="Send activity events (one, or a batch of up to 1,000)",
        description="A batch is validated whole: any invalid event gives a 400 with the "
        "errors keyed by position and nothing is stored. An `id` seen before is counted in "
        "`duplicates` and changes nothing. Limits: 1,000 events per batch, properties of at "
        "most EVENT_MAX_PROPERTIES_BYTES (default 8,192) bytes as JSON per event, a body of "
        "at most EVENTS_MAX_BODY_BYTES (default 10 MiB: 413 past it), JSON nested at most "
        "API_JSON_MAX_DEPTH (default 32) levels.",
        request=_event_or_batch,
        responses={200: IngestResultSerializer, **errors(400, 413)},
    )
    def create(self, request: Request) -> Response:
        single = not isinstance(request.data, list)
        batch = EventSerializer(  # type: ignore[call-arg]  # ListSerializer's arguments
            data=[request.data] if single else request.data,
            many=True,
            max_length=MAX_BATCH,
            allow_empty=False,
        )
        if not batch.is_valid():
            raise ValidationError(_by_position(batch.errors, single=single))
        result = services.events_ingest(events=batch.validated_data)
        return Response(IngestResultSerializer(result).data)


def _by_position(errors: Any, *, single: bool) -> Any:
    """DRF keys a batch's errors by position (``{3: {...}}``); a single event's are its own."""
    return errors[0] if single and 0 in errors else errors


_score_or_past = PolymorphicProxySerializer(
    component_name="ScoreNowOrThen",
    serializers=[ScoreBreakdownSerializer, ScoreAtSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    retrieve=extend_schema(
        summary="The contact's score explained, rule by rule; or, with `at`, as it was then",
        description="Without `at`: the current score, per rule. With `at`: the score the "
        "contact had at that moment, from the score ledger (the sum of its changes up to "
        "then), the rule set published then and whether it passed that version's MQL "
        "criterion, with the changes that led there.",
        parameters=[ScoreAtQuerySerializer],
        responses={200: _score_or_past, **errors(400, 404)},
    )
)
class ContactScoreViewSet(viewsets.GenericViewSet[Contact]):
    queryset = Contact.objects.active()
    serializer_class = ScoreBreakdownSerializer
    permission_classes = [HasFunnelRole, CanSeeContact]
    write_roles = ()

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        query = ScoreAtQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        contact = self.get_object()
        if "at" in query.validated_data:
            then = selectors.score_at(contact, query.validated_data["at"])
            return Response(ScoreAtSerializer(then).data)
        return Response(ScoreBreakdownSerializer(selectors.score_breakdown(contact)).data)


@crud_schema(
    RuleSerializer,
    in_use=True,
    versioned=True,
    destroy_description="A rule that gave points is kept by the scores (409): switch it off, "
    "recompute, then delete it. A rule of a version in shadow or archived is not written "
    "(409: only a draft's rules are, and the published ones by a release).",
)
class RuleViewSet(viewsets.ModelViewSet[Rule]):
    """Point rules. The list is the published version's unless ``ruleset`` names another;
    a change to a published rule applies to new events at once (a release), a recompute
    applies it to all; a draft's rules wait for its publication."""

    serializer_class = RuleSerializer
    filterset_class = RuleFilterSet
    permission_classes = [HasFunnelRole]
    write_roles = SCORING_EDITORS

    def get_queryset(self) -> QuerySet[Rule]:
        listing = self.action == "list" and "ruleset" not in self.request.query_params
        return selectors.rule_list(every_version=not listing)

    def perform_create(self, serializer: BaseSerializer[Rule]) -> None:
        serializer.instance = services.rule_create(**serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Rule]) -> None:
        services.rule_update(rule=cast(Rule, serializer.instance), **serializer.validated_data)

    def perform_destroy(self, instance: Rule) -> None:
        services.rule_delete(rule=instance)


@extend_schema_view(
    list=extend_schema(responses={200: RuleSetSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(responses={200: RuleSetSerializer, **errors(404)}),
    create=extend_schema(
        summary="Draft a new version",
        description="A draft copy of `from` (default: the published version): its rules "
        "and thresholds, edited through `/scoring/rules/` with `ruleset` and here.",
        responses={201: RuleSetSerializer, **errors(400)},
    ),
    update=extend_schema(
        description="A draft only (409 otherwise).",
        responses={200: RuleSetSerializer, **errors(400, 404), **STATE_CONFLICT},
    ),
    partial_update=extend_schema(
        description="A draft only (409 otherwise).",
        responses={200: RuleSetSerializer, **errors(400, 404), **STATE_CONFLICT},
    ),
    destroy=extend_schema(
        description="A draft only (409 otherwise): every other version is history.",
        responses={204: None, **errors(404), **STATE_CONFLICT},
    ),
)
class RuleSetViewSet(viewsets.ModelViewSet[RuleSet]):
    """Versions of the scoring model: draft, shadow, published, archived."""

    serializer_class = RuleSetSerializer
    permission_classes = [HasFunnelRole]
    write_roles = SCORING_EDITORS
    filterset_fields = ["state"]

    def get_queryset(self) -> QuerySet[RuleSet]:
        return selectors.ruleset_list()

    def perform_create(self, serializer: BaseSerializer[RuleSet]) -> None:
        data = dict(serializer.validated_data)
        draft = releases.ruleset_draft(
            by=self.request.user, source=data.pop("source", None), name=data.pop("name", "")
        )
        if data:
            draft = releases.ruleset_update(ruleset=draft, **data)
        serializer.instance = self.get_queryset().get(pk=draft.pk)

    def perform_update(self, serializer: BaseSerializer[RuleSet]) -> None:
        data = dict(serializer.validated_data)
        data.pop("source", None)
        releases.ruleset_update(ruleset=cast(RuleSet, serializer.instance), **data)
        serializer.instance = self.get_queryset().get(pk=cast(RuleSet, serializer.instance).pk)

    def perform_destroy(self, instance: RuleSet) -> None:
        releases.ruleset_delete(ruleset=instance)

    @extend_schema(
        summary="Publish this version (a draft, or an archived one: a rollback)",
        description="The version scores from now on and the one it replaces is archived, "
        "in one step; one recompute (the `recompute` job, to poll) rescores every contact "
        "by it. 409 if it is already published.",
        request=PublishSerializer,
        responses={200: PublishedSerializer, **errors(400, 404), **STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        params = PublishSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        version, job = services.ruleset_publish(
            ruleset=self.get_object(), by=request.user, reason=params.validated_data["reason"]
        )
        published = {"ruleset": self.get_queryset().get(pk=version.pk), "recompute": job}
        return Response(PublishedSerializer(published).data)

    @extend_schema(
        summary="Put this draft in shadow",
        description="It scores every contact beside the published version (the `build` job "
        "first scores everyone by it, to poll) and promotes no one; see `comparison`. One "
        "version at a time: 409 if another is in shadow or this one is not a draft.",
        request=ShadowRequestSerializer,
        responses={200: ShadowStartedSerializer, **errors(400, 404), **STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def shadow(self, request: Request, pk: str | None = None) -> Response:
        params = ShadowRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        version = self.get_object()
        job = releases.shadow_start(
            ruleset=version, by=request.user, reason=params.validated_data.get("reason", "")
        )
        started = {"ruleset": self.get_queryset().get(pk=version.pk), "build": job}
        return Response(ShadowStartedSerializer(started).data)

    @extend_schema(
        summary="End the shadow run without publishing",
        description="The version is a draft again; its comparison stays readable. 409 if "
        "it is not in shadow.",
        request=ShadowRequestSerializer,
        responses={200: RuleSetSerializer, **errors(400, 404), **STATE_CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="stop-shadow")
    def stop_shadow(self, request: Request, pk: str | None = None) -> Response:
        params = ShadowRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        version = releases.shadow_stop(
            ruleset=self.get_object(), reason=params.validated_data.get("reason", "")
        )
        return Response(RuleSetSerializer(self.get_queryset().get(pk=version.pk)).data)

    @extend_schema(
        summary="What the shadow run found",
        description="Since the run began (until it ended): the MQLs each set made, the "
        "overlap, those only the shadow would have made and where they stand now, and the "
        "load per rep. 409 for a version never in shadow. Marketing and managers only "
        "(it names contacts outside a rep's queue).",
        responses={200: ComparisonSerializer, **errors(404), **STATE_CONFLICT},
    )
    @action(detail=True, methods=["get"], permission_classes=[ScoringEditors])
    def comparison(self, request: Request, pk: str | None = None) -> Response:
        return Response(ComparisonSerializer(shadow_comparison(self.get_object())).data)

    @extend_schema(
        summary="Who publishing this version would make MQL",
        description="The contacts over its MQL line that are not MQLs yet, in a stage the "
        "move to MQL starts from: what the recompute after the publish would promote. "
        "Marketing and managers only.",
        responses={200: PublishPreviewSerializer, **errors(404)},
    )
    @action(detail=True, methods=["get"], permission_classes=[ScoringEditors])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        return Response(
            PublishPreviewSerializer(selectors.publish_preview(self.get_object())).data
        )


@extend_schema_view(
    retrieve=extend_schema(responses={200: ScoringSettingsSerializer, **errors()}),
    partial_update=extend_schema(responses={200: ScoringSettingsSerializer, **errors(400)}),
    update=extend_schema(responses={200: ScoringSettingsSerializer, **errors(400)}),
)
class ScoringSettingsViewSet(viewsets.GenericViewSet[ScoringSettings]):
    """The thresholds and the decay (one set for the team)."""

    serializer_class = ScoringSettingsSerializer
    permission_classes = [HasFunnelRole]
    write_roles = SCORING_EDITORS

    def get_object(self) -> ScoringSettings:
        return ScoringSettings.load()

    def retrieve(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def update(self, request: Request, partial: bool = False) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        updated = services.settings_update(**serializer.validated_data)
        return Response(self.get_serializer(updated).data)

    def partial_update(self, request: Request) -> Response:
        return self.update(request, partial=True)


@extend_schema_view(
    list=extend_schema(responses={200: RecomputeJobSerializer(many=True), **errors(400)}),
    create=extend_schema(
        summary="Rescore every contact in the background",
        description="Answers at once (202) with the job to poll; while one runs, the same "
        "job is returned. Rules whose condition changed have their counters rebuilt from the "
        "stored events (every rule with `full`); new points and thresholds apply to all.",
        request=RecomputeRequestSerializer,
        responses={202: RecomputeJobSerializer, **errors(400)},
    ),
    retrieve=extend_schema(responses={200: RecomputeJobSerializer, **errors(404)}),
)
class RecomputeJobViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[RecomputeJob]):
    serializer_class = RecomputeJobSerializer
    permission_classes = [HasFunnelRole]
    write_roles = SCORING_EDITORS

    def get_queryset(self) -> QuerySet[RecomputeJob]:
        return selectors.recompute_job_list()

    def create(self, request: Request) -> Response:
        params = RecomputeRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = services.recompute_start(by=request.user, full=params.validated_data["full"])
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)
