"""The dashboard and the targets editor (``reporting:`` names)."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("panels/<slug:name>/", views.panel, name="panel"),
    path("contacts/<int:pk>/touches/", views.contact_touches, name="contact_touches"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_edit, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
]
