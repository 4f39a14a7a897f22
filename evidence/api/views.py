"""
The evidence endpoints: start an analysis (202 with the analysis to poll), read it, adopt a
suggestion. Thin views: the serializers validate, ``evidence.services`` does the work.

Marketing owns the scoring model and managers may change it (scoring's editors); the
analyses compare rule sets and adopt rules, so they are theirs: reps get 403.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.api.permissions import ScoringEditors
from leads.api.responses import errors
from scoring.api.serializers import RecomputeJobSerializer

from .. import selectors, services
from ..filtersets import AnalysisFilterSet
from ..models import Kind
from .serializers import (
    AdoptRequestSerializer,
    AnalysisSerializer,
    BacktestRequestSerializer,
    SignalsRequestSerializer,
    SuggestionRequestSerializer,
    params_of,
)


class StartView(APIView):
    """POST the question; the analysis runs in the background."""

    permission_classes = [ScoringEditors]
    kind: Kind
    request_serializer: type

    def post(self, request: Request) -> Response:
        query = self.request_serializer(data=request.data)
        query.is_valid(raise_exception=True)
        analysis = services.analysis_start(
            kind=self.kind, params=params_of(query.validated_data), by=request.user
        )
        return Response(AnalysisSerializer(analysis).data, status=status.HTTP_202_ACCEPTED)


STARTED = {202: AnalysisSerializer, **errors(400)}
QUEUED = (
    " Answers at once (202) with the analysis to poll; the same question asked while it "
    "runs gets the same analysis."
)


def start_view(
    kind: Kind, request_serializer: type, summary: str, description: str
) -> type[StartView]:
    """The endpoint that starts one kind of analysis, described for the schema."""
    view = type(
        f"{kind.name.title()}StartView",
        (StartView,),
        {"kind": kind, "request_serializer": request_serializer},
    )
    schema = extend_schema(
        summary=summary,
        description=description + QUEUED,
        request=request_serializer,
        responses=STARTED,
    )
    return schema(view)


BacktestStartView = start_view(
    Kind.BACKTEST,
    BacktestRequestSerializer,
    "Backtest one or two rule sets over a period",
    "Replays each candidate (the current rules, or rules and thresholds sent here and not "
    "saved) over the stored events and profiles: MQLs per month, how many later became SQL, "
    "QSO and client, the SQLs and clients caught early, and the load on sales, beside what "
    "really happened.",
)
SignalsStartView = start_view(
    Kind.SIGNALS,
    SignalsRequestSerializer,
    "The signals that distinguish the leads who converted",
    "For each event type, property value, recency and profile value: the conversion rate of "
    "the leads who showed it before sales took them against the others, the lift with its "
    "interval, and how many contacts it rests on; strongest evidence first.",
)
SuggestionStartView = start_view(
    Kind.SUGGESTION,
    SuggestionRequestSerializer,
    "Suggest points learnt from the history",
    "A regularised logistic regression over the signals of the earlier months, turned into "
    "integer points per rule, and its quality on the held-out months beside the current "
    "rules'. Nothing is applied: adopt it with `analyses/{id}/adopt/`.",
)


@extend_schema_view(
    list=extend_schema(responses={200: AnalysisSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(
        summary="Poll an analysis: status, progress and, once done, its result",
        responses={200: AnalysisSerializer, **errors(404)},
    ),
)
class AnalysisViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AnalysisSerializer
    filterset_class = AnalysisFilterSet
    permission_classes = [ScoringEditors]

    def get_queryset(self):
        return selectors.analysis_list()

    @extend_schema(
        summary="Adopt suggested points as ordinary rules, then rescore everyone",
        description="The rules as the marketer reviewed and edited them: a rule with the "
        "`id` of a current rule updates it, the others are created, through scoring's own "
        "checks; then a recompute starts (202, the job to poll). All or nothing.",
        request=AdoptRequestSerializer,
        responses={202: RecomputeJobSerializer, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: int | None = None) -> Response:
        analysis = self.get_object()
        body = AdoptRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job = services.suggestion_adopt(analysis=analysis, by=request.user, **body.validated_data)
        return Response(RecomputeJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
