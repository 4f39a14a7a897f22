from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import ActivityViewSet, ContactActivityViewSet, TaskViewSet

router = DefaultRouter()
router.register("activities", ActivityViewSet, basename="activity")
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = [
    path(
        "contacts/<int:contact_pk>/activities/",
        ContactActivityViewSet.as_view({"get": "list"}),
        name="contact-activities",
    ),
    *router.urls,
]
