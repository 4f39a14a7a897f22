"""The SLA pages and the notifications (``sla:`` names)."""

from django.urls import include, path

from . import views

app_name = "sla"

sla = [
    path("", views.breach_list, name="breach_list"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_edit, name="policy_create"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
]
notifications = [
    path("", views.notification_list, name="notification_list"),
    path("bell/", views.notification_badge, name="notification_badge"),
    path("read/", views.notification_read, name="notification_read_all"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
]
urlpatterns = [path("sla/", include(sla)), path("notifications/", include(notifications))]
