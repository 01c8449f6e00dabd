"""The admins' Trust Center pages, under ``/o/<slug>/trust-center/``."""

from django.urls import path

from zgovern.trust import views

app_name = "trust_center"

urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.edit, name="edit"),
    path("report/", views.upload, name="upload"),
    path("requests/<int:trust_request_id>/approve/", views.approve, name="approve"),
    path("requests/<int:trust_request_id>/decline/", views.decline, name="decline"),
]
