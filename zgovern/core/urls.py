from django.urls import path

from zgovern.core import views

urlpatterns = (
    [
        path("", views.home, name="home"),
        path("healthz", views.healthz, name="healthz"),
    ],
    "site",
)

org_urlpatterns = (
    [
        path("", views.dashboard, name="dashboard"),
        path("tasks/", views.my_tasks, name="my_tasks"),
    ],
    "core",
)
