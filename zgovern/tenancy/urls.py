from django.urls import path

from zgovern.tenancy import views

org_urlpatterns = (
    [
        path("", views.settings_page, name="settings"),
    ],
    "tenancy",
)
