from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("sla/policies", views.SlaPolicyViewSet, basename="sla-policy")
router.register("sla/breaches", views.BreachViewSet, basename="sla-breach")
router.register(
    "sla/assignment-rules", views.AssignmentRuleViewSet, basename="sla-assignment-rule"
)
router.register("sla/availability", views.RepAvailabilityViewSet, basename="sla-availability")
router.register("sla/notifications", views.NotificationViewSet, basename="sla-notification")

urlpatterns = router.urls
