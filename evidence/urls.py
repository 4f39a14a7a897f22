"""The evidence page, a tab of the scoring pages (``evidence:``)."""

from django.urls import URLPattern, URLResolver, include, path

from . import views

app_name = "evidence"

analysis = [path("", views.analysis, name="analysis"), path("adopt/", views.adopt, name="adopt")]
evidence: list[URLPattern | URLResolver] = [
    path("", views.page, name="page"),
    path("backtest/", views.backtest, name="backtest"),
    path("signals/", views.signals, name="signals"),
    path("suggestion/", views.suggestion, name="suggestion"),
    path("analyses/<int:pk>/", include(analysis)),
]
urlpatterns = [path("scoring/evidence/", include(evidence))]
