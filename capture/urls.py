"""The pages of forms (marketers) and the public pages of each form (``capture:`` names)."""

from django.urls import path

from . import public, views

app_name = "capture"

urlpatterns = [
    path("forms/", views.form_list, name="form_list"),
    path("forms/new/", views.form_edit, name="form_create"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("f/<str:key>/", public.hosted, name="hosted"),
    path("f/confirm/<str:token>/", public.confirm, name="confirm"),
]
