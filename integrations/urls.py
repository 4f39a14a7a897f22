"""The import page (``integrations:`` names), served under /imports/."""

from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
]
