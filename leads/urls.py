"""The browser pages of contacts, queues, campaigns and definitions (``leads:`` names)."""

from django.urls import URLPattern, URLResolver, include, path

from . import duplicate_pages, utm_pages, views

app_name = "leads"

contact = [
    path("", views.contact_detail, name="contact_detail"),
    path("edit/", views.contact_edit, name="contact_edit"),
    # Under the contact page's own URL: queue rows build "<contact url><action>/" themselves.
    path("<slug:action>/", views.contact_action, name="contact_action"),
]
contacts: list[URLPattern | URLResolver] = [
    path("", views.contact_list, name="contact_list"),
    path("new/", views.contact_create, name="contact_create"),
    path("bulk/", views.contact_bulk, name="contact_bulk"),
    path("<int:pk>/", include(contact)),
]
duplicates = [
    path("", duplicate_pages.duplicate_list, name="duplicate_list"),
    path("<int:pk>/merge/", duplicate_pages.duplicate_merge, name="duplicate_merge"),
    path("<int:pk>/dismiss/", duplicate_pages.duplicate_dismiss, name="duplicate_dismiss"),
    path("scan/", duplicate_pages.duplicate_scan_start, name="duplicate_scan_start"),
    path("scans/<int:pk>/", duplicate_pages.duplicate_scan, name="duplicate_scan"),
]
campaigns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_edit, name="campaign_create"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("utm/", utm_pages.utm_unmapped, name="utm_unmapped"),
    path("utm/map/", utm_pages.utm_map, name="utm_map"),
]
urlpatterns = [
    path("contacts/", include(contacts)),
    path("duplicates/", include(duplicates)),
    path("merges/<int:pk>/undo/", duplicate_pages.merge_undo, name="merge_undo"),
    path("queue/", views.my_queue, name="my_queue"),
    path("queue/team/", views.team_queue, name="team_queue"),
    path("campaigns/", include(campaigns)),
    path("definitions/", views.definitions, name="definitions"),
    path("definitions/<slug:term>/edit/", views.definition_edit, name="definition_edit"),
]
