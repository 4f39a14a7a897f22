from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    ContactExportView,
    DeliveryViewSet,
    ImportErrorsView,
    ImportJobViewSet,
    WebhookViewSet,
)

router = SimpleRouter()
router.register("imports", ImportJobViewSet, basename="import")
router.register("webhooks/deliveries", DeliveryViewSet, basename="webhook-delivery")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("imports/<int:pk>/errors.csv", ImportErrorsView.as_view(), name="import-errors-csv"),
    path("exports/contacts.csv", ContactExportView.as_view(), name="contacts-export"),
    *router.urls,
]
