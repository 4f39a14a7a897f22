"""The dashboard and the targets editor (``reporting:`` names)."""

from django.urls import include, path

from . import views

app_name = "reporting"

targets = [
    path("", views.target_list, name="target_list"),
    path("new/", views.target_edit, name="target_create"),
    path("<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("<int:pk>/delete/", views.target_delete, name="target_delete"),
]
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("panels/<slug:name>/", views.panel, name="panel"),
    path("contacts/<int:pk>/touches/", views.contact_touches, name="contact_touches"),
    path("targets/", include(targets)),
]
