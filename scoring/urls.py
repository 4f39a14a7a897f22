"""The scoring pages and the contact page's score and activity fragments (``scoring:``)."""

from django.urls import URLPattern, URLResolver, include, path

from . import company_views, release_views, views

app_name = "scoring"

rules = [
    path("new/", views.rule_edit, name="rule_create"),
    path("<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("preview/", views.rule_preview, name="rule_preview"),
    path("<int:pk>/preview/", views.rule_preview, name="rule_preview"),
]
release = [
    path("publish/", release_views.release_publish, name="release_publish"),
    path("delete/", release_views.release_delete, name="release_delete"),
    path("shadow/", release_views.release_shadow, name="release_shadow"),
    path("stop-shadow/", release_views.release_stop_shadow, name="release_stop_shadow"),
    path("comparison/", release_views.release_comparison, name="release_comparison"),
]
releases: list[URLPattern | URLResolver] = [
    path("", release_views.releases_page, name="releases"),
    path("new/", release_views.release_draft, name="release_draft"),
    path("<int:pk>/", include(release)),
]
scoring: list[URLPattern | URLResolver] = [
    path("", views.rule_list, name="rule_list"),
    path("rules/", include(rules)),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("thresholds/preview/", views.thresholds_preview, name="thresholds_preview"),
    path("recompute/", views.recompute, name="recompute"),
    path("recompute/<int:pk>/", views.recompute_progress, name="recompute_progress"),
    path("releases/", include(releases)),
    path("contacts/<int:pk>/", views.contact_score, name="contact_score"),
]
urlpatterns = [
    path("scoring/", include(scoring)),
    path("companies/", company_views.company_list, name="companies"),
]
