from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("imports", views.ImportJobViewSet, basename="import")
router.register("webhooks/deliveries", views.DeliveryViewSet, basename="webhook-delivery")
router.register("webhooks", views.WebhookViewSet, basename="webhook")

urlpatterns = [
    path(
        "imports/<int:pk>/errors.csv", views.ImportErrorsView.as_view(), name="import-errors-csv"
    ),
    path("exports/contacts.csv", views.ContactExportView.as_view(), name="contacts-export"),
    *router.urls,
]
