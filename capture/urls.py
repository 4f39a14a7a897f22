"""The pages of forms (marketers) and the public pages of each form (``capture:`` names)."""

from django.urls import include, path

from . import public, views

app_name = "capture"

editor = [
    path("", views.form_list, name="form_list"),
    path("new/", views.form_edit, name="form_create"),
    path("<int:pk>/", views.form_detail, name="form_detail"),
    path("<int:pk>/edit/", views.form_edit, name="form_edit"),
]
# What visitors of the marketers' websites see: no log-in.
public_pages = [
    path("<str:key>/", public.hosted, name="hosted"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
]
urlpatterns = [path("forms/", include(editor)), path("f/", include(public_pages))]
