"""The sales pages (``sales:`` names): fragments of the contact page and the rep queue."""

from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("sales/contacts/<int:pk>/timeline/", views.contact_timeline, name="contact_timeline"),
    path("sales/contacts/<int:pk>/", views.contact_panel, name="contact_panel"),
    path("sales/contacts/<int:pk>/log/", views.activity_log, name="activity_log"),
    path("sales/contacts/<int:pk>/tasks/", views.task_create, name="task_create"),
    path("sales/tasks/<int:pk>/done/", views.task_complete, name="task_complete"),
    path("sales/tasks/today/", views.my_tasks, name="my_tasks"),
]
