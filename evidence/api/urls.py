from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AnalysisViewSet, BacktestStartView, SignalsStartView, SuggestionStartView

router = SimpleRouter()
router.register("evidence/analyses", AnalysisViewSet, basename="evidence-analysis")

urlpatterns = [
    path("evidence/backtests/", BacktestStartView.as_view(), name="evidence-backtest"),
    path("evidence/signals/", SignalsStartView.as_view(), name="evidence-signals"),
    path("evidence/suggestions/", SuggestionStartView.as_view(), name="evidence-suggestion"),
    *router.urls,
]
