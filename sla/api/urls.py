from rest_framework.routers import SimpleRouter

from .views import (
    AssignmentRuleViewSet,
    BreachViewSet,
    NotificationViewSet,
    RepAvailabilityViewSet,
    SlaPolicyViewSet,
)

router = SimpleRouter()
router.register("sla/policies", SlaPolicyViewSet, basename="sla-policy")
router.register("sla/breaches", BreachViewSet, basename="sla-breach")
router.register("sla/assignment-rules", AssignmentRuleViewSet, basename="sla-assignment-rule")
router.register("sla/availability", RepAvailabilityViewSet, basename="sla-availability")
router.register("sla/notifications", NotificationViewSet, basename="sla-notification")

urlpatterns = router.urls
