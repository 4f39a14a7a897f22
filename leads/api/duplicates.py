"""The duplicates API: suspected pairs, a contact's look-alikes, merges and their undo."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import duplicates, merging
from ..filtersets import DuplicatePairFilterSet
from ..models import Contact, DuplicatePair, DuplicateScan, Merge
from .permissions import ContactEditors
from .responses import errors
from .serializers import ContactRangeJobSerializer, ContactSerializer, job_fields


class ContactBriefSerializer(serializers.ModelSerializer[Contact]):
    """A contact as a duplicate list shows it, side by side with another."""

    class Meta:
        model = Contact
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "company",
            "stage",
            "owner",
            "created_at",
        ]


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=[duplicates.EMAIL, duplicates.PHONE, duplicates.NAME])
    similarity = serializers.FloatField()


class CandidateSerializer(serializers.Serializer[Any]):
    contact = ContactBriefSerializer()
    score = serializers.FloatField()
    reasons = ReasonSerializer(many=True)


class DuplicatePairSerializer(serializers.ModelSerializer[DuplicatePair]):
    first = ContactBriefSerializer(read_only=True)
    second = ContactBriefSerializer(read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)

    class Meta:
        model = DuplicatePair
        fields = ["id", "first", "second", "score", "reasons", "found_at", "dismissed_at"]
        read_only_fields = fields


class DuplicateScanSerializer(ContactRangeJobSerializer):
    class Meta:
        model = DuplicateScan
        fields = read_only_fields = job_fields("found")


class MergeSerializer(serializers.ModelSerializer[Merge]):
    class Meta:
        model = Merge
        fields = ["id", "survivor", "other", "by", "at", "choices", "undone_at", "undone_by"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            name: {"type": "string", "enum": list(merging.SIDES)} for name in merging.CHOOSABLE
        },
        "additionalProperties": False,  # a misspelt field is an error
    }
)
class MergeChoicesField(serializers.DictField):
    """Per field the merger may choose, the side its value comes from."""

    def to_internal_value(self, data: Any) -> dict[str, str]:
        return merging.clean_choices(data)


class MergeRequestSerializer(serializers.Serializer[Any]):
    other = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(erased_at__isnull=True),
        help_text="The contact merged into this one (it then answers 404 with merged_into).",
    )
    fields = MergeChoicesField(  # type: ignore[assignment]  # the contract's name: see the stubs
        required=False,
        help_text=(
            'The fields to take from the other contact, e.g. {"phone": "other"}; the others '
            "are the survivor's, its empty ones filled from the other's."
        ),
    )


class PossibleDuplicateSerializer(serializers.Serializer[Any]):
    contact = serializers.IntegerField()
    score = serializers.FloatField()
    reasons = ReasonSerializer(many=True)


class ContactCreatedSerializer(ContactSerializer):
    """A new contact, with a warning of the live contacts it looks like (the ones the
    creator may see), most likely first."""

    possible_duplicates = serializers.SerializerMethodField()

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "possible_duplicates"]

    @extend_schema_field(PossibleDuplicateSerializer(many=True))
    def get_possible_duplicates(self, contact: Contact) -> list[dict[str, Any]]:
        request = self.context["request"]
        return [
            {"contact": c["contact"].pk, "score": c["score"], "reasons": c["reasons"]}
            for c in candidates(contact, request.user)
        ]


def candidates(contact: Contact, user: Any) -> list[dict[str, Any]]:
    """The look-alikes of ``contact`` that ``user`` may see, as the API answers them."""
    found = duplicates.candidates_of(contact, among=Contact.objects.visible_to(user))
    contacts = Contact.objects.in_bulk([c.contact_id for c in found])
    return [
        {"contact": contacts[c.contact_id], "score": c.score, "reasons": c.described()}
        for c in found
    ]


@extend_schema_view(
    list=extend_schema(
        summary="Suspected duplicate pairs, most likely first (dismissed ones left out)",
        responses={200: DuplicatePairSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(responses={200: DuplicatePairSerializer, **errors(404)}),
)
class DuplicatePairViewSet(viewsets.ReadOnlyModelViewSet[DuplicatePair]):
    serializer_class = DuplicatePairSerializer
    filterset_class = DuplicatePairFilterSet
    permission_classes = [ContactEditors]

    def get_queryset(self) -> QuerySet[DuplicatePair]:
        pairs = duplicates.open_pairs() if self.action == "list" else DuplicatePair.objects.all()
        return pairs.select_related("first", "second")

    @extend_schema(
        summary='"Not the same person": the pair is no longer suggested',
        request=None,
        responses={200: DuplicatePairSerializer, **errors(404)},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        pair = duplicates.pairs_dismiss(self.get_object(), by=request.user)
        return Response(self.get_serializer(pair).data)


@extend_schema_view(
    list=extend_schema(
        summary="Merges, newest first",
        responses={200: MergeSerializer(many=True), **errors(400)},
    ),
    retrieve=extend_schema(responses={200: MergeSerializer, **errors(404)}),
)
class MergeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Merge]
):
    serializer_class = MergeSerializer
    permission_classes = [ContactEditors]
    queryset = Merge.objects.order_by("-at", "-id")

    @extend_schema(
        summary="Put both contacts back as they were (within 30 days)",
        request=None,
        responses={
            200: MergeSerializer,
            **errors(404),
            409: OpenApiResponse(description="Undone already, too old, or the e-mail is taken."),
        },
    )
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        merge = merging.merge_undo(merge=self.get_object(), by=request.user)
        return Response(self.get_serializer(merge).data)


@extend_schema_view(
    list=extend_schema(
        summary="Full duplicate scans, newest first",
        responses={200: DuplicateScanSerializer(many=True), **errors(400)},
    ),
    create=extend_schema(
        summary="Look for duplicates among every live contact in the background",
        description="Answers at once (202) with the scan to poll; while one runs, the same "
        "scan is returned. Pairs are stored as each range of contacts is done; at the end, "
        "the open pairs no longer suspected are removed (dismissed ones stay dismissed).",
        request=None,
        responses={202: DuplicateScanSerializer, **errors()},
    ),
    retrieve=extend_schema(responses={200: DuplicateScanSerializer, **errors(404)}),
)
class DuplicateScanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[DuplicateScan]
):
    serializer_class = DuplicateScanSerializer
    permission_classes = [ContactEditors]
    queryset = DuplicateScan.objects.all()

    def create(self, request: Request) -> Response:
        scan = duplicates.scan_start(by=request.user)
        return Response(self.get_serializer(scan).data, status=status.HTTP_202_ACCEPTED)
