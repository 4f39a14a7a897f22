from django.db.models import Count
from rest_framework import viewsets
from rest_framework.serializers import BaseSerializer

from leads.api.permissions import holding
from leads.api.responses import crud_schema
from leads.roles import Capability

from ..models import Form
from ..services import form_save
from .serializers import FormSerializer

FormBuilders = holding(Capability.EDIT_CONTACTS, "Forms are built by marketing and managers.")


@crud_schema(FormSerializer)
class FormViewSet(viewsets.ModelViewSet[Form]):
    """Web forms: what each asks, its consent wording, where it may be embedded."""

    serializer_class = FormSerializer
    permission_classes = [FormBuilders]

    def get_queryset(self):
        return Form.objects.annotate(submission_count=Count("submissions")).order_by("name", "pk")

    def perform_create(self, serializer: BaseSerializer[Form]) -> None:
        serializer.instance = form_save(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[Form]) -> None:
        serializer.instance = form_save(
            by=self.request.user, form=serializer.instance, **serializer.validated_data
        )
