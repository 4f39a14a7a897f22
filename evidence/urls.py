"""The evidence page, a tab of the scoring pages (``evidence:``)."""

from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("scoring/evidence/", views.page, name="page"),
    path("scoring/evidence/backtest/", views.backtest, name="backtest"),
    path("scoring/evidence/signals/", views.signals, name="signals"),
    path("scoring/evidence/suggestion/", views.suggestion, name="suggestion"),
    path("scoring/evidence/analyses/<int:pk>/", views.analysis, name="analysis"),
    path("scoring/evidence/analyses/<int:pk>/adopt/", views.adopt, name="adopt"),
]
