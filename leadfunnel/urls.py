from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .accounts import ThrottledPasswordResetView, language_set, preferences

api_v1: list[URLPattern | URLResolver] = [
    path("", include("leads.api.urls")),
    path("", include("scoring.api.urls")),
    path("", include("evidence.api.urls")),
    path("", include("sales.api.urls")),
    path("", include("sla.api.urls")),
    path("", include("reporting.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("capture.api.urls")),
    path("", include("audit.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its set-up script as a file: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("leads.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("imports/", include("integrations.urls")),
    path("", include("capture.urls")),
    path("dashboard/", include("reporting.urls")),
    path("", include("scoring.urls")),
    path("", include("evidence.urls")),
    path("", include("sales.urls")),
    path("", include("sla.urls")),
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/preferences/", preferences, name="preferences"),
    path("accounts/language/", language_set, name="language_set"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
]

handler404 = "leadfunnel.views.not_found"
