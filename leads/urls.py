"""The browser pages of contacts, queues, campaigns and definitions (``leads:`` names)."""

from django.urls import path

from . import duplicate_pages, utm_pages, views

app_name = "leads"

urlpatterns = [
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/bulk/", views.contact_bulk, name="contact_bulk"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    # Under the contact page's own URL: queue rows build "<contact url><action>/" themselves.
    path("contacts/<int:pk>/<slug:action>/", views.contact_action, name="contact_action"),
    path("duplicates/", duplicate_pages.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/merge/", duplicate_pages.duplicate_merge, name="duplicate_merge"),
    path(
        "duplicates/<int:pk>/dismiss/", duplicate_pages.duplicate_dismiss, name="duplicate_dismiss"
    ),
    path("duplicates/scan/", duplicate_pages.duplicate_scan_start, name="duplicate_scan_start"),
    path("duplicates/scans/<int:pk>/", duplicate_pages.duplicate_scan, name="duplicate_scan"),
    path("merges/<int:pk>/undo/", duplicate_pages.merge_undo, name="merge_undo"),
    path("queue/", views.my_queue, name="my_queue"),
    path("queue/team/", views.team_queue, name="team_queue"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/utm/", utm_pages.utm_unmapped, name="utm_unmapped"),
    path("campaigns/utm/map/", utm_pages.utm_map, name="utm_map"),
    path("definitions/", views.definitions, name="definitions"),
    path("definitions/<slug:term>/edit/", views.definition_edit, name="definition_edit"),
]
