from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views
from .companies import CompanyViewSet

router = SimpleRouter()
router.register("events", views.EventViewSet, basename="event")
router.register("scoring/rules", views.RuleViewSet, basename="scoring-rule")
router.register("scoring/rulesets", views.RuleSetViewSet, basename="scoring-ruleset")
router.register("scoring/recompute", views.RecomputeJobViewSet, basename="scoring-recompute")
router.register("companies", CompanyViewSet, basename="company")

urlpatterns = [
    path(
        "contacts/<int:pk>/score/",
        views.ContactScoreViewSet.as_view({"get": "retrieve"}),
        name="contact-score",
    ),
    path(
        "scoring/settings/",
        views.ScoringSettingsViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "put": "update"}
        ),
        name="scoring-settings",
    ),
    *router.urls,
]
