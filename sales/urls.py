"""The sales pages (``sales:`` names): fragments of the contact page and the rep queue."""

from django.urls import include, path

from . import views

app_name = "sales"

contact = [
    path("", views.contact_panel, name="contact_panel"),
    path("timeline/", views.contact_timeline, name="contact_timeline"),
    path("log/", views.activity_log, name="activity_log"),
    path("tasks/", views.task_create, name="task_create"),
]
tasks = [
    path("<int:pk>/done/", views.task_complete, name="task_complete"),
    path("today/", views.my_tasks, name="my_tasks"),
]
urlpatterns = [
    path("sales/contacts/<int:pk>/", include(contact)),
    path("sales/tasks/", include(tasks)),
]
