from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("targets", views.TargetViewSet, basename="target")

urlpatterns = [
    path("reports/funnel/", views.FunnelReportView.as_view(), name="report-funnel"),
    path("reports/handoff/", views.HandoffReportView.as_view(), name="report-handoff"),
    path("reports/velocity/", views.VelocityReportView.as_view(), name="report-velocity"),
    path(
        "reports/response-time/",
        views.ResponseTimeReportView.as_view(),
        name="report-response-time",
    ),
    path("reports/targets/", views.TargetsReportView.as_view(), name="report-targets"),
    path("reports/trends/", views.TrendsReportView.as_view(), name="report-trends"),
    *router.urls,
]
