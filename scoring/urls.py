"""The scoring pages and the contact page's score and activity fragments (``scoring:``)."""

from django.urls import path

from . import company_views, release_views, views

app_name = "scoring"

urlpatterns = [
    path("scoring/", views.rule_list, name="rule_list"),
    path("scoring/rules/new/", views.rule_edit, name="rule_create"),
    path("scoring/rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("scoring/rules/<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("scoring/rules/preview/", views.rule_preview, name="rule_preview"),
    path("scoring/rules/<int:pk>/preview/", views.rule_preview, name="rule_preview"),
    path("scoring/thresholds/", views.thresholds, name="thresholds"),
    path("scoring/thresholds/preview/", views.thresholds_preview, name="thresholds_preview"),
    path("scoring/recompute/", views.recompute, name="recompute"),
    path("scoring/recompute/<int:pk>/", views.recompute_progress, name="recompute_progress"),
    path("scoring/releases/", release_views.releases_page, name="releases"),
    path("scoring/releases/new/", release_views.release_draft, name="release_draft"),
    path(
        "scoring/releases/<int:pk>/publish/",
        release_views.release_publish,
        name="release_publish",
    ),
    path("scoring/releases/<int:pk>/delete/", release_views.release_delete, name="release_delete"),
    path("scoring/releases/<int:pk>/shadow/", release_views.release_shadow, name="release_shadow"),
    path(
        "scoring/releases/<int:pk>/stop-shadow/",
        release_views.release_stop_shadow,
        name="release_stop_shadow",
    ),
    path(
        "scoring/releases/<int:pk>/comparison/",
        release_views.release_comparison,
        name="release_comparison",
    ),
    path("scoring/contacts/<int:pk>/", views.contact_score, name="contact_score"),
    path("companies/", company_views.company_list, name="companies"),
]
