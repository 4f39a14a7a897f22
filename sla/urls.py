"""The SLA pages and the notifications (``sla:`` names)."""

from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("sla/", views.breach_list, name="breach_list"),
    path("sla/policies/", views.policy_list, name="policy_list"),
    path("sla/policies/new/", views.policy_edit, name="policy_create"),
    path("sla/policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/bell/", views.notification_badge, name="notification_badge"),
    path("notifications/read/", views.notification_read, name="notification_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
