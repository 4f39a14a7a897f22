from django.urls import path
from rest_framework.routers import SimpleRouter

from .companies import CompanyViewSet
from .views import (
    ContactScoreViewSet,
    EventViewSet,
    RecomputeJobViewSet,
    RuleSetViewSet,
    RuleViewSet,
    ScoringSettingsViewSet,
)

router = SimpleRouter()
router.register("events", EventViewSet, basename="event")
router.register("scoring/rules", RuleViewSet, basename="scoring-rule")
router.register("scoring/rulesets", RuleSetViewSet, basename="scoring-ruleset")
router.register("scoring/recompute", RecomputeJobViewSet, basename="scoring-recompute")
router.register("companies", CompanyViewSet, basename="company")

urlpatterns = [
    path(
        "contacts/<int:pk>/score/",
        ContactScoreViewSet.as_view({"get": "retrieve"}),
        name="contact-score",
    ),
    path(
        "scoring/settings/",
        ScoringSettingsViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "put": "update"}
        ),
        name="scoring-settings",
    ),
    *router.urls,
]
