from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

api_v1 = [
    path("", include("leads.api.urls")),
    path("", include("scoring.api.urls")),
    path("", include("evidence.api.urls")),
    path("", include("sla.api.urls")),
    path("", include("reporting.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("audit.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("leads.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("imports/", include("integrations.urls")),
    path("dashboard/", include("reporting.urls")),
    path("", include("scoring.urls")),
    path("", include("evidence.urls")),
    path("", include("sla.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
]

handler404 = "leadfunnel.views.not_found"
